"""Reading a file `asgibdd report merge` (or `asgibdd run`'s merge) is given."""

from __future__ import annotations

from pathlib import Path

from asgibdd.errors import UsageError

__all__ = ["read_input"]


def read_input(path: Path, kind: str, write_one: str) -> str:
    """The text of `path`, a `kind` file ("a Cucumber JSON file"); `UsageError` saying why
    not, and `write_one` (how to get one) after it."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"{path} does not exist; {write_one}.") from None
    except IsADirectoryError:
        raise UsageError(f"{path} is a folder, not {kind}; {write_one}.") from None
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"{path} cannot be read as {kind} ({error}); {write_one}.") from None
