"""Reports of a behave run: an HTML page, JUnit XML, Cucumber Messages, Cucumber JSON.

Formatters (aliases from `[tool.behave.formatters]`, written by `asgibdd init`):

- `html` = `asgibdd.report.html:HTMLFormatter`: one self-contained page, and the run's
  data (`report.results.json` beside `report.html`) for `asgibdd report merge`.
- `junit` = `asgibdd.report.junit:JUnitFormatter`: one JUnit XML file for CI dashboards.
- `messages` = `asgibdd.report.messages:MessagesFormatter`: Cucumber Messages NDJSON.
- `cucumber` = `asgibdd.report.cucumber:CucumberJSONFormatter`: Cucumber JSON (Jenkins'
  Cucumber Reports, Xray, cucumber-html-reporter).

Extra sections (API coverage, say) come from `register_report_section`. See
docs/reports.md.
"""

from __future__ import annotations

from asgibdd.report.model import Section
from asgibdd.report.sections import register_report_section

__all__ = ["FORMATTERS", "Section", "register_report_section"]

FORMATTERS = {
    "html": "asgibdd.report.html:HTMLFormatter",
    "junit": "asgibdd.report.junit:JUnitFormatter",
    "messages": "asgibdd.report.messages:MessagesFormatter",
    "cucumber": "asgibdd.report.cucumber:CucumberJSONFormatter",
}
"""behave formatter aliases → scoped class names, as `[tool.behave.formatters]` lists them."""
