"""Where asgibdd's documentation lives, for texts a user reads outside a checkout.

Help and error texts link to the docs by URL: a user who installed the wheel has no
`docs/` folder. The same addresses are in pyproject.toml's `[project.urls]`.
"""

from __future__ import annotations

__all__ = ["DOCS_URL", "docs_page"]

DOCS_URL = "https://github.com/asgibdd/asgibdd/blob/main/docs"


def docs_page(page: str) -> str:
    """The URL of `page` in the docs, e.g. `docs_page("parallel.md")`."""
    return f"{DOCS_URL}/{page}"
