"""Analysis pages in a real browser: policy scrubber, episode log at a far offset, exports."""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from pathlib import Path

from dash.testing.wait import until

from app import ids
from app.factory import create_app
from runstore import RunStore
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
    # Play from the end starts over at the first checkpoint and steps through them.
    dash_duo.find_element(f"#{ids.POLICY_PLAY}").click()
    dash_duo.wait_for_contains_text(f"#{ids.POLICY_LABEL}", "checkpoint 1 of 6")
    until(lambda: _map_signature(dash_duo) != last, timeout=5)
    dash_duo.wait_for_contains_text(f"#{ids.POLICY_LABEL}", "changed in")
    dash_duo.wait_for_contains_text(f"#{ids.POLICY_LABEL}", "checkpoint 6 of 6", timeout=10)
    until(lambda: _map_signature(dash_duo) == last, timeout=5)
    assert dash_duo.find_element(f"#{ids.POLICY_PLAY}").text == "▶ Play"
    assert dash_duo.find_element(f"#{ids.POLICY_GAP} .js-plotly-plot")
    assert dash_duo.get_logs() == []


def test_episode_log_jumps_to_a_far_episode(dash_duo, store_url):
    store = RunStore(store_url)
    run_id = add_synthetic_run(store, 120_000, name="long run")
    dash_duo.start_server(create_app(store_url))
    dash_duo.driver.get(f"{dash_duo.server_url}/runs/{run_id}/episodes")
    dash_duo.wait_for_contains_text(f"#{ids.EPISODES_COUNT}", "120,000 episodes")
    first = f"#{ids.EPISODES_GRID} .ag-row[row-index='0'] [col-id='episode']"
    dash_duo.wait_for_text_to_equal(first, "1")
    jump = dash_duo.find_element(f"#{ids.EPISODES_JUMP}")
    jump.send_keys("98765\n")
    dash_duo.wait_for_text_to_equal(
        f"#{ids.EPISODES_GRID} .ag-row[row-index='98764'] [col-id='episode']", "98765", timeout=10
    )
    row = store.episodes(run_id, start=98_765, limit=1)[0]
    shown = dash_duo.find_element(
        f"#{ids.EPISODES_GRID} .ag-row[row-index='98764'] [col-id='length']"
    ).text
    assert shown == str(row.length)
    # An episode past the end is refused at the field.
    jump.clear()
    jump.send_keys("200000\n")
    dash_duo.wait_for_contains_text(f"#{ids.EPISODES_JUMP_FEEDBACK}", "allowed: 1 to 120000")
    assert dash_duo.get_logs() == []


def test_runs_picked_on_the_runs_page_compare_with_the_differing_parameter_highlighted(
    dash_duo, store_url
):
    store = RunStore(store_url)
    slow = add_synthetic_run(store, 20_000, name="slow", hyperparams={"alpha": 0.1})
    fast = add_synthetic_run(store, 20_000, name="fast", hyperparams={"alpha": 0.4})
    dash_duo.start_server(create_app(store_url))
    for run_id in (slow, fast):
        row = f"#{ids.RUNS_GRID} .ag-row[row-id='{run_id}']"
        box = f"{row} [col-id='ag-Grid-SelectionColumn'] input"
        dash_duo.find_element(box).click()
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
        .endswith(f"?runs={slow},{fast}&metric=return&x=episode&smooth=0.6&bands=1&threshold=0.5")
    )
    dash_duo.find_element(f"#{ids.COMPARE_CSV_BUTTON}").click()
    until(lambda: list(Path(dash_duo.download_path).glob("*.csv")), timeout=10)
    text = next(Path(dash_duo.download_path).glob("*.csv")).read_text()
    assert "alpha" in text and "slow" in text and "fast" in text
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
        while refreshes < 64:  # each change of the text is at least one refresh
            until(lambda seen=shown: _episodes_text(dash_duo) != seen, timeout=10)
            shown = _episodes_text(dash_duo)
            refreshes += 1
        late = _heap(dash_duo)
    finally:
        stop.set()
        writer.join()
    assert store.get_run(run_id).episodes_done > 200_000
    print(f"JS heap after 8 and after {refreshes + 8}+ refreshes: {early:,} and {late:,} bytes")
    assert late <= 1.2 * early, (early, late)
    assert dash_duo.get_logs() == []
