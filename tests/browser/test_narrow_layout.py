"""Narrow windows in a real browser: the run page's legends clear of the x titles at 768 px,
and a runs grid at 390 px that shows the columns it has room for, names readable."""

from __future__ import annotations

from dash.testing.wait import until

from app import ids
from app.components.runs_grid import FIELDS
from app.factory import create_app
from app.views.curves import CURVES
from tests.browser.support import cell
from tests.browser.test_runs_grid import _whole
from tests.dashboard_support import seeded_run


def _overlaps(dash_duo, graph_id: str) -> bool | None:
    """Return whether a graph's legend overlaps its x-axis title (None: either is missing)."""
    return dash_duo.driver.execute_script(
        "const graph = document.getElementById(arguments[0]);"
        "const legend = graph && graph.querySelector('.legend');"
        "const title = graph && graph.querySelector('.g-xtitle text');"
        "if (!legend || !title) { return null; }"
        "const [a, b] = [legend.getBoundingClientRect(), title.getBoundingClientRect()];"
        "return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;",
        graph_id,
    )


def test_the_run_page_legends_keep_clear_of_the_x_titles_at_768_px(dash_duo, store_url, store):
    run_id = seeded_run(store, status="paused", episodes=60, name="narrow")
    dash_duo.driver.set_window_size(768, 1000)
    dash_duo.start_server(create_app(store_url))
    dash_duo.driver.get(f"{dash_duo.server_url}/runs/{run_id}")
    graphs = [ids.run_curve(key) for key in CURVES]
    until(lambda: all(_overlaps(dash_duo, graph) is not None for graph in graphs), timeout=20)
    assert [graph for graph in graphs if _overlaps(dash_duo, graph)] == []
    assert dash_duo.get_logs() == []


def _displayed(dash_duo) -> list[str]:
    """Return the ids of the columns the runs grid shows (scrolled into view or not)."""
    return dash_duo.driver.execute_script(
        "return dash_ag_grid.getApiAsync(arguments[0])"
        ".then(api => api.getAllDisplayedColumns().map(column => column.getColId()))",
        ids.RUNS_GRID,
    )


def _fits(dash_duo) -> bool:
    """Return whether the runs grid's columns fit its width (no sideways scrolling)."""
    return dash_duo.driver.execute_script(
        "const body = document.querySelector(arguments[0]);"
        "return body.scrollWidth <= body.clientWidth;",
        f"#{ids.RUNS_GRID} .ag-center-cols-viewport",
    )


def test_a_narrow_runs_grid_shows_the_columns_it_has_room_for(dash_duo, store_url, store):
    run_id = seeded_run(store, status="running", episodes=30, name="a run name of twenty")
    dash_duo.driver.set_window_size(390, 844)
    dash_duo.start_server(create_app(store_url))
    dash_duo.wait_for_text_to_equal(cell(run_id, "name"), "a run name of twenty")
    until(lambda: "episodes" not in _displayed(dash_duo), timeout=10)
    shown = _displayed(dash_duo)
    assert {"name", "status", "progress"} <= set(shown)
    assert "created" not in shown and "gamma" not in shown
    until(lambda: _fits(dash_duo), timeout=5)
    assert _whole(dash_duo, cell(run_id, "name"))  # not three letters and an ellipsis
    # Wider again, the hidden columns come back.
    dash_duo.driver.set_window_size(1440, 900)
    until(lambda: "created" in _displayed(dash_duo), timeout=10)
    assert set(FIELDS) <= set(_displayed(dash_duo))  # every column
    until(lambda: _fits(dash_duo), timeout=5)
    assert dash_duo.get_logs() == []
