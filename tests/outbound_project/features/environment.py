from asgibdd.environment import *  # noqa: F403
