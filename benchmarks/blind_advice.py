"""Measure the advice on the blind suite (`benchmarks/blind/steps.txt`), issue 23.

Every step of the suite is matched against the library as behave would (keyword removed).
A step no library phrase matches is *undefined*; its advice (what the run prints under it)
is *right* when it names the phrase that does the check, as listed in
`benchmarks/blind/expected.txt` (`step text => text the advice must contain`, written after
the suite, from the catalogue). A step that matches a phrase whose field refuses its value
(`is approximately 10 within 0.05` read as an expected value) counts as *refused*, with
the error it gives.

    .venv/bin/python benchmarks/blind_advice.py          # summary and one line per miss
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from asgibdd.steps import load_library
from asgibdd.steps.advice import undefined_step_hints

HERE = Path(__file__).parent / "blind"
_TYPES = {"Given": "given", "When": "when", "Then": "then"}


@dataclass(frozen=True)
class Outcome:
    keyword: str
    text: str
    defined: bool
    advice: str
    expected: str | None

    @property
    def advice_right(self) -> bool:
        return self.expected is not None and self.expected.casefold() in self.advice.casefold()


def read_steps() -> list[tuple[str, str | None, str]]:
    """(keyword, step type, text) for every step line of the suite."""
    steps: list[tuple[str, str | None, str]] = []
    step_type: str | None = None
    for line in (HERE / "steps.txt").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        keyword, text = line.split(" ", 1)
        step_type = _TYPES.get(keyword, step_type)
        steps.append((keyword, step_type, text))
    return steps


def read_expected() -> dict[str, str]:
    expected: dict[str, str] = {}
    for line in (HERE / "expected.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            step, _, wanted = line.partition(" => ")
            expected[step.strip()] = wanted.strip()
    return expected


def measure() -> list[Outcome]:
    library = list(load_library())
    expected = read_expected()
    outcomes: list[Outcome] = []
    for keyword, step_type, text in read_steps():
        defined = any(d.matches(text) for d in library)
        advice = "" if defined else "\n".join(
            undefined_step_hints(keyword, step_type, text, library)
        )
        outcomes.append(Outcome(keyword, text, defined, advice, expected.get(text)))
    return outcomes


def main() -> int:
    outcomes = measure()
    undefined = [o for o in outcomes if not o.defined]
    right = [o for o in undefined if o.advice_right]
    for outcome in undefined:
        mark = "right" if outcome.advice_right else "WRONG"
        print(f"[{mark}] {outcome.keyword} {outcome.text}\n{outcome.advice}")
    share = 100 * len(undefined) / len(outcomes)
    right_share = 100 * len(right) / len(undefined) if undefined else 100.0
    print(
        f"{len(outcomes)} steps, {len(undefined)} undefined ({share:.1f}%), advice right "
        f"for {len(right)} of {len(undefined)} ({right_share:.0f}%)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
