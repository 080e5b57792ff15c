"""behave hooks for asgibdd's own acceptance suite (`behave features/` from the repo root).

It lives at the repository root, next to `steps/`, on purpose: behave looks for
`steps/` and `environment.py` from `features/` upwards, and a `features/environment.py`
would make behave require `features/steps/` instead.
"""

from asgibdd import environment as asgibdd
from asgibdd.demo.testing import RESET_PATH
from asgibdd.errors import ConfigError


def before_all(context):
    asgibdd.before_all(context)


def before_feature(context, feature):
    asgibdd.before_feature(context, feature)


def before_scenario(context, scenario):
    asgibdd.before_scenario(context, scenario)
    world = asgibdd.get_world(context)
    if world.config.live and world.client is not None:
        # In-process every scenario starts a new lifespan, so an empty store; a live server
        # keeps one store for the run, so the demo's test mode empties it instead.
        response = world.client.post(RESET_PATH)
        if response.status_code != 204:
            raise ConfigError(
                f"POST {RESET_PATH} answered {response.status_code}: the live suite needs "
                "the demo in its test mode, started with "
                "`uvicorn --factory asgibdd.demo:create_testing_app`."
            )


def after_scenario(context, scenario):
    asgibdd.after_scenario(context, scenario)


def after_feature(context, feature):
    asgibdd.after_feature(context, feature)


def after_all(context):
    asgibdd.after_all(context)
