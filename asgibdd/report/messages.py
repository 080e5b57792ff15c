"""`behave -f messages -o run.ndjson`: the run as Cucumber Messages, one JSON object a line.

Cucumber's own HTML formatter, ReportPortal, Xray and other Cucumber tools read this
stream. Each feature is written when it ends: its source, its Gherkin document, one pickle
and one test case per scenario (an outline's example row is one scenario), the step
definitions its steps matched, then the execution with every step's result. A scenario's
transcript (see `asgibdd.journal`) goes along as `text/plain` attachments of the steps
that caused each exchange, masked like the HTML report's.

Message shapes follow the Cucumber Messages schema (protocol `PROTOCOL_VERSION`); the
tests read every line back with the `cucumber-messages` package.
"""

from __future__ import annotations

import itertools
import json
import platform
import sys
import time
from pathlib import Path
from typing import Any

from behave import step_registry

from asgibdd import __version__
from asgibdd.journal import SCENARIO_ATTRIBUTE, Journal
from asgibdd.report._formatter import FeatureWritingFormatter
from asgibdd.report.collect import error_text, ordered_tags, public_name, transcript_by_step
from asgibdd.secrets import Secrets

__all__ = ["PROTOCOL_VERSION", "MessagesFormatter"]

PROTOCOL_VERSION = "31.0.0"

Message = dict[str, Any]

# behave's statuses as Cucumber test step results; "error" is a failed step with an
# exception that is not an AssertionError, which Cucumber does not tell apart.
_STATUS = {
    "passed": "PASSED",
    "failed": "FAILED",
    "error": "FAILED",
    "hook_error": "FAILED",
    "undefined": "UNDEFINED",
    "pending": "PENDING",
    "pending_warn": "PENDING",
    "skipped": "SKIPPED",
    "untested": "SKIPPED",
}
_STEP_TYPE = {"given": "Context", "when": "Action", "then": "Outcome"}


def _timestamp(seconds: float) -> Message:
    whole = int(seconds)
    return {"seconds": whole, "nanos": int((seconds - whole) * 1e9)}


class MessagesFormatter(FeatureWritingFormatter):
    """Writes Cucumber Messages NDJSON: one envelope a line, a feature at a time."""

    name = "messages"
    description = "Cucumber Messages NDJSON (for Cucumber's HTML formatter, ReportPortal, Xray)."

    def __init__(self, stream_opener: Any, config: Any) -> None:
        super().__init__(stream_opener, config)
        self._ids = itertools.count(1)
        self._run_id = ""
        self._success = True
        self._definitions: dict[tuple[str, int], str] = {}
        self._hook_id = ""

    def _id(self) -> str:
        return str(next(self._ids))

    def _hook(self) -> str:
        """The id of the one Hook message that stands for the project's behave hooks."""
        if not self._hook_id:
            self._hook_id = self._id()
            self._emit(
                {
                    "hook": {
                        "id": self._hook_id,
                        "name": "behave hooks (environment.py)",
                        "sourceReference": {"uri": "environment.py"},
                    }
                }
            )
        return self._hook_id

    def _emit(self, message: Message) -> None:
        self.stream.write(json.dumps(message, ensure_ascii=False, separators=(",", ":")) + "\n")

    def _start_run(self) -> None:
        if self._run_id:
            return
        self.open()
        self._run_id = self._id()
        self._emit(
            {
                "meta": {
                    "protocolVersion": PROTOCOL_VERSION,
                    "implementation": {"name": "asgibdd", "version": __version__},
                    "runtime": {
                        "name": platform.python_implementation(),
                        "version": platform.python_version(),
                    },
                    "os": {"name": sys.platform},
                    "cpu": {"name": platform.machine() or "unknown"},
                }
            }
        )
        self._emit({"testRunStarted": {"id": self._run_id, "timestamp": _timestamp(time.time())}})

    # behave's formatter protocol -------------------------------------------------------

    def feature(self, feature: Any) -> None:
        self._start_run()
        super().feature(feature)

    def write_feature(self, feature: Any) -> None:
        _FeatureWriter(self, feature).write()

    def close(self) -> None:
        self._start_run()
        self._emit(
            {
                "testRunFinished": {
                    "testRunStartedId": self._run_id,
                    "success": self._success,
                    "timestamp": _timestamp(time.time()),
                }
            }
        )
        self.close_stream()


class _FeatureWriter:
    """The messages of one ended feature, with ids for every node it refers to."""

    def __init__(self, formatter: MessagesFormatter, feature: Any) -> None:
        self.out = formatter
        self.feature = feature
        self.uri = Path(str(feature.filename)).as_posix()
        # Gherkin nodes by line: steps, outline rows and tags each have a line of their own.
        self.steps: dict[int, str] = {}
        self.rows: dict[int, str] = {}
        self.scenarios: dict[int, str] = {}
        self.tags: dict[tuple[int, str], str] = {}
        # Texts the feature file holds (steps, tables, doc strings, its source) are masked
        # with the secrets of all the feature's scenarios, as the HTML report masks them.
        self.secrets = Secrets()
        for scenario in feature.walk_scenarios():
            journal = getattr(scenario, SCENARIO_ATTRIBUTE, None)
            if isinstance(journal, Journal):
                self.secrets.remember_all(journal.secrets)
        self.mask = self.secrets.mask_text

    def write(self) -> None:
        try:
            source = Path(self.uri).read_text(encoding="utf-8")
        except OSError:
            source = ""
        self.out._emit(
            {
                "source": {
                    "uri": self.uri,
                    "data": self.mask(source),
                    "mediaType": "text/x.cucumber.gherkin+plain",
                }
            }
        )
        self.out._emit({"gherkinDocument": self._document()})
        scenarios = list(self.feature.walk_scenarios())
        pickles = [self._pickle(scenario) for scenario in scenarios]
        for pickle in pickles:
            self.out._emit({"pickle": pickle})
        cases = [
            self._test_case(scenario, pickle)
            for scenario, pickle in zip(scenarios, pickles, strict=True)
        ]
        for scenario, case in zip(scenarios, cases, strict=True):
            self.out._emit({"testCase": case})
            self._execution(scenario, case)

    # The Gherkin document --------------------------------------------------------------

    def _location(self, line: int) -> Message:
        return {"line": int(line)}

    def _tags(self, tags: Any) -> list[Message]:
        found = []
        for tag in tags:
            line = int(getattr(tag, "line", 0) or 0)
            key = (line, str(tag))
            node = self.tags.setdefault(key, self.out._id())
            found.append({"id": node, "name": f"@{tag}", "location": self._location(line)})
        return found

    def _step(self, step: Any) -> Message:
        node = self.steps.setdefault(step.line, self.out._id())
        message: Message = {
            "id": node,
            "keyword": f"{step.keyword} ",
            "keywordType": _STEP_TYPE.get(step.step_type, "Unknown"),
            "location": self._location(step.line),
            "text": self.mask(step.name),
        }
        if step.text is not None:
            message["docString"] = {
                "content": self.mask(str(step.text)),
                "delimiter": '"""',
                "location": self._location(getattr(step.text, "line", step.line)),
            }
        if step.table is not None:
            message["dataTable"] = {
                "location": self._location(step.table.line),
                "rows": [
                    self._row(cells, step.table.line + offset)
                    for offset, cells in enumerate(
                        [step.table.headings, *(row.cells for row in step.table.rows)]
                    )
                ],
            }
        return message

    def _row(self, cells: list[str], line: int) -> Message:
        return {
            "id": self.out._id(),
            "location": self._location(line),
            "cells": [
                {"value": self.mask(str(cell)), "location": self._location(line)} for cell in cells
            ],
        }

    def _background(self, background: Any) -> Message:
        return {
            "background": {
                "id": self.out._id(),
                "keyword": background.keyword,
                "name": background.name,
                "description": "\n".join(background.description or []),
                "location": self._location(background.line),
                "steps": [self._step(step) for step in background.steps],
            }
        }

    def _scenario(self, scenario: Any) -> Message:
        node = self.out._id()
        self.scenarios[scenario.line] = node
        examples = []
        for example in getattr(scenario, "examples", None) or []:
            table = example.table
            body = []
            for row in table.rows:
                row_message = self._row(row.cells, row.line)
                self.rows[row.line] = row_message["id"]
                body.append(row_message)
            examples.append(
                {
                    "id": self.out._id(),
                    "keyword": example.keyword,
                    "name": example.name,
                    "description": "",
                    "location": self._location(example.line),
                    "tags": self._tags(example.tags),
                    "tableHeader": self._row(table.headings, table.line),
                    "tableBody": body,
                }
            )
        return {
            "scenario": {
                "id": node,
                "keyword": scenario.keyword,
                "name": scenario.name,
                "description": "\n".join(scenario.description or []),
                "location": self._location(scenario.line),
                "tags": self._tags(scenario.tags),
                "steps": [self._step(step) for step in scenario.steps],
                "examples": examples,
            }
        }

    def _children(self, container: Any, inherited: Any = None) -> list[Message]:
        children = []
        background = getattr(container, "background", None)
        # A rule's background may be the feature's, inherited: written once, in the feature.
        if (
            background is not None
            and background is not inherited
            and background.steps
            and all(step.line not in self.steps for step in background.steps)
        ):
            children.append(self._background(background))
        for item in container.run_items if hasattr(container, "run_items") else container.scenarios:
            if type(item).__name__ == "Rule":
                children.append(
                    {
                        "rule": {
                            "id": self.out._id(),
                            "keyword": item.keyword,
                            "name": item.name,
                            "description": "\n".join(item.description or []),
                            "location": self._location(item.line),
                            "tags": self._tags(item.tags),
                            "children": self._children(item, background),
                        }
                    }
                )
            else:
                children.append(self._scenario(item))
        return children

    def _document(self) -> Message:
        feature = self.feature
        return {
            "uri": self.uri,
            "comments": [],
            "feature": {
                "keyword": feature.keyword,
                "name": feature.name,
                "description": "\n".join(feature.description or []),
                "language": getattr(feature, "language", None) or "en",
                "location": self._location(feature.line),
                "tags": self._tags(feature.tags),
                "children": self._children(feature),
            },
        }

    # Pickles and test cases ------------------------------------------------------------

    def _pickle(self, scenario: Any) -> Message:
        row = getattr(scenario, "_row", None)
        row_id = self.rows.get(row.line) if row is not None else None
        outline_line = self._outline_line(scenario)
        ast_ids = [self.scenarios[outline_line]] + ([row_id] if row_id else [])
        steps = []
        for step in scenario.all_steps:
            pickle_step: Message = {
                "id": self.out._id(),
                "text": self.mask(step.name),
                "type": _STEP_TYPE.get(step.step_type, "Unknown"),
                "astNodeIds": [self.steps[step.line]] + ([row_id] if row_id else []),
            }
            if step.text is not None:
                pickle_step["argument"] = {"docString": {"content": self.mask(str(step.text))}}
            elif step.table is not None:
                rows = [step.table.headings, *(r.cells for r in step.table.rows)]
                pickle_step["argument"] = {
                    "dataTable": {
                        "rows": [
                            {"cells": [{"value": self.mask(str(c))} for c in cells]}
                            for cells in rows
                        ]
                    }
                }
            steps.append(pickle_step)
        tag_nodes = {name: node for (_, name), node in self.tags.items()}
        tags = [
            {"name": f"@{tag}", "astNodeId": tag_nodes.get(tag, ast_ids[0])}
            for tag in ordered_tags(scenario)
        ]
        return {
            "id": self.out._id(),
            "uri": self.uri,
            "location": self._location(scenario.line),
            "name": scenario.name,
            "language": getattr(self.feature, "language", None) or "en",
            "steps": steps,
            "tags": tags,
            "astNodeIds": ast_ids,
        }

    def _outline_line(self, scenario: Any) -> int:
        """The line of the Scenario (Outline) keyword a run scenario comes from."""
        if scenario.line in self.scenarios:
            return int(scenario.line)
        # An example row's scenario has the row's line: its outline is the nearest above.
        return max(line for line in self.scenarios if line < scenario.line)

    def _definition(self, match: Any) -> str | None:
        location = getattr(match, "location", None)
        if match is None or location is None:
            return None
        key = (str(location.filename), int(location.line))
        if key not in self.out._definitions:
            node = self.out._id()
            self.out._definitions[key] = node
            self.out._emit(
                {
                    "stepDefinition": {
                        "id": node,
                        "pattern": {"source": _pattern(match), "type": "CUCUMBER_EXPRESSION"},
                        "sourceReference": {
                            "uri": Path(key[0]).as_posix(),
                            "location": {"line": key[1]},
                        },
                    }
                }
            )
        return self.out._definitions[key]

    def _test_case(self, scenario: Any, pickle: Message) -> Message:
        test_steps = []
        for step, pickle_step in zip(scenario.all_steps, pickle["steps"], strict=True):
            definition = self._definition(self.out._matches.get(id(step)))
            test_steps.append(
                {
                    "id": self.out._id(),
                    "pickleStepId": pickle_step["id"],
                    "stepDefinitionIds": [definition] if definition else [],
                    "stepMatchArgumentsLists": [{"stepMatchArguments": []}] if definition else [],
                }
            )
        if scenario.hook_failed:
            # A failed before/after hook is a step of its own, so tools show the scenario
            # as failed with the hook's message rather than as skipped.
            test_steps.append({"id": self.out._id(), "hookId": self.out._hook()})
        return {
            "id": self.out._id(),
            "pickleId": pickle["id"],
            "testSteps": test_steps,
            "testRunStartedId": self.out._run_id,
        }

    def _execution(self, scenario: Any, case: Message) -> None:
        out = self.out
        started_id = out._id()
        start = out._started.get(id(scenario), time.time())
        out._emit(
            {
                "testCaseStarted": {
                    "id": started_id,
                    "testCaseId": case["id"],
                    "attempt": 0,
                    "timestamp": _timestamp(start),
                }
            }
        )
        journal = getattr(scenario, SCENARIO_ATTRIBUTE, None)
        items = list(journal.seal()) if isinstance(journal, Journal) else []
        secrets = journal.secrets if isinstance(journal, Journal) else None
        clock = start
        steps = list(scenario.all_steps)
        mask = secrets.mask_text if secrets is not None else (lambda text: text)
        # What each step exchanged: the transcript shared out among the steps.
        transcripts = transcript_by_step([mask(step.name) for step in steps], items)
        for step, test_step, transcript in zip(
            steps, case["testSteps"][: len(steps)], transcripts, strict=True
        ):
            status = step.status.name
            ended = out._ended.get(id(step), clock)
            step_start = max(clock, ended - float(step.duration or 0.0))
            out._emit(
                {
                    "testStepStarted": {
                        "testCaseStartedId": started_id,
                        "testStepId": test_step["id"],
                        "timestamp": _timestamp(step_start),
                    }
                }
            )
            for item in transcript:
                out._emit(
                    {
                        "attachment": {
                            "testCaseStartedId": started_id,
                            "testStepId": test_step["id"],
                            "body": f"{item.title}\n\n{item.text}",
                            "contentEncoding": "IDENTITY",
                            "mediaType": "text/plain",
                            "fileName": f"{item.kind}.txt",
                        }
                    }
                )
            result: Message = {
                "status": _STATUS.get(status, "UNKNOWN"),
                "duration": _timestamp(float(step.duration or 0.0)),
            }
            message = error_text(step)
            if message:
                if secrets is not None:
                    message = secrets.mask_text(message)
                result["message"] = message
                result["exception"] = {
                    "type": public_name(step.exception) or "Exception",
                    "message": message,
                }
            if result["status"] not in ("PASSED", "SKIPPED"):
                out._success = False
            out._emit(
                {
                    "testStepFinished": {
                        "testCaseStartedId": started_id,
                        "testStepId": test_step["id"],
                        "testStepResult": result,
                        "timestamp": _timestamp(max(ended, step_start)),
                    }
                }
            )
            clock = max(ended, step_start)
        for hook_step in case["testSteps"][len(steps) :]:
            self._hook_result(scenario, started_id, hook_step["id"], clock, secrets)
        if scenario.status.name in ("failed", "error", "hook_error"):
            out._success = False
        out._emit(
            {
                "testCaseFinished": {
                    "testCaseStartedId": started_id,
                    "willBeRetried": False,
                    "timestamp": _timestamp(max(clock, start + float(scenario.duration or 0.0))),
                }
            }
        )

    def _hook_result(
        self, scenario: Any, started_id: str, step_id: str, at: float, secrets: Any
    ) -> None:
        message = error_text(scenario) or "A hook failed."
        if secrets is not None:
            message = secrets.mask_text(message)
        for kind, extra in (
            ("testStepStarted", {}),
            (
                "testStepFinished",
                {
                    "testStepResult": {
                        "status": "FAILED",
                        "duration": _timestamp(0.0),
                        "message": message,
                        "exception": {
                            "type": public_name(scenario.exception) or "Exception",
                            "message": message,
                        },
                    }
                },
            ),
        ):
            self.out._emit(
                {
                    kind: {
                        "testCaseStartedId": started_id,
                        "testStepId": step_id,
                        **extra,
                        "timestamp": _timestamp(at),
                    }
                }
            )


def _pattern(match: Any) -> str:
    """The phrase a step definition was registered with, as best behave tells it."""
    func = getattr(match, "func", None)
    # Looked up on the module: behave replaces its registry when it resets the runtime.
    for matchers in step_registry.registry.steps.values():
        for matcher in matchers:
            if getattr(matcher, "func", None) is func:
                return str(getattr(matcher, "pattern", None) or getattr(matcher, "string", ""))
    return getattr(func, "__name__", "step")
