"""All of asgibdd's steps, for our own acceptance suite: the one line a project adds."""

from asgibdd.steps import *  # noqa: F403
