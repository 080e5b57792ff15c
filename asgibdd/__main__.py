"""`python -m asgibdd ...` runs the `asgibdd` command line."""

from asgibdd.cli import main

raise SystemExit(main())
