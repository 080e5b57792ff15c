"""Several Cucumber JSON reports (parallel workers, CI shards) as one.

Each input is what `-f cucumber -o FILE` wrote: a JSON array of features. The merged
report has each feature file once (by `uri`, in path order) and each scenario of it once,
in line order, with the background element that ran before it. A scenario found in
several inputs is taken from the one where it ran: a shard or worker lists the
scenarios it was not given as skipped, and those copies are dropped.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from asgibdd.errors import UsageError
from asgibdd.report.cucumber import STATUS, element_id
from asgibdd.report.inputs import read_input

__all__ = ["Unfinished", "cucumber_counts", "merge_cucumber", "read_cucumber", "with_unfinished"]

Json = dict[str, Any]

_WRITE_ONE = "give the files `behave -f cucumber -o FILE` wrote"


def read_cucumber(path: Path) -> list[Json]:
    """The features of a Cucumber JSON file; `UsageError` saying what it is instead."""
    text = read_input(path, "a Cucumber JSON file", _WRITE_ONE)
    if text.lstrip().startswith('{"meta"'):
        raise UsageError(
            f"{path} is Cucumber Messages (NDJSON), not Cucumber JSON: merge such files "
            f"with --messages FILE, or {_WRITE_ONE}."
        )
    try:
        data = json.loads(text)
    except ValueError as error:
        raise UsageError(
            f"{path} is not Cucumber JSON: it is not valid JSON ({error}), where a JSON "
            f"array of features was expected; {_WRITE_ONE}."
        ) from None
    if isinstance(data, dict) and str(data.get("format", "")).startswith("asgibdd-results"):
        raise UsageError(
            f"{path} is an asgibdd results file, not Cucumber JSON; merge results files "
            f"with --html/--junit/--results, or {_WRITE_ONE}."
        )
    if not isinstance(data, list):
        raise UsageError(
            f"{path} is not Cucumber JSON: expected a JSON array of features, got a JSON "
            f"{_json_type(data)}; {_WRITE_ONE}."
        )
    for index, feature in enumerate(data):
        problem = _feature_problem(feature)
        if problem:
            raise UsageError(f"{path} is not Cucumber JSON: feature {index} {problem}.")
    return data


def _json_type(value: Any) -> str:
    names = {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}
    return names.get(type(value), "number")


def _feature_problem(feature: Any) -> str | None:
    if not isinstance(feature, dict):
        return f"is a JSON {_json_type(feature)}, not an object; {_WRITE_ONE}"
    if "uri" not in feature and "location" in feature and "elements" in feature:
        return (
            "has behave's own JSON shape (-f json: a location, no uri); write Cucumber "
            "JSON with `behave -f cucumber -o FILE`"
        )
    for key, kind in (("uri", str), ("elements", list)):
        if not isinstance(feature.get(key), kind):
            expected = "a string" if kind is str else "an array"
            return f'has no "{key}" ({expected}); {_WRITE_ONE}'
    for element in feature["elements"]:
        if not isinstance(element, dict) or not isinstance(element.get("steps", []), list):
            return f"has an element that is not an object with steps; {_WRITE_ONE}"
    return None


def _ran(unit: Sequence[Json]) -> bool:
    """Whether the scenario (with its background) ran: a step or hook did not skip."""
    for element in unit:
        for part in ("before", "steps", "after"):
            for step in element.get(part, []) or []:
                if (step.get("result") or {}).get("status", "skipped") != "skipped":
                    return True
    return False


def merge_cucumber(documents: Sequence[Sequence[Json]]) -> list[Json]:
    """The features of `documents` merged: each file once, each scenario once."""
    features: dict[str, Json] = {}
    units: dict[str, dict[tuple[int, str], list[Json]]] = {}
    for document in documents:
        for feature in document:
            uri = str(feature["uri"])
            features.setdefault(uri, feature)
            known = units.setdefault(uri, {})
            background: list[Json] = []
            for element in feature["elements"]:
                if element.get("type") == "background":
                    background = [element]
                    continue
                key = (int(element.get("line", 0) or 0), str(element.get("id", "")))
                unit = [*background, element]
                background = []
                if key not in known or (_ran(unit) and not _ran(known[key])):
                    known[key] = unit
    return [
        {
            **features[uri],
            "elements": [element for key in sorted(units[uri]) for element in units[uri][key]],
        }
        for uri in sorted(features)
    ]


@dataclass(frozen=True)
class Unfinished:
    """A scheduled scenario whose own Cucumber JSON was lost (its worker died, or a signal
    ended the run first), as the parallel runner saw it end."""

    uri: str
    feature_name: str
    name: str
    line: int
    tags: tuple[str, ...]
    #: behave's status (`error`, `untested`, ...) and what the runner said of it.
    status: str
    duration: float
    message: str


def with_unfinished(features: Sequence[Json], unfinished: Sequence[Unfinished]) -> list[Json]:
    """`features` with each of `unfinished` that no element shows as run: a scenario (its
    feature too, if missing) whose one result is a `before` hook of the runner's, saying
    what happened. A skipped copy of it (another worker listed it) is replaced."""
    merged = [{**feature, "elements": list(feature["elements"])} for feature in features]
    by_uri = {str(feature["uri"]): feature for feature in merged}
    for scenario in unfinished:
        feature = by_uri.get(scenario.uri)
        if feature is None:
            feature = by_uri[scenario.uri] = {
                "uri": scenario.uri,
                "id": element_id(scenario.feature_name),
                "keyword": "Feature",
                "name": scenario.feature_name,
                "description": "",
                "line": 1,
                "tags": [],
                "elements": [],
            }
            merged.append(feature)
        elements: list[Json] = feature["elements"]
        found = _unit_at(elements, scenario.line)
        if found is not None and (
            scenario.status == "skipped" or _ran(elements[found[0] : found[1]])
        ):
            continue  # reported as it ran, or left out (by --tags) as a serial run shows it
        result: Json = {
            "status": STATUS.get(scenario.status, "failed"),
            "duration": round(scenario.duration * 1e9),
        }
        if scenario.status != "passed" and scenario.message:
            result["error_message"] = scenario.message
        replacement: Json = {
            "id": f"{feature['id']};{element_id(scenario.name)}",
            "keyword": "Scenario",
            "type": "scenario",
            "name": scenario.name,
            "description": "",
            "line": scenario.line,
            "tags": [
                {"name": f"@{tag}", "line": max(scenario.line - 1, 1)} for tag in scenario.tags
            ],
            "before": [{"match": {}, "result": result}],  # the runner: no file of its own
            "steps": [],
        }
        if found is not None:  # the skipped copy of another worker's list: its names stay
            copy = elements[found[1] - 1]
            kept = ("id", "keyword", "name", "description", "tags")
            elements[found[1] - 1] = {**replacement, **{k: copy[k] for k in kept if k in copy}}
            continue
        at = next(
            (i for i, e in enumerate(elements) if int(e.get("line", 0) or 0) > scenario.line),
            len(elements),
        )
        while at > 0 and elements[at - 1].get("type") == "background":
            at -= 1  # a background goes with the scenario after it
        elements.insert(at, replacement)
    return sorted(merged, key=lambda feature: str(feature["uri"]))


def _unit_at(elements: Sequence[Json], line: int) -> tuple[int, int] | None:
    """Where the scenario written at `line` is in `elements`, with its background."""
    for index, element in enumerate(elements):
        if element.get("type") != "background" and int(element.get("line", 0) or 0) == line:
            start = (
                index - 1 if index and elements[index - 1].get("type") == "background" else index
            )
            return start, index + 1
    return None


def cucumber_counts(features: Sequence[Json]) -> dict[str, int]:
    """Scenarios by status: the first of failed, undefined, pending, passed that one of
    its steps or hooks has, else skipped."""
    counts: dict[str, int] = {}
    for feature in features:
        background: list[Json] = []
        for element in feature["elements"]:
            if element.get("type") == "background":
                background = [element]
                continue
            statuses = {
                str((step.get("result") or {}).get("status", "skipped"))
                for part in [*background, element]
                for key in ("before", "steps", "after")
                for step in part.get(key, []) or []
            }
            background = []
            status = next(
                (s for s in ("failed", "undefined", "pending", "ambiguous") if s in statuses),
                "passed" if "passed" in statuses else "skipped",
            )
            counts[status] = counts.get(status, 0) + 1
    return counts
