from asgibdd.steps import *  # noqa: F403
