"""The run's contract check: one document, its compiled schemas, the coverage tally.

The document is read once per run: from the app object or a file when the run starts, or,
for a served path, from the app the first time a response is checked.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from asgibdd.config import CONTRACT_SETUP_PREFIX
from asgibdd.contracts.conformance import Verdict, check_response
from asgibdd.contracts.coverage import CoverageTally, coverage_data
from asgibdd.contracts.document import AUTO, APIDocument, discover, load_file, load_served
from asgibdd.contracts.operations import OperationIndex
from asgibdd.contracts.schemas import SchemaValidators
from asgibdd.errors import ConfigError
from asgibdd.secrets import Secrets
from asgibdd.transcript import render_exchange

__all__ = [
    "CONTRACT_TAG",
    "LIVE_DEFAULT_PATH",
    "SETUP_PREFIX",
    "ContractChecker",
    "Fetch",
    "setup_line",
]

CONTRACT_TAG = "asgibdd.contract="
"""Prefix of the feature or scenario tag that turns the check off: `@asgibdd.contract=off`."""

Fetch = Callable[[str], httpx.Response]
"""GET a path from the app, outside the scenario's journal (for a served document)."""

_SHOWN = 10
LIVE_DEFAULT_PATH = "/openapi.json"
"""Where a live service's document is read from when the `openapi` setting is "auto"."""


class ContractChecker:
    """Checks responses against one API document and counts what the run exercised."""

    def __init__(self, document: APIDocument | None = None, served_path: str | None = None):
        if (document is None) == (served_path is None):
            raise ValueError("give the document or the path it is served at, not both")
        self._served_path = served_path
        self._document: APIDocument | None = None
        self._index: OperationIndex | None = None
        self._schemas: SchemaValidators | None = None
        self.tally = CoverageTally()
        self._counted: weakref.WeakSet[httpx.Response] = weakref.WeakSet()
        if document is not None:
            self._use(document)

    @classmethod
    def from_setting(
        cls, setting: str, app: Any, *, source: str, project_dir: Path | None
    ) -> ContractChecker | None:
        """The checker for the `openapi` setting: `auto` (the app's own document; None for an
        app that publishes none), a path the app serves (`/openapi.json`), or a file."""
        value = setting.strip()
        if value == AUTO:
            document = discover(app)
            return cls(document) if document is not None else None
        if value.startswith("/") and not Path(value).is_file():
            return cls(served_path=value)  # an absolute path to an existing file is a file
        if not value:
            raise ConfigError(
                f"The `openapi` setting from {source} is empty. Give a file (openapi.json), a "
                f'path the app serves ("/openapi.json"), or "{AUTO}".'
            )
        path = Path(value)
        if not path.is_absolute():
            path = (project_dir or Path.cwd()) / path
        return cls(load_file(path, source))

    @classmethod
    def for_live(
        cls, setting: str, fetch: Fetch, *, source: str, project_dir: Path | None
    ) -> tuple[ContractChecker | None, str]:
        """The checker for a live service, its document read now: the `openapi` setting
        (a file, or a path the service serves), or for "auto" the service's
        `/openapi.json`; and, when there is none, why (for `setup_line`).

        A document the setting names and that cannot be read is a `ConfigError`; for
        "auto", a service that serves none is not.
        """
        value = setting.strip()
        path = LIVE_DEFAULT_PATH if value == AUTO else value
        if not path.startswith("/") or Path(path).is_file():
            checker = cls.from_setting(value, None, source=source, project_dir=project_dir)
            return checker, ""
        try:
            return cls(load_served(fetch, path, served_by="the service")), ""
        except ConfigError as error:
            if value != AUTO:
                raise
            return None, (
                f"the service serves no API document at {path} ({str(error).split('. ')[0]}). "
                "Name it with the `openapi` setting: a file, or the path the service serves "
                "it at"
            )

    def _use(self, document: APIDocument) -> None:
        self._document = document
        self._index = OperationIndex(document.data)
        self._schemas = SchemaValidators(document.data, is_30=document.is_30)

    def describe(self) -> str:
        """The document's source and version, for messages."""
        if self._document is None:
            return f"{self._served_path} served by the app"
        return f"{self._document.source}, OpenAPI {self._document.version}"

    @property
    def document(self) -> APIDocument | None:
        """The document, once it has been read (a served one: after the first check)."""
        return self._document

    def check(
        self,
        request: httpx.Request,
        response: httpx.Response,
        *,
        fetch: Fetch,
        root_path: str = "",
        secrets: Secrets | None = None,
        strict: bool = False,
    ) -> Verdict:
        """Check one exchange; counted in the coverage once, however often it is checked.

        A status the operation does not list is a violation only when `strict`; it is
        counted in the coverage either way. `secrets` mask what the coverage keeps of a
        request the document does not describe.
        """
        if self._document is None:
            assert self._served_path is not None
            self._use(load_served(fetch, self._served_path))
        assert self._index is not None and self._schemas is not None
        verdict = check_response(
            self._index, self._schemas, request, response, root_path=root_path, strict=strict
        )
        if response not in self._counted:
            self._counted.add(response)
            self.tally.record(verdict, secrets)
        return verdict

    def coverage(self) -> dict[str, Any] | None:
        """`coverage_data` for the run so far; None if the document was never read."""
        if self._document is None or self._index is None:
            return None
        return coverage_data(self._document, self._index.operations, self.tally)

    def failure(
        self,
        verdict: Verdict,
        request: httpx.Request,
        response: httpx.Response,
        secrets: Secrets,
        *,
        going_on: bool = False,
    ) -> str:
        """The failure message for a verdict with violations, transcript included;
        `going_on` says the scenario's later steps still run."""
        assert verdict.operation is not None and self._document is not None
        count = len(verdict.violations)
        lines = [
            f"The response to {verdict.operation.label} does not match the API document "
            f"({self.describe()}): status {verdict.status}, "
            f"{count} violation{'s' if count != 1 else ''}."
        ]
        for violation in verdict.violations[:_SHOWN]:
            lines.append(f"  {violation.where}: {secrets.mask_text(violation.problem)}")
            lines.append(f"    rule: {violation.rule} at #{violation.pointer}")
        if count > _SHOWN:
            lines.append(f"  ... and {count - _SHOWN} more")
        if verdict.undocumented_status:
            lines.append(
                f"Document status {verdict.status} for {verdict.operation.label} (FastAPI: "
                f"responses={{{verdict.status}: {{...}}}} on the route), or report such "
                'statuses without failing: contract = true instead of "strict".'
            )
        lines.append(
            "Fix the app or its document. To skip this check, tag the scenario or feature "
            f"@{CONTRACT_TAG}off, or set `contract = false` in [tool.asgibdd] for the run."
        )
        if going_on:
            lines.append(
                "The scenario goes on: its later steps still run, and it fails at its end. "
                'To stop at the request instead, set contract_failure = "request".'
            )
        lines.append(render_exchange(request, response, secrets=secrets))
        return "\n".join(lines)


SETUP_PREFIX = CONTRACT_SETUP_PREFIX
"""How the line a run starts with begins (`setup_line`)."""

_MODES = {
    "on": "the bodies and content types it documents; statuses it does not list are "
    "reported, not failed",
    "strict": "strict: statuses it does not list fail too",
}


def setup_line(mode: str, checker: ContractChecker | None, why_none: str = "") -> str:
    """What the run says as it starts: whether responses are checked, and against what."""
    if checker is None:
        return f"{SETUP_PREFIX} off, {why_none or 'no API document'}."
    if mode == "off":
        return (
            f"{SETUP_PREFIX} off (contract = false); responses are not checked against "
            f"{checker.describe()}."
        )
    return f"{SETUP_PREFIX} on, against {checker.describe()} ({_MODES[mode]})."
