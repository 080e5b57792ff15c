"""`behave -f cucumber -o cucumber.json`: the run in Cucumber's JSON report format.

Jenkins' Cucumber Reports plugin, Xray's "Cucumber JSON" import and cucumber-html-reporter
read this format: a JSON array of features, each with its elements (scenarios, and the
background that ran before each of them), each element with its steps and their results.

- Every scenario of the run is an element, failed, undefined and skipped ones too; each
  example row of an outline is an element of its own (keyword `Scenario Outline`), named
  as Cucumber names it: the outline's name with the row's values put in for its
  `<placeholders>`, and the values listed after it when the name has none.
- A step's `result` has its status as Cucumber spells it (`passed`, `failed`, `skipped`,
  `pending`, `undefined`), its `duration` in nanoseconds and, when it did not pass, the
  `error_message` (the exception's public type and message); `match.location` is where
  the step's function is.
- What a step exchanged with the app (HTTP, websocket messages, server-sent events) is
  an embedding of that step: the transcript entry as base64 `text/plain`, masked like
  the HTML report's. So are the texts of the feature file (step text, doc strings,
  tables), with the secrets of the scenario they belong to.
- A failed behave hook (before/after scenario) is a `before` or `after` hook result.

Each feature is written when it ends; `asgibdd report merge --cucumber` and `asgibdd run
-j N` merge several files into one (`asgibdd.report.cucumber_merge`).
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from behave.model import ScenarioOutlineBuilder

from asgibdd.journal import SCENARIO_ATTRIBUTE, Journal
from asgibdd.report._formatter import FeatureWritingFormatter
from asgibdd.report.collect import error_text, ordered_tags, public_name, transcript_by_step
from asgibdd.report.model import TranscriptItem

__all__ = ["STATUS", "CucumberJSONFormatter", "element_id"]

Json = dict[str, Any]

STATUS = {
    "passed": "passed",
    "failed": "failed",
    "error": "failed",
    "hook_error": "failed",
    "undefined": "undefined",
    "pending": "pending",
    "pending_warn": "pending",
    "skipped": "skipped",
    "untested": "skipped",
}
"""behave's statuses as Cucumber's JSON spells them (an error is a failure there)."""

_NOT_ID = re.compile(r"[^\w]+")


def element_id(*names: str) -> str:
    """Cucumber's id of a feature or element: its names lower-cased, words joined by `-`,
    parts by `;` (`Shopping cart;Add an item` → `shopping-cart;add-an-item`)."""
    return ";".join(_NOT_ID.sub("-", name.casefold()).strip("-") for name in names)


def _nanoseconds(seconds: float | None) -> int:
    return round(float(seconds or 0.0) * 1e9)


def _location(match: Any) -> str | None:
    """`path:line` of the step's function: relative to the working folder when it is in
    it, else by its module (`asgibdd/steps/http.py:35`, not `../../site-packages/...`)."""
    location = getattr(match, "location", None)
    if location is None:
        return None
    path = Path(str(location.filename)).as_posix()
    module = getattr(getattr(match, "func", None), "__module__", None)
    if path.startswith("../") and module:
        path = module.replace(".", "/") + ".py"
    return f"{path}:{int(location.line)}"


class CucumberJSONFormatter(FeatureWritingFormatter):
    """Writes the Cucumber JSON report: `[`, one feature object as each feature ends, `]`."""

    name = "cucumber"
    description = "Cucumber JSON report (Jenkins Cucumber Reports, Xray, cucumber-html-reporter)."

    def __init__(self, stream_opener: Any, config: Any) -> None:
        super().__init__(stream_opener, config)
        self._features = 0

    def write_feature(self, feature: Any) -> None:
        document = _FeatureJSON(self, feature).build()
        stream = self.open() if not self._features else self.stream
        stream.write("[\n" if not self._features else ",\n")
        stream.write(json.dumps(document, ensure_ascii=False, indent=1))
        self._features += 1

    def close(self) -> None:
        stream = self.open() if not self._features else self.stream
        stream.write("[]\n" if not self._features else "\n]\n")
        self.close_stream()


class _FeatureJSON:
    """The Cucumber JSON object of one ended feature."""

    def __init__(self, formatter: CucumberJSONFormatter, feature: Any) -> None:
        self.out = formatter
        self.feature = feature
        self.feature_id = element_id(str(feature.name))

    def build(self) -> Json:
        feature = self.feature
        elements: list[Json] = []
        for scenario in feature.walk_scenarios():
            elements.extend(self._elements(scenario))
        return {
            "uri": Path(str(feature.filename)).as_posix(),
            "id": self.feature_id,
            "keyword": feature.keyword,
            "name": feature.name,
            "description": "\n".join(feature.description or []),
            "line": int(feature.line),
            "tags": _tags(feature.tags, feature.tags, feature.line),
            "elements": elements,
        }

    def _elements(self, scenario: Any) -> list[Json]:
        journal = getattr(scenario, SCENARIO_ATTRIBUTE, None)
        mask: Callable[[str], str] = (
            journal.secrets.mask_text if isinstance(journal, Journal) else (lambda text: text)
        )
        items = list(journal.seal()) if isinstance(journal, Journal) else []
        steps = list(scenario.all_steps)
        transcripts = transcript_by_step([mask(step.name) for step in steps], items)
        results = [
            _step(step, self.out._matches.get(id(step)), mask, transcript)
            for step, transcript in zip(steps, transcripts, strict=True)
        ]
        background = len(scenario.background_steps or [])
        elements: list[Json] = []
        if background:
            elements.append(
                {
                    "keyword": scenario.background.keyword,
                    "type": "background",
                    "name": scenario.background.name or "",
                    "description": "\n".join(scenario.background.description or []),
                    "line": int(scenario.background.line),
                    "steps": results[:background],
                }
            )
        element: Json = {
            "id": self._scenario_id(scenario),
            "keyword": scenario.keyword,
            "type": "scenario",
            "name": mask(_scenario_name(scenario)),
            "description": "\n".join(scenario.description or []),
            "line": int(scenario.line),
            "tags": _tags(ordered_tags(scenario), self._written_tags(scenario), scenario.line),
            "steps": results[background:],
        }
        started = self.out._started.get(id(scenario))
        if started is not None:
            stamp = datetime.fromtimestamp(started, timezone.utc)
            element["start_timestamp"] = stamp.isoformat(timespec="milliseconds")[:-6] + "Z"
        if scenario.hook_failed:
            ran = any(step.status.name not in ("skipped", "untested") for step in steps)
            element["after" if ran else "before"] = [_hook(scenario, mask)]
        elements.append(element)
        return elements

    def _written_tags(self, scenario: Any) -> list[Any]:
        """The tags written in the file that `scenario` has: its own (an outline row's are
        copies without a line: the outline's and its examples' have one), its feature's."""
        outline = getattr(scenario, "parent", None)
        examples = [tag for e in getattr(outline, "examples", None) or [] for tag in e.tags]
        return [*self.feature.tags, *getattr(outline, "tags", []), *examples, *scenario.tags]

    def _scenario_id(self, scenario: Any) -> str:
        row = getattr(scenario, "_row", None)
        outline = getattr(scenario, "parent", None)
        if row is None or outline is None:
            return f"{self.feature_id};{element_id(str(scenario.name))}"
        examples = next(
            (e for e in outline.examples if e.table is not None and row in e.table.rows),
            None,
        )
        # Cucumber counts the rows of an Examples table from its heading, which is 1.
        number = (examples.table.rows.index(row) if examples is not None else 0) + 2
        examples_name = str(getattr(examples, "name", "") or "")
        return f"{self.feature_id};{element_id(str(outline.name), examples_name)};{number}"


def _scenario_name(scenario: Any) -> str:
    """The name Cucumber gives the scenario: an outline row's is the outline's name with
    the row's values in its placeholders; when it has none, the values follow it."""
    row = getattr(scenario, "_row", None)
    outline = getattr(scenario, "parent", None)
    if row is None or outline is None:
        return str(scenario.name)
    template = str(outline.name)
    name = str(ScenarioOutlineBuilder.render_template(template, row))
    if name != template or not row.headings:
        return name
    values = ", ".join(
        f"{heading}={cell}" for heading, cell in zip(row.headings, row.cells, strict=False)
    )
    return f"{name} ({values})" if name else values


def _tags(names: Any, written: Any, line: int) -> list[Json]:
    """Cucumber's tags: `@name` and the line the tag is written on (of the `written` tags
    that have one; else the line above the element's keyword, where tags go)."""
    lines = {str(tag): int(getattr(tag, "line", 0) or 0) for tag in written}
    return [
        {"name": f"@{tag}", "line": lines.get(str(tag)) or max(int(line) - 1, 1)} for tag in names
    ]


def _step(step: Any, match: Any, mask: Callable[[str], str], transcript: list[Any]) -> Json:
    status = STATUS.get(step.status.name, "skipped")
    result: Json = {"status": status, "duration": _nanoseconds(step.duration)}
    message = error_text(step)
    if message:
        kind = public_name(step.exception)
        result["error_message"] = mask(f"{kind}: {message}" if kind else message)
    elif status == "undefined":
        result["error_message"] = f"Undefined step: {mask(step.name)}"
    data: Json = {
        "keyword": f"{step.keyword} ",
        "name": mask(step.name),
        "line": int(step.line),
        "match": _match(match, mask),
        "result": result,
    }
    if step.text is not None:
        data["doc_string"] = {
            "value": mask(str(step.text)),
            "content_type": str(getattr(step.text, "content_type", "") or ""),
            "line": int(step.line) + 1,
        }
    if step.table is not None:
        cells = [step.table.headings, *(row.cells for row in step.table.rows)]
        data["rows"] = [{"cells": [mask(str(cell)) for cell in row]} for row in cells]
    if transcript:
        data["embeddings"] = [_embedding(item) for item in transcript]
    return data


def _match(match: Any, mask: Callable[[str], str]) -> Json:
    location = _location(match)
    if location is None:
        return {}
    arguments = [
        {"val": mask(str(argument.original)), "offset": int(argument.start)}
        for argument in getattr(match, "arguments", None) or []
        if getattr(argument, "start", None) is not None
    ]
    return {"location": location, "arguments": arguments}


def _embedding(item: TranscriptItem) -> Json:
    body = f"{item.title}\n\n{item.text}".encode()
    return {
        "data": base64.b64encode(body).decode("ascii"),
        "mime_type": "text/plain",
        "name": item.title,
    }


def _hook(scenario: Any, mask: Callable[[str], str]) -> Json:
    # behave's message names the hook and the exception's type already.
    message = error_text(scenario) or "A hook failed."
    return {
        "match": {"location": "environment.py"},
        "result": {"status": "failed", "duration": 0, "error_message": mask(message)},
    }
