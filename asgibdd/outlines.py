"""Scenario Outline rows named by their example values, not by their index.

behave names the scenario of each example row `Create several items -- @1.2` (its
`scenario_outline_annotation_schema`, "{name} -- @{row.id} {examples.name}"), which says
nothing until one opens the feature file. asgibdd names it by the row's values instead:

    Create several items -- name=pen, price=3
    Create several items -- name=pen, price=3 (cheap items)     (a named Examples block)

- Values the outline's own name already shows (`Create <name>`) are not repeated.
- A column whose name is secret (`password`, the project's `secret_names`) shows `***`.
- Long values are cut; rows that would share a name keep behave's `@1.2` to tell them apart.
- A project that sets `scenario_outline_annotation_schema` itself (in behave's
  configuration) keeps behave's names: its choice wins.

The names are given when a feature starts (`before_feature`), before behave selects
scenarios by `--name` or reports them, so the console, every report and `--name` agree.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from asgibdd.secrets import MASK, SecretPolicy

__all__ = [
    "BEHAVE_SCHEMA",
    "SCHEMA_SETTING",
    "name_outline_rows",
    "row_name",
    "schema_chosen_by_project",
]

SCHEMA_SETTING = "scenario_outline_annotation_schema"
"""behave's setting for the names of outline rows."""

BEHAVE_SCHEMA = "{name} -- @{row.id} {examples.name}"
"""behave's own default for `SCHEMA_SETTING`."""

VALUE_LIMIT = 40
"""Characters of one value a row's name shows before cutting it."""


def schema_chosen_by_project(config: Any) -> bool:
    """Whether behave's `config` has an outline row name schema the project chose: one
    other than behave's default, or any value written in a behave configuration file."""
    value = getattr(config, SCHEMA_SETTING, None)
    if value and str(value).strip() != BEHAVE_SCHEMA:
        return True
    from behave.configuration import config_filenames, read_configuration

    return any(SCHEMA_SETTING in read_configuration(name) for name in config_filenames())


def name_outline_rows(features: Iterable[Any], policy: SecretPolicy) -> None:
    """Name the scenario of every example row of every outline in `features` (behave's
    features or rules) by its values."""
    from behave.model import ScenarioOutline

    for feature in features:
        for outline in feature.walk_scenarios(with_outlines=True):
            if isinstance(outline, ScenarioOutline):
                _name_rows(outline, policy)


def _name_rows(outline: Any, policy: SecretPolicy) -> None:
    scenarios = [scenario for scenario in outline.scenarios if _row(scenario) is not None]
    names = [row_name(outline, scenario, policy) for scenario in scenarios]
    repeated = Counter(names)
    for scenario, name in zip(scenarios, names, strict=True):
        scenario.name = f"{name} @{_row(scenario).id}" if repeated[name] > 1 else name


def _row(scenario: Any) -> Any:
    return getattr(scenario, "_row", None)


def row_name(outline: Any, scenario: Any, policy: SecretPolicy) -> str:
    """The name of the scenario of one example row of `outline`."""
    from behave.model import ScenarioOutlineBuilder

    row = _row(scenario)
    pairs = dict(zip(row.headings, row.cells, strict=False))
    render = ScenarioOutlineBuilder.render_template
    values = {name: MASK if policy.is_secret_name(name) else value for name, value in pairs.items()}
    title = render(outline.name, values)
    shown = ", ".join(
        f"{name}={_cut(value)}" for name, value in values.items() if f"<{name}>" not in outline.name
    )
    examples = _examples_name(outline, row, values)
    parts = [title, f"-- {shown}" if shown else "", f"({examples})" if examples else ""]
    return " ".join(part for part in parts if part)


def _examples_name(outline: Any, row: Any, values: dict[str, str]) -> str:
    from behave.model import ScenarioOutlineBuilder

    number = str(getattr(row, "id", "")).partition(".")[0]
    index = int(number) - 1 if number.isdigit() else -1
    if not 0 <= index < len(outline.examples):
        return ""
    name = outline.examples[index].name or ""
    return str(ScenarioOutlineBuilder.render_template(name, values)).strip()


def _cut(value: str) -> str:
    return value if len(value) <= VALUE_LIMIT else value[: VALUE_LIMIT - 1] + "…"
