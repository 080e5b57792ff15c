"""behave hooks for asgibdd's own acceptance suite (`behave features/` from the repo root).

It lives at the repository root, next to `steps/`, on purpose: behave looks for
`steps/` and `environment.py` from `features/` upwards, and a `features/environment.py`
would make behave require `features/steps/` instead.
"""

from asgibdd import environment as asgibdd


def before_all(context):
    asgibdd.before_all(context)


def before_feature(context, feature):
    asgibdd.before_feature(context, feature)


def before_scenario(context, scenario):
    asgibdd.before_scenario(context, scenario)


def after_scenario(context, scenario):
    asgibdd.after_scenario(context, scenario)


def after_feature(context, feature):
    asgibdd.after_feature(context, feature)


def after_all(context):
    asgibdd.after_all(context)
