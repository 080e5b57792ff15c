"""Make docs/report.png: the HTML report of a real run, as headless Chromium shows it.

    .venv/bin/python benchmarks/report_screenshot.py

The run is the one the browser tests load: this repository's features/ against the demo
app plus a feature that fails on purpose (tests/report_runs.py). The picture shows the
run's header, the summary and the failing feature, with the transcript of its login opened.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.browser import chromium  # noqa: E402
from tests.report_runs import run_repository_features  # noqa: E402

TARGET = REPO / "docs" / "report.png"


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        project = Path(folder)
        outcome, _ = run_repository_features(project, "-f", "html", "-o", "report.html")
        if outcome.scenarios.failed != 1:
            raise SystemExit(outcome.output)
        with chromium(width=1100, height=1500) as context:
            page = context.new_page()
            page.goto((project / "report.html").as_uri())
            failure = page.locator("details.scenario.failed").first
            failure.locator("details.transcript > summary").click()
            failure.locator("li.http details > summary").first.click()
            page.evaluate("window.scrollTo(0, 0)")  # the header first: which run this is
            page.screenshot(path=str(TARGET))
    print(f"wrote {TARGET.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
