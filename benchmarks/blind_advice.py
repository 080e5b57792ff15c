"""Measure the advice on the blind suite (`benchmarks/blind/steps.txt`), issue 23.

Every step of the suite is matched against the library as behave would (keyword removed).
A step no library phrase matches but that means one exactly (`should be` for `is`) *runs
as* that phrase (`advice.accepted_alternative`). Any other step no library phrase matches
is *undefined*; its advice (what the run prints under it)
is *right* when it names the phrase that does the check, as listed in
`benchmarks/blind/expected.txt` (`step text => text the advice must contain`, written after
the suite, from the catalogue). A step that matches a phrase whose field refuses its value
(`is approximately 10 within 0.05` read as an expected value) counts as *refused*, with
the error it gives.

    .venv/bin/python benchmarks/blind_advice.py          # summary and one line per miss
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

from asgibdd.errors import UsageError
from asgibdd.matching.compare import compare_equal
from asgibdd.matching.literal import parse_literal
from asgibdd.steps import load_library
from asgibdd.steps.advice import accepted_alternative, near_miss_hint, undefined_step_hints
from asgibdd.steps.registry import StepDefinition

HERE = Path(__file__).parent / "blind"
_TYPES = {"Given": "given", "When": "when", "Then": "then"}


@dataclass(frozen=True)
class Outcome:
    keyword: str
    text: str
    defined: bool
    refused: str | None
    runs_as: str | None
    advice: str
    expected: str | None

    @property
    def undefined(self) -> bool:
        return not self.defined and self.runs_as is None

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
        definition = next((d for d in library if d.matches(text)), None)
        refused = None if definition is None else _refusal(definition, text)
        runs_as = None if definition else accepted_alternative(text, step_type, library)
        if definition is None:
            advice = "\n".join(undefined_step_hints(keyword, step_type, text, library))
        elif refused is not None:
            advice = near_miss_hint(text, library) or refused
        else:
            advice = ""
        outcome = Outcome(
            keyword, text, definition is not None, refused, runs_as, advice, expected.get(text)
        )
        outcomes.append(outcome)
    return outcomes


def _refusal(definition: StepDefinition, text: str) -> str | None:
    """What the step says when its expected value is refused before anything is sent (a bare
    word, a marker that does not exist), as far as that can be told without running it."""
    literal_fields = set(re.findall(r"\{(\w+):(?:Expected|Literal)\}", definition.phrase))
    arguments = definition.matcher.check_match(text) or []
    for argument in arguments:
        if argument.name not in literal_fields or "{{" in str(argument.value):
            continue
        try:
            compare_equal(parse_literal(argument.value), None)
        except UsageError as error:
            return str(error)
    return None


def main() -> int:
    outcomes = measure()
    print(summary(outcomes, verbose=True))
    return 0


def summary(outcomes: list[Outcome], *, verbose: bool = False) -> str:
    """The figures (and, `verbose`, a line per step that is not a library phrase)."""
    lines: list[str] = []
    for outcome in outcomes:
        if not verbose or (outcome.defined and outcome.refused is None):
            continue
        if outcome.refused is not None:
            mark = "right" if outcome.advice_right else "WRONG"
            lines.append(f"[refused; advice {mark}] {outcome.keyword} {outcome.text}")
            lines.append(f"  {outcome.advice}")
            continue
        mark = "right" if outcome.advice_right else "WRONG"
        state = f"runs as `{outcome.runs_as}`" if outcome.runs_as else "undefined"
        lines.append(f"[{state}; advice {mark}] {outcome.keyword} {outcome.text}")
        lines.append(outcome.advice)
    not_phrases = [o for o in outcomes if not o.defined]
    undefined = [o for o in outcomes if o.undefined]
    refused = [o for o in outcomes if o.refused is not None]
    right = [o for o in not_phrases if o.advice_right]
    lines.append(
        f"{len(outcomes)} steps: {len(outcomes) - len(not_phrases)} library phrases, "
        f"{len(not_phrases) - len(undefined)} run as the phrase they mean, "
        f"{len(undefined)} undefined ({100 * len(undefined) / len(outcomes):.1f}%); "
        f"advice names the right phrase for {len(right)} of the {len(not_phrases)} that are "
        f"no library phrase ({100 * len(right) / max(len(not_phrases), 1):.0f}%); "
        f"{len(refused)} refused before running, with advice right for "
        f"{sum(o.advice_right for o in refused)}"
    )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
