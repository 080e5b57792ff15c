"""Several Cucumber Messages streams (parallel workers, CI shards) as one stream.

Each input is what `-f messages -o FILE` wrote: NDJSON, one envelope a line. Ids are
unique within a stream only, so each stream's ids get a prefix of their own (`2.` for the
third input). The merged stream has one `meta`, one `testRunStarted` (the earliest) and
one `testRunFinished` (the latest; a success when every input's run was), each feature
file's source and Gherkin document once, and each scenario (pickle) once with its test
case and execution: from the input where it ran, a worker or shard listing the scenarios
it was not given as skipped. A pickle taken from another input than its feature's
document points at that document's nodes, found by their place in the file. A test case
started more than once (retried) keeps every attempt, the earlier ones finished with
`willBeRetried`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from asgibdd.errors import UsageError
from asgibdd.report.inputs import read_input

__all__ = ["merge_messages", "messages_counts", "read_messages"]

Envelope = dict[str, Any]

_WRITE_ONE = "give the files `behave -f messages -o FILE` wrote"
_RUN = "run"
# Envelopes of a test case's execution, by the field naming the test case started.
_EXECUTION = ("testStepStarted", "testStepFinished", "attachment", "testCaseFinished")


def read_messages(path: Path) -> list[Envelope]:
    """The envelopes of an NDJSON messages file; `UsageError` naming the first bad line."""
    text = read_input(path, "a Cucumber Messages file", _WRITE_ONE)
    envelopes: list[Envelope] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        if number == 1 and line.strip() == "[":
            raise UsageError(
                f"{path} is a JSON array (Cucumber JSON?), not Cucumber Messages (NDJSON, "
                f"one envelope a line): merge Cucumber JSON with --cucumber FILE, or "
                f"{_WRITE_ONE}."
            )
        try:
            envelope = json.loads(line)
        except ValueError:
            raise UsageError(
                f"{path} is not Cucumber Messages: line {number} is not one JSON object "
                f"(got {line[:40]!r}), where NDJSON, one envelope a line, was expected; "
                f"{_WRITE_ONE}."
            ) from None
        if not isinstance(envelope, dict) or len(envelope) != 1:
            raise UsageError(
                f"{path} is not Cucumber Messages: line {number} is not an envelope (an "
                f"object with one message in it); {_WRITE_ONE}."
            )
        envelopes.append(envelope)
    if not envelopes or "meta" not in envelopes[0]:
        raise UsageError(
            f"{path} is not Cucumber Messages: it does not start with a meta message; {_WRITE_ONE}."
        )
    return envelopes


def _prefixed(value: Any, prefix: str, key: str = "") -> Any:
    """`value` with every id in it (`id`, `...Id`, `...Ids`) given `prefix`."""
    if isinstance(value, dict):
        return {name: _prefixed(item, prefix, name) for name, item in value.items()}
    if isinstance(value, list):
        if key.endswith("Ids"):
            return [f"{prefix}{item}" for item in value]
        return [_prefixed(item, prefix) for item in value]
    if isinstance(value, str) and (key == "id" or key.endswith("Id")):
        return f"{prefix}{value}"
    return value


def _nodes(value: Any) -> Iterator[dict[str, Any]]:
    """Every node of a Gherkin document that has an id and a location."""
    if isinstance(value, dict):
        if "id" in value and isinstance(value.get("location"), dict):
            yield value
        for item in value.values():
            yield from _nodes(item)
    elif isinstance(value, list):
        for item in value:
            yield from _nodes(item)


def _place(node: dict[str, Any]) -> tuple[int, int, str]:
    location = node["location"]
    return (int(location.get("line", 0)), int(location.get("column", 0)), str(node.get("name", "")))


@dataclass
class _Stream:
    """One input, its ids prefixed, indexed by what the merge asks of it."""

    envelopes: list[Envelope]
    documents: dict[str, Envelope] = field(default_factory=dict)
    sources: dict[str, Envelope] = field(default_factory=dict)
    pickles: dict[str, Envelope] = field(default_factory=dict)
    cases: dict[str, Envelope] = field(default_factory=dict)
    started: dict[str, Envelope] = field(default_factory=dict)
    execution: dict[str, list[Envelope]] = field(default_factory=dict)
    #: A test case's attempts before its last (it was retried in this run), as written.
    retried: dict[str, list[Envelope]] = field(default_factory=dict)

    @classmethod
    def of(cls, envelopes: Sequence[Envelope], prefix: str) -> _Stream:
        stream = cls([_prefixed(envelope, prefix) for envelope in envelopes])
        case_of_started: dict[str, str] = {}
        for envelope in stream.envelopes:
            kind, message = next(iter(envelope.items()))
            if kind == "gherkinDocument":
                stream.documents.setdefault(message["uri"], message)
            elif kind == "source":
                stream.sources.setdefault(message["uri"], envelope)
            elif kind == "pickle":
                stream.pickles[message["id"]] = message
            elif kind == "testCase":
                stream.cases[message["pickleId"]] = envelope
            elif kind == "testCaseStarted":
                case = message["testCaseId"]
                case_of_started[message["id"]] = case
                if case in stream.started:  # a retry: the attempt before is an earlier one
                    earlier = [stream.started[case], *stream.execution.pop(case, [])]
                    stream.retried.setdefault(case, []).extend(earlier)
                stream.started[case] = envelope
            elif kind in _EXECUTION:
                case = case_of_started.get(message.get("testCaseStartedId", ""))
                if case is not None:
                    stream.execution.setdefault(case, []).append(envelope)
        for case in list(stream.started):
            # An attempt its worker never finished (it died): as if it had not started.
            if not any("testCaseFinished" in e for e in stream.execution.get(case, [])):
                del stream.started[case]
                stream.execution.pop(case, None)
        return stream

    def ran(self, pickle_id: str) -> bool:
        case = self.cases.get(pickle_id)
        if case is None:
            return False
        return any(
            envelope["testStepFinished"]["testStepResult"].get("status") != "SKIPPED"
            for envelope in self.execution.get(case["testCase"]["id"], [])
            if "testStepFinished" in envelope
        )

    def of_kind(self, kind: str) -> list[Envelope]:
        return [envelope for envelope in self.envelopes if kind in envelope]


def merge_messages(
    streams: Sequence[Sequence[Envelope]],
    owner: Callable[[int, str, int], bool] | None = None,
    success: bool | None = None,
) -> list[Envelope]:
    """The envelopes of `streams` merged into one stream (see the module's docstring).

    `owner(i, uri, line)` (the parallel runner's) says whether stream i holds the last
    attempt of the scenario at `uri:line`; another stream where it ran too holds an
    earlier attempt (streams in the order they ran), which goes into the merged stream
    as Cucumber has a retry: the same test case started again (`attempt` 0, 1, ...), the
    earlier ones finished with `willBeRetried`. `success` replaces the inputs' verdict."""
    parsed = [_Stream.of(envelopes, f"{index}.") for index, envelopes in enumerate(streams)]
    chosen: dict[tuple[str, int], tuple[_Stream, Envelope]] = {}
    earlier: dict[tuple[str, int], list[tuple[_Stream, Envelope]]] = {}
    for index, stream in enumerate(parsed):
        for pickle in stream.pickles.values():
            key = (pickle["uri"], int(pickle["location"]["line"]))
            known = chosen.get(key)
            if owner is not None and stream.ran(pickle["id"]) and not owner(index, *key):
                earlier.setdefault(key, []).append((stream, pickle))
            if owner is not None:
                if known is None or owner(index, *key):
                    chosen[key] = (stream, pickle)
            elif known is None or (stream.ran(pickle["id"]) and not known[0].ran(known[1]["id"])):
                chosen[key] = (stream, pickle)
    homes: dict[str, _Stream] = {}
    for stream in parsed:
        for uri in stream.documents:
            homes.setdefault(uri, stream)
    merged: list[Envelope] = [parsed[0].of_kind("meta")[0]]
    starts = [
        envelope["testRunStarted"] for s in parsed for envelope in s.of_kind("testRunStarted")
    ]
    if starts:
        first = min(starts, key=lambda start: _seconds(start["timestamp"]))
        merged.append({"testRunStarted": {**first, "id": _RUN}})
    for uri in sorted(homes):
        home = homes[uri]
        if uri in home.sources:
            merged.append(home.sources[uri])
        merged.append({"gherkinDocument": home.documents[uri]})
    picked = [chosen[key] for key in sorted(chosen)]
    for stream, pickle in picked:
        merged.append({"pickle": _pointed_at(pickle, stream, homes.get(pickle["uri"]))})
    known_kinds = {"meta", "testRunStarted", "testRunFinished", "source", "gherkinDocument"}
    known_kinds |= {"pickle", "testCase", "testCaseStarted", *_EXECUTION}
    # Step definitions and hooks every worker found: each once, the others' ids mapped
    # to the one kept.
    kept: dict[str, str] = {}
    same: dict[str, str] = {}
    for stream in parsed:
        for envelope in stream.envelopes:
            if known_kinds & envelope.keys():
                continue
            kind, message = next(iter(envelope.items()))
            if kind in ("stepDefinition", "hook") and isinstance(message, dict):
                same_as = kind + json.dumps({k: v for k, v in message.items() if k != "id"})
                if same_as in kept:
                    same[message["id"]] = kept[same_as]
                    continue
                kept[same_as] = message["id"]
            merged.append(envelope)
    for stream, pickle in picked:
        case = stream.cases.get(pickle["id"])
        if case is None:
            continue
        merged.append({"testCase": _with_definitions(case["testCase"], same)})
        key = (pickle["uri"], int(pickle["location"]["line"]))
        tries = [*earlier.get(key, []), (stream, pickle)]
        for attempt, (ran_in, ran) in enumerate(tries):
            merged.extend(
                _attempt(ran_in, ran, case["testCase"], attempt, attempt < len(tries) - 1)
            )
    finishes = [e["testRunFinished"] for s in parsed for e in s.of_kind("testRunFinished")]
    if finishes:
        last = max(finishes, key=lambda finish: _seconds(finish["timestamp"]))
        if success is None:
            success = all(finish.get("success", False) for finish in finishes)
        merged.append({"testRunFinished": {**last, "success": success, "testRunStartedId": _RUN}})
    elif starts:  # every input's run was cut short (its worker died): the run still ends
        stamps = [m["timestamp"] for e in merged for m in e.values() if "timestamp" in m]
        merged.append(
            {
                "testRunFinished": {
                    "testRunStartedId": _RUN,
                    "success": bool(success),
                    "timestamp": max(stamps, key=_seconds),
                }
            }
        )
    return merged


def _attempt(
    stream: _Stream, pickle: Envelope, case: Envelope, attempt: int, retried: bool
) -> list[Envelope]:
    """The execution of `pickle` in `stream` as attempt `attempt` of the merged test case
    `case` (its steps found by their place: the same pickle has the same steps)."""
    own = stream.cases.get(pickle["id"])
    if own is None:
        return []
    own_case = own["testCase"]
    started = stream.started.get(own_case["id"])
    if started is None:
        return []
    if own_case["id"] == case["id"] and attempt == 0 and not retried:
        own_tries = stream.retried.get(own_case["id"], [])
        return [*own_tries, started, *stream.execution.get(own_case["id"], [])]
    steps = dict(
        zip(
            (step["id"] for step in own_case.get("testSteps", [])),
            (step["id"] for step in case.get("testSteps", [])),
            strict=False,
        )
    )
    out: list[Envelope] = [
        {
            "testCaseStarted": {
                **started["testCaseStarted"],
                "testCaseId": case["id"],
                "attempt": attempt,
            }
        }
    ]
    for envelope in stream.execution.get(own_case["id"], []):
        kind, message = next(iter(envelope.items()))
        message = dict(message)
        if "testStepId" in message:
            message["testStepId"] = steps.get(message["testStepId"], message["testStepId"])
        if kind == "testCaseFinished":
            message["willBeRetried"] = retried
        out.append({kind: message})
    return out


def _with_definitions(case: Envelope, same: dict[str, str]) -> Envelope:
    """The test case of the merged run, its steps' definitions and hooks those kept."""
    steps = [
        {
            **step,
            **(
                {"stepDefinitionIds": [same.get(i, i) for i in step["stepDefinitionIds"]]}
                if "stepDefinitionIds" in step
                else {}
            ),
            **({"hookId": same.get(step["hookId"], step["hookId"])} if "hookId" in step else {}),
        }
        for step in case.get("testSteps", [])
    ]
    return {**case, "testSteps": steps, "testRunStartedId": _RUN}


def _seconds(timestamp: dict[str, Any]) -> float:
    return float(timestamp.get("seconds", 0)) + float(timestamp.get("nanos", 0)) / 1e9


def _pointed_at(pickle: Envelope, stream: _Stream, home: _Stream | None) -> Envelope:
    """`pickle` (from `stream`) with its Gherkin node ids those of `home`'s document."""
    if home is None or home is stream:
        return pickle
    uri = pickle["uri"]
    theirs = {node["id"]: _place(node) for node in _nodes(stream.documents.get(uri, {}))}
    ours = {_place(node): node["id"] for node in _nodes(home.documents[uri])}

    def moved(node_id: str) -> str:
        return str(ours.get(theirs.get(node_id, (-1, -1, "")), node_id))

    return {
        **pickle,
        "astNodeIds": [moved(node) for node in pickle.get("astNodeIds", [])],
        "steps": [
            {**step, "astNodeIds": [moved(node) for node in step.get("astNodeIds", [])]}
            for step in pickle.get("steps", [])
        ],
        "tags": [
            {**tag, "astNodeId": moved(tag["astNodeId"])} if "astNodeId" in tag else tag
            for tag in pickle.get("tags", [])
        ],
    }


def messages_counts(envelopes: Sequence[Envelope]) -> dict[str, int]:
    """Test cases by status (failed, undefined, pending, passed, else skipped; flaky: passed
    on a retry), lower case, by each one's last attempt."""
    stream = _Stream.of(envelopes, "")
    counts: dict[str, int] = {}
    for pickle_id in stream.pickles:
        case = stream.cases.get(pickle_id)
        statuses = {
            str(e["testStepFinished"]["testStepResult"].get("status", "SKIPPED")).lower()
            for e in (stream.execution.get(case["testCase"]["id"], []) if case else [])
            if "testStepFinished" in e
        }
        status = next(
            (s for s in ("failed", "undefined", "pending", "ambiguous") if s in statuses),
            "passed" if "passed" in statuses else "skipped",
        )
        if status == "passed" and case is not None and case["testCase"]["id"] in stream.retried:
            status = "flaky"  # passed on a retry
        counts[status] = counts.get(status, 0) + 1
    return counts
