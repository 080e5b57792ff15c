"""The runner's pure parts: shards from flags and CI variables, splits, durations, counts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from asgibdd.errors import UsageError
from asgibdd.parallel.durations import FORMAT, read_durations, write_durations
from asgibdd.parallel.listing import ListedScenario
from asgibdd.parallel.shard import Shard, parse_shard, shard_from_environment
from asgibdd.parallel.split import Part, split, split_in_order
from asgibdd.parallel.summary import feature_status


def scenario(
    line: int, feature: str = "features/a.feature", tags: tuple[str, ...] = ()
) -> ListedScenario:
    return ListedScenario(
        location=f"{feature}:{line}",
        feature=feature,
        feature_name="A",
        name=f"s{line}",
        tags=tags,
        steps=2,
        selected=True,
    )


def test_a_shard_is_index_of_total() -> None:
    assert parse_shard("2/4") == Shard(2, 4)
    assert str(parse_shard(" 4 / 4 ")) == "4/4"


@pytest.mark.parametrize(
    ("given", "message"),
    [
        (
            "5/4",
            "--shard 5/4 is not a shard: expected 1 <= INDEX <= TOTAL (1/4 to 4/4). "
            "Shards count from 1.",
        ),
        (
            "0/4",
            "--shard 0/4 is not a shard: expected 1 <= INDEX <= TOTAL (1/4 to 4/4). "
            "Shards count from 1.",
        ),
        (
            "1/0",
            "--shard 1/0 is not a shard: expected 1 <= INDEX <= TOTAL (1/1 to 1/1). "
            "Shards count from 1.",
        ),
        ("two", "--shard expects INDEX/TOTAL such as 1/4, got 'two'. Shards count from 1."),
    ],
)
def test_a_wrong_shard_says_what_is_expected(given: str, message: str) -> None:
    with pytest.raises(UsageError) as raised:
        parse_shard(given)
    assert str(raised.value) == message


def test_gitlab_counts_from_one_and_circleci_from_zero() -> None:
    assert shard_from_environment({"CI_NODE_INDEX": "1", "CI_NODE_TOTAL": "3"}) == Shard(
        1, 3, "CI_NODE_INDEX=1, CI_NODE_TOTAL=3"
    )
    assert shard_from_environment({"CIRCLE_NODE_INDEX": "0", "CIRCLE_NODE_TOTAL": "3"}) == Shard(
        1, 3, "CIRCLE_NODE_INDEX=0, CIRCLE_NODE_TOTAL=3"
    )
    assert shard_from_environment({}) is None
    assert shard_from_environment({"CI_NODE_TOTAL": "1"}) is None  # GitLab, no `parallel:`


def test_a_half_set_ci_variable_is_an_error() -> None:
    with pytest.raises(UsageError, match="both must be set to whole numbers"):
        shard_from_environment({"CI_NODE_INDEX": "2"})
    with pytest.raises(UsageError) as raised:
        shard_from_environment({"CIRCLE_NODE_INDEX": "3", "CIRCLE_NODE_TOTAL": "3"})
    assert str(raised.value) == (
        "CIRCLE_NODE_INDEX=3, CIRCLE_NODE_TOTAL=3 from the environment is not a shard: "
        "CIRCLE_NODE_INDEX counts from 0, so it must be 0 to 2 of 3. Unset them or pass "
        "--shard INDEX/TOTAL."
    )


def test_without_durations_the_split_is_by_counts_and_keeps_file_order() -> None:
    scenarios = [scenario(line) for line in range(1, 8)]
    parts = split(scenarios, 3, {})
    assert [len(part.scenarios) for part in parts] == [3, 2, 2]
    for part in parts:
        assert part.scenarios == sorted(part.scenarios, key=lambda s: scenarios.index(s))
    assert sorted(s.location for p in parts for s in p.scenarios) == sorted(
        s.location for s in scenarios
    )


def test_the_split_is_deterministic() -> None:
    scenarios = [scenario(line) for line in range(1, 40)]
    durations = {s.key: (s.steps * 7 + int(s.location.split(":")[1]) % 5) / 10 for s in scenarios}
    first = split(scenarios, 4, durations)
    assert all(split(scenarios, 4, durations)[i] == first[i] for i in range(4))


def test_durations_balance_uneven_scenarios() -> None:
    scenarios = [scenario(line) for line in range(1, 41)]
    # Every fifth scenario is 20 times slower: counts alone would give one shard most of them.
    durations = {s.key: 2.0 if i % 5 == 0 else 0.1 for i, s in enumerate(scenarios)}
    loads = [part.expected for part in split(scenarios, 4, durations)]
    mean = sum(loads) / len(loads)
    assert max(loads) <= 1.15 * mean, loads


def test_unknown_scenarios_weigh_the_median_of_known_ones() -> None:
    scenarios = [scenario(line) for line in range(1, 5)]
    parts = split(scenarios, 2, {scenarios[0].key: 3.0, scenarios[1].key: 1.0})
    # The two unknown ones weigh 2.0 each (the median of 3.0 and 1.0): 3+1 against 2+2.
    assert sorted(part.expected for part in parts) == [4.0, 4.0]


def test_serial_scenarios_stay_together() -> None:
    serial = [scenario(line, "features/db.feature", ("serial",)) for line in (3, 9, 15)]
    others = [scenario(line) for line in range(1, 10)]
    for parts in (split([*others, *serial], 4, {}), split([*serial, *others], 2, {})):
        holding = [part for part in parts if any(s in serial for s in part.scenarios)]
        assert len(holding) == 1
        assert [s for s in holding[0].scenarios if s in serial] == serial


def test_durations_file_round_trip_and_update(tmp_path: Path) -> None:
    path = tmp_path / ".asgibdd" / "durations.json"
    assert read_durations(path) == {}
    write_durations(path, {"f::a": 0.5, "f::b": 1.25})
    write_durations(path, {"f::a": 0.75})
    assert read_durations(path) == {"f::a": 0.75, "f::b": 1.25}
    data = json.loads(path.read_text())
    assert data == {"format": FORMAT, "scenarios": {"f::a": 0.75, "f::b": 1.25}}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            '{"test_a": 1.0}',
            "{path} is not an asgibdd durations file (format None, expected "
            "'asgibdd-durations/1').",
        ),
        (
            '{"format": "asgibdd-durations/1", "scenarios": [1.0, 2.0]}',
            '{path}: "scenarios" holds a JSON list, expected an object of seconds by scenario.',
        ),
    ],
)
def test_a_foreign_durations_file_is_refused_with_the_fix(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "durations.json"
    path.write_text(content)
    with pytest.raises(UsageError) as raised:
        read_durations(path)
    assert str(raised.value) == (
        f"{message.format(path=path)} Delete it or pass another file with --durations; the "
        "next run writes one."
    )


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        (["passed", "skipped"], "passed"),
        (["skipped", "skipped"], "skipped"),
        (["passed", "failed", "error"], "failed"),
        (["error", "failed"], "error"),
        (["untested"], "untested"),
        (["passed", "untested"], "failed"),
        # Split over workers, a scenario left untested by a dead worker may come first.
        (["untested", "passed", "failed"], "failed"),
        (["untested", "error"], "error"),
        (["untested", "passed"], "failed"),
    ],
)
def test_a_feature_split_over_workers_gets_behaves_status(
    statuses: list[str], expected: str
) -> None:
    assert feature_status(statuses) == expected


def test_workers_get_consecutive_runs_of_about_equal_time() -> None:
    scenarios = [scenario(line, f"features/f{line // 10}.feature") for line in range(1, 41)]
    # Every fifth scenario is 20 times slower.
    durations = {s.key: 2.0 if i % 5 == 0 else 0.1 for i, s in enumerate(scenarios)}
    parts = split_in_order(scenarios, 4, durations)
    assert [s for part in parts for s in part.scenarios] == scenarios  # in order, each once
    loads = [part.expected for part in parts]
    assert max(loads) - min(loads) <= 2.0, loads  # within one scenario's time
    assert sum(loads) == pytest.approx(sum(durations.values()))
    by_counts = split_in_order(scenarios[:7], 3, {})
    assert [len(part.scenarios) for part in by_counts] == [2, 3, 2]


def test_workers_get_the_serial_scenarios_together_and_no_more_parts_than_asked() -> None:
    serial = [scenario(line, "features/db.feature", ("serial",)) for line in (3, 9, 15)]
    others = [scenario(line) for line in range(1, 10)]
    for parts in (
        split_in_order([*others, *serial], 4, {}),
        split_in_order([*serial, *others], 2, {}),
    ):
        holding = [part for part in parts if any(s in serial for s in part.scenarios)]
        assert len(holding) == 1
        assert [s for s in holding[0].scenarios if s in serial] == serial
    assert [len(p.scenarios) for p in split_in_order(others[:1], 3, {})] == [1, 0, 0]
    assert split_in_order([], 2, {}) == [Part([], 0.0), Part([], 0.0)]
