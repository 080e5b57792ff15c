"""Extra sections in the HTML report, from code that runs in the same behave run.

Another part of a project (API coverage, say) registers a provider, usually from
`before_all` in environment.py; the report calls every provider when behave closes the
formatters (after `after_all`) and shows what they return under its summary. A behave
run with asgibdd's hooks forgets every provider once its reports are written (register
again in each run, as `before_all` does):

```python
from asgibdd.report import Section, register_report_section

def coverage_section() -> Section | None:
    return Section(title="API coverage", summary="12 of 14 operations called",
                   columns=["operation", "calls"], rows=[["GET /items", "3"]],
                   status="failed")

register_report_section(coverage_section)
```
"""

from __future__ import annotations

from collections.abc import Callable

from asgibdd.report.model import Run, Section

__all__ = [
    "Amendment",
    "SectionProvider",
    "amend_run",
    "clear_report_sections",
    "collect_sections",
    "has_report_amendments",
    "register_report_amendment",
    "register_report_section",
]

SectionProvider = Callable[[], "Section | None"]
Amendment = Callable[[Run], Run]

_providers: list[SectionProvider] = []
_amendments: list[Amendment] = []


def register_report_section(provider: SectionProvider) -> None:
    """Show what `provider` returns (None: nothing) in every report this run writes.
    Registering the same provider twice shows it once."""
    if provider not in _providers:
        _providers.append(provider)


def collect_sections() -> list[Section]:
    """Every registered provider's section, in the order they were registered."""
    found = (provider() for provider in _providers)
    return [section for section in found if section is not None]


def register_report_amendment(amendment: Amendment) -> None:
    """Pass the run through `amendment` before each report is written (the results
    history marks flaky scenarios so). Registering the same one twice applies it once."""
    if amendment not in _amendments:
        _amendments.append(amendment)


def has_report_amendments() -> bool:
    """Whether a report must hold the whole run to amend it before writing it."""
    return bool(_amendments)


def amend_run(run: Run) -> Run:
    """`run` through every registered amendment, in the order they were registered."""
    for amendment in _amendments:
        run = amendment(run)
    return run


def clear_report_sections() -> None:
    """Forget every provider and amendment (a run's end: the next run registers its own)."""
    _providers.clear()
    _amendments.clear()
