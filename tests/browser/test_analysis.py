"""Analysis pages in a real browser: policy scrubber, episode log of half a million episodes,
exports."""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from pathlib import Path

import numpy as np
from dash.testing.wait import until
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.actions.wheel_input import ScrollOrigin

from app import ids
from app.factory import create_app
from runstore import RunStore
from tests.dashboard_support import fill, seeded_run
from tests.demo import add_synthetic_run, add_trained_run, append_synthetic


def _map_signature(dash_duo) -> str:
    """Return the arrows drawn on the policy map plus its outlines, as text."""
    return dash_duo.driver.execute_script(
        f"const g = document.querySelector('#{ids.POLICY_MAP} .js-plotly-plot');"
        "return JSON.stringify([g.data[1].text, (g.layout.shapes || []).length]);"
    )


def test_policy_heatmap_renders_and_scrubber_replays(dash_duo, store_url):
    store = RunStore(store_url)
    run_id = add_trained_run(store, preset="medium", episodes=600, checkpoint_every=100)
    dash_duo.start_server(create_app(store_url))
    dash_duo.driver.get(f"{dash_duo.server_url}/runs/{run_id}/policy")
    dash_duo.wait_for_contains_text(f"#{ids.POLICY_LABEL}", "checkpoint 6 of 6")
    dash_duo.wait_for_element(f"#{ids.POLICY_MAP} .heatmaplayer")
    last = _map_signature(dash_duo)
    assert "→" in last or "↓" in last
    # Play from the end starts over at the first checkpoint and steps through them. Every
    # label and map the page shows is recorded as it comes (a checkpoint is shown for
    # 0.7 s: polling from here could miss one on a busy machine).
    dash_duo.driver.execute_script(
        f"const label = document.getElementById('{ids.POLICY_LABEL}');"
        f"const map = () => document.querySelector('#{ids.POLICY_MAP} .js-plotly-plot');"
        "window.shown = [];"
        "const note = () => window.shown.push("
        "  [label.textContent, JSON.stringify(map().data[1].text)]);"
        "new MutationObserver(note).observe("
        "  label, {childList: true, subtree: true, characterData: true});"
    )
    dash_duo.find_element(f"#{ids.POLICY_PLAY}").click()
    dash_duo.wait_for_text_to_equal(f"#{ids.POLICY_PLAY}", "⏸ Pause")
    dash_duo.wait_for_text_to_equal(f"#{ids.POLICY_PLAY}", "▶ Play", timeout=30)
    dash_duo.wait_for_contains_text(f"#{ids.POLICY_LABEL}", "checkpoint 6 of 6", timeout=10)
    until(lambda: _map_signature(dash_duo) == last, timeout=5)
    shown = dash_duo.driver.execute_script("return window.shown;")
    # it started over and stepped forward to the last (a busy server may skip one)
    checkpoints = [int(text.split(" of ")[0].removeprefix("checkpoint ")) for text, _ in shown]
    assert checkpoints[0] < 6 and checkpoints == sorted(checkpoints), shown
    assert any("changed in" in text for text, _ in shown), shown
    assert len({arrows for _, arrows in shown}) > 1  # the map moved through other policies
    assert dash_duo.find_element(f"#{ids.POLICY_GAP} .js-plotly-plot")
    assert dash_duo.get_logs() == []


LOG_ROWS = 520_010
"""Episodes of the episode-log run: past half a million and, like the issue's run of 590,805,
not a whole number of 200-row blocks, so the rows at the end span two blocks."""


def _viewport_or(missing: str) -> str:
    """Return the script lines that find the log (``grid``) and its viewport's box (``view``),
    or return ``missing`` from the script while the grid is not drawn yet (dash-ag-grid's
    code loads after the page: on a loaded machine, after the episode count shows)."""
    return (
        f"const grid = document.getElementById('{ids.EPISODES_GRID}');"
        "const port = grid && grid.querySelector('.ag-body-viewport');"
        f"if (!port) return {missing};"
        "const view = port.getBoundingClientRect();"
    )


def _unloaded_rows(dash_duo) -> list[int]:
    """Return the row indexes in the log's viewport that show no episode, or the wrong one,
    or no length (an empty list once every visible row has loaded)."""
    return dash_duo.driver.execute_script(
        _viewport_or("[-1]") + "const bad = []; let seen = 0;"
        "for (const row of grid.querySelectorAll('.ag-center-cols-container .ag-row')) {"
        "  const box = row.getBoundingClientRect();"
        "  if (box.bottom <= view.top + 1 || box.top >= view.bottom - 1) continue;"
        "  seen += 1;"
        "  const index = Number(row.getAttribute('row-index'));"
        "  const pinned = grid.querySelector("
        "    `.ag-pinned-left-cols-container .ag-row[row-index='${index}'] [col-id='episode']`);"
        "  const length = row.querySelector(\"[col-id='length']\");"
        "  const ok = pinned && pinned.textContent.trim() === String(index + 1)"
        "    && length && length.textContent.trim() !== '';"
        "  if (!ok) bad.push(index);"
        "}"
        "return seen ? bad : [-1];"
    )


def _visible_indexes(dash_duo) -> list[int]:
    """Return the row indexes the log's viewport shows (none while it is not drawn)."""
    return dash_duo.driver.execute_script(
        _viewport_or("[]")
        + "return [...grid.querySelectorAll('.ag-center-cols-container .ag-row')]"
        "  .filter(r => { const b = r.getBoundingClientRect();"
        "    return b.bottom > view.top + 1 && b.top < view.bottom - 1; })"
        "  .map(r => Number(r.getAttribute('row-index'))).sort((a, b) => a - b);"
    )


def _all_rows_load(dash_duo, timeout: float = 20) -> None:
    """Wait until every row in the log's viewport shows its episode, then a second more (a
    block that loads late would blank rows again)."""
    until(lambda: _unloaded_rows(dash_duo) == [], timeout=timeout)
    time.sleep(1)
    assert _unloaded_rows(dash_duo) == []


def test_the_episode_log_loads_every_visible_row_after_a_jump_at_the_end_and_scrolling_up(
    dash_duo, store_url
):
    store = RunStore(store_url)
    run_id = seeded_run(store, status="finished", episodes=0, target=LOG_ROWS)
    fill(store, run_id, LOG_ROWS, batch=20_000)  # straight through the store
    dash_duo.start_server(create_app(store_url))
    dash_duo.driver.get(f"{dash_duo.server_url}/runs/{run_id}/episodes")
    dash_duo.wait_for_contains_text(f"#{ids.EPISODES_COUNT}", f"{LOG_ROWS:,} episodes")
    _all_rows_load(dash_duo)
    assert _visible_indexes(dash_duo)[0] == 0

    # a jump lands on a row near a block's end (blocks are 200 rows): both blocks load
    jump = dash_duo.find_element(f"#{ids.EPISODES_JUMP}")
    jump.send_keys("400195\n")
    until(lambda: _visible_indexes(dash_duo)[:1] == [400_194], timeout=20)
    _all_rows_load(dash_duo)
    row = store.episodes(run_id, start=400_195, limit=1)[0]
    cell = f"#{ids.EPISODES_GRID} .ag-row[row-index='400194'] [col-id='{{}}']"
    assert dash_duo.find_element(cell.format("length")).text == str(row.length)
    assert dash_duo.find_element(cell.format("env_steps")).text == f"{row.env_steps:,}"
    assert dash_duo.find_element(cell.format("success")).text in ("yes", "no")

    # the scrollbar dragged to the end: the last rows load
    dash_duo.driver.execute_script(
        f"const v = document.querySelector('#{ids.EPISODES_GRID} .ag-body-viewport');"
        "v.scrollTop = v.scrollHeight;"
    )
    until(lambda: _visible_indexes(dash_duo)[-1:] == [LOG_ROWS - 1], timeout=20)
    _all_rows_load(dash_duo)

    # one mouse-wheel step up, then a few more: every visible row stays loaded
    viewport = dash_duo.find_element(f"#{ids.EPISODES_GRID} .ag-body-viewport")
    for _ in range(4):
        ActionChains(dash_duo.driver).scroll_from_origin(
            ScrollOrigin.from_element(viewport), 0, -120
        ).perform()
        _all_rows_load(dash_duo)
    assert _visible_indexes(dash_duo)[-1] < LOG_ROWS - 1

    # an episode past the end is refused at the field, with the validator's words
    jump.clear()
    jump.send_keys("600000\n")
    dash_duo.wait_for_contains_text(
        f"#{ids.EPISODES_JUMP_FEEDBACK}", "episode=600000 is invalid: out of range"
    )
    assert (
        f"an integer from 1 to {LOG_ROWS}"
        in dash_duo.find_element(f"#{ids.EPISODES_JUMP_FEEDBACK}").text
    )
    assert dash_duo.get_logs() == []


def test_runs_picked_on_the_runs_page_compare_with_the_differing_parameter_highlighted(
    dash_duo, store_url
):
    store = RunStore(store_url)
    slow = add_synthetic_run(store, 20_000, name="slow", hyperparams={"alpha": 0.1})
    fast = add_synthetic_run(store, 20_000, name="fast", hyperparams={"alpha": 0.4})
    dash_duo.start_server(create_app(store_url))
    for run_id, name in ((slow, "slow"), (fast, "fast")):
        row = f"#{ids.RUNS_GRID} .ag-row[row-id='{run_id}']"
        # the row's data first: a stub row (still loading) has a box of its own
        dash_duo.wait_for_text_to_equal(f"{row} [col-id='name']", name, timeout=30)
        dash_duo.find_element(f"{row} [col-id='ag-Grid-SelectionColumn'] input").click()
    dash_duo.wait_for_text_to_equal(f"#{ids.RUNS_COMPARE}", "Compare (2)")
    dash_duo.find_element(f"#{ids.RUNS_COMPARE}").click()
    dash_duo.wait_for_text_to_equal(f"#{ids.PAGE_TITLE}", "Compare runs")
    dash_duo.wait_for_element(f"#{ids.COMPARE_PARAM_TABLE}")
    differing = dash_duo.driver.find_elements(
        "css selector", f"#{ids.COMPARE_PARAM_TABLE} tr.differs"
    )
    assert [row.find_element("css selector", "th").text for row in differing] == ["alpha"]
    assert "0.4" in differing[0].text and "0.1" in differing[0].text
    # both runs drawn, each from a window of at most 1000 buckets
    names = dash_duo.driver.execute_script(
        f"const g = document.querySelector('#{ids.COMPARE_MAIN} .js-plotly-plot');"
        "return g.data.filter(t => t.showlegend !== false).map(t => [t.name, t.x.length]);"
    )
    assert [name for name, _ in names] == [f"#{slow} slow", f"#{fast} fast"]
    assert all(0 < points <= 1000 for _, points in names)
    assert (
        dash_duo.find_element(f"#{ids.COMPARE_SHARE}")
        .get_attribute("href")
        .endswith(f"?runs={slow},{fast}&metric=return&x=episode&smooth=0.6&bands=0&threshold=0.5")
    )
    dash_duo.find_element(f"#{ids.COMPARE_CSV_BUTTON}").click()
    until(lambda: list(Path(dash_duo.download_path).glob("*.csv")), timeout=10)
    text = next(Path(dash_duo.download_path).glob("*.csv")).read_text()
    assert "alpha" in text and "slow" in text and "fast" in text
    assert dash_duo.get_logs() == []


def _main_figure(dash_duo) -> dict:
    """Return the data and layout Plotly holds for the compare page's main graph."""
    return json.loads(
        dash_duo.driver.execute_script(
            f"const g = document.querySelector('#{ids.COMPARE_MAIN} .js-plotly-plot');"
            "return g && g.layout ? JSON.stringify({data: g.data, layout: g.layout}) : 'null';"
        )
    )


def test_compare_hints_when_empty_and_names_the_runs_a_link_leaves_out(dash_duo, store_url):
    store = RunStore(store_url)
    grid = add_synthetic_run(store, 2_000, name="grid")
    lake = add_trained_run(store, env_id="FrozenLake-v1", episodes=100, name="lake")
    dash_duo.start_server(create_app(store_url))
    dash_duo.driver.get(f"{dash_duo.server_url}/compare")
    until(lambda: _main_figure(dash_duo), timeout=10)
    (note,) = _main_figure(dash_duo)["layout"]["annotations"]
    assert note["text"].startswith("No runs picked: choose up to 8 runs above")
    assert not dash_duo.find_elements(f"#{ids.COMPARE_NOTICE}")  # nothing left out

    dash_duo.driver.get(f"{dash_duo.server_url}/compare?runs={grid},999,{lake},abc")
    dash_duo.wait_for_contains_text(f"#{ids.COMPARE_NOTICE}", "run 999 not found")
    assert "'abc' is not a run id" in dash_duo.find_element(f"#{ids.COMPARE_NOTICE}").text
    dash_duo.wait_for_element(f"#{ids.COMPARE_PARAM_TABLE}")
    preset = dash_duo.find_element(f"#{ids.COMPARE_PARAM_TABLE} tr[id*='preset']").text
    assert preset == "preset easy 4×4 map"
    # two runs: no bands by default, so the lines stay readable
    assert not dash_duo.find_element(f"#{ids.COMPARE_BANDS}").is_selected()
    until(lambda: len(_main_figure(dash_duo)["data"]) >= 2, timeout=10)
    assert not any(trace.get("fill") for trace in _main_figure(dash_duo)["data"])
    assert dash_duo.get_logs() == []


def test_the_csv_link_of_a_run_streams_header_and_every_episode(dash_duo, store_url):
    store = RunStore(store_url)
    run_id = add_synthetic_run(store, 12_345, name="exported")
    dash_duo.start_server(create_app(store_url))
    dash_duo.driver.get(f"{dash_duo.server_url}/runs/{run_id}")
    href = dash_duo.wait_for_element(f"#{ids.RUN_CSV}").get_attribute("href")
    with urllib.request.urlopen(href, timeout=30) as response:
        assert response.headers["Content-Type"].startswith("text/csv")
        assert "attachment" in response.headers["Content-Disposition"]
        lines = response.read().decode().splitlines()
    assert lines[0].startswith("episode,return,length")
    assert len(lines) == 1 + 12_345
    assert [line.split(",")[0] for line in (lines[1], lines[-1])] == ["1", "12345"]
    json_href = dash_duo.find_element(f"#{ids.RUN_JSON}").get_attribute("href")
    with urllib.request.urlopen(json_href, timeout=30) as response:
        assert len(json.load(response)["episodes"]) == 12_345
    assert dash_duo.get_logs() == []


def _episodes_text(dash_duo) -> str:
    """Return the run page's "done / target episodes" line."""
    return dash_duo.find_element(f"#{ids.RUN_EPISODES}").text


def _heap(dash_duo) -> int:
    """Return the page's JS heap in use after a full garbage collection."""
    return dash_duo.driver.execute_script("window.gc(); return performance.memory.usedJSHeapSize;")


def test_a_live_page_keeps_its_js_heap_flat_while_the_run_grows(dash_duo, store_url):
    store = RunStore(store_url)
    run_id = add_synthetic_run(store, 100_000, name="growing", status="running", target=10**6)
    dash_duo.start_server(create_app(store_url))
    dash_duo.driver.get(f"{dash_duo.server_url}/runs/{run_id}")
    dash_duo.wait_for_contains_text(f"#{ids.RUN_EPISODES}", "100,000 /")
    stop = threading.Event()

    def grow() -> None:
        first, steps = 100_001, store.get_run(run_id).env_steps
        while not stop.is_set() and first <= 500_000:
            steps = append_synthetic(store, run_id, first, 2_000, steps_before=steps)
            first += 2_000
            time.sleep(0.6)

    writer = threading.Thread(target=grow)
    writer.start()
    try:
        time.sleep(8)  # ~8 refreshes: caches and compiled code settle
        early = _heap(dash_duo)
        refreshes = 0
        shown = ""
        while refreshes < 24:  # each change of the text is at least one refresh
            until(lambda seen=shown: _episodes_text(dash_duo) != seen, timeout=10)
            shown = _episodes_text(dash_duo)
            refreshes += 1
        late = _heap(dash_duo)
    finally:
        stop.set()
        writer.join()
    assert store.get_run(run_id).episodes_done > 150_000
    print(f"JS heap after 8 and after {refreshes + 8}+ refreshes: {early:,} and {late:,} bytes")
    assert late <= 1.2 * early, (early, late)
    assert dash_duo.get_logs() == []


def _boxes(dash_duo) -> dict:
    """Return the policy page's overflow and the boxes of the colour bar's title and ticks."""
    return dash_duo.driver.execute_script(
        "const root = document.documentElement;"
        f"const bar = document.querySelector('#{ids.POLICY_MAP} .colorbar');"
        "const box = e => { const b = e.getBoundingClientRect();"
        "  return [b.left, b.top, b.right, b.bottom]; };"
        "return {overflow: root.scrollWidth - root.clientWidth,"
        "  title: box(bar.querySelector('.cbtitle text')),"
        "  ticks: [...bar.querySelectorAll('.cbaxis .ytick text, .cbaxis text')].map(box),"
        f"  legend: [...document.querySelectorAll('#{ids.POLICY_MAP} .legend .legendtext')]"
        "    .map(e => e.textContent)};"
    )


def test_the_policy_map_of_cliffwalking_is_a_grid_with_a_legend_and_fits_the_window(
    dash_duo, store_url
):
    store = RunStore(store_url)
    run_id = add_trained_run(store, env_id="CliffWalking-v1", episodes=200, checkpoint_every=100)
    # and one far on (a long label at the slider's end) whose max Q of 10 is a tick at the
    # colour bar's very top, where a title above the bar overlaps it
    ramp = np.repeat(np.linspace(0.0, 10.0, 48)[:, None], 4, axis=1)
    ramp[36] = 10.0  # the start: the highest floor cell
    store.save_checkpoint(run_id, 1_590_805, ramp, store.load_checkpoint(run_id).agent_state)
    dash_duo.start_server(create_app(store_url))
    dash_duo.driver.get(f"{dash_duo.server_url}/runs/{run_id}/policy")
    dash_duo.wait_for_contains_text(f"#{ids.POLICY_LABEL}", "checkpoint 3 of 3")
    dash_duo.wait_for_element(f"#{ids.POLICY_MAP} .colorbar .cbtitle text")
    z = dash_duo.driver.execute_script(
        f"return document.querySelector('#{ids.POLICY_MAP} .js-plotly-plot').data[0].z;"
    )
    assert (len(z), len(z[0])) == (4, 12)  # the grid, not 48 states by 4 actions
    boxes = _boxes(dash_duo)
    assert boxes["overflow"] <= 0, boxes  # not a pixel wider than the window
    left, top, right, bottom = boxes["title"]
    for tick in boxes["ticks"]:  # the title overlaps no tick label
        assert tick[2] <= left or tick[0] >= right or tick[3] <= top or tick[1] >= bottom, boxes
    assert boxes["legend"] == [
        "goal",
        "cliff",
        "start (outline)",
        "greedy action changed since the last checkpoint",
    ]
    assert dash_duo.get_logs() == []
