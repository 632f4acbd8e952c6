"""What the browser tests share: selectors and reads of the pages, and CLI processes."""

from __future__ import annotations

import contextlib
import json
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from app import ids
from tests.cli.support import ROOT, RUN_PY


def cell(run_id: int, column: str) -> str:
    """Return the CSS selector of one cell of the runs grid."""
    return f"#{ids.RUNS_GRID} .ag-row[row-id='{run_id}'] [col-id='{column}']"


def read_figure(dash_duo, key: str) -> dict:
    """Return the data and layout Plotly holds for one curve of the run page."""
    return json.loads(
        dash_duo.driver.execute_script(
            f"const g = document.querySelector('#{ids.run_curve(key)} .js-plotly-plot');"
            "return g && g.data ? JSON.stringify({data: g.data, layout: g.layout}) : 'null';"
        )
    )


def shown(dash_duo, element_id: str) -> bool:
    """Return whether the element is on the page and displayed, read in one script (an
    element found first and then asked could be replaced by a redraw in between)."""
    return dash_duo.driver.execute_script(
        "const e = document.getElementById(arguments[0]);"
        "return e !== null && e.checkVisibility({visibilityProperty: true});",
        element_id,
    )


def status(dash_duo) -> str:
    """Return the run page's status badges as text."""
    return dash_duo.find_element(f"#{ids.RUN_STATUS}").text


@contextlib.contextmanager
def cli(*args: str, db: str, log: Path) -> Iterator[subprocess.Popen]:
    """Run ``python run.py ARGS --db DB`` as a user does, its output into the file ``log``.

    On leaving, a process still running gets SIGINT (Ctrl-C) and 30 s to end, then SIGKILL.
    """
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, RUN_PY, *args, "--db", db],
            stdout=output,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
        )
        try:
            yield process
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
                try:
                    process.wait(30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
