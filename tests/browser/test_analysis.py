"""Analysis pages in a real browser: policy scrubber, episode log at a far offset, exports."""

from __future__ import annotations

import pytest
from dash.testing.wait import until

from app.factory import create_app
from runstore import RunStore
from tests.demo import add_synthetic_run, add_trained_run


@pytest.fixture
def store_url(tmp_path):
    return f"sqlite:///{tmp_path / 'store.sqlite'}"


def _map_signature(dash_duo) -> str:
    """Return the arrows drawn on the policy map plus its outlines, as text."""
    return dash_duo.driver.execute_script(
        "const g = document.querySelector('#policy-map .js-plotly-plot');"
        "return JSON.stringify([g.data[1].text, (g.layout.shapes || []).length]);"
    )


def test_policy_heatmap_renders_and_scrubber_replays(dash_duo, store_url):
    store = RunStore(store_url)
    run_id = add_trained_run(store, preset="medium", episodes=600, checkpoint_every=100)
    dash_duo.start_server(create_app(store_url))
    dash_duo.driver.get(f"{dash_duo.server_url}/runs/{run_id}/policy")
    dash_duo.wait_for_contains_text("#policy-label", "checkpoint 6 of 6")
    dash_duo.wait_for_element("#policy-map .heatmaplayer")
    last = _map_signature(dash_duo)
    assert "→" in last or "↓" in last
    # Play from the end starts over at the first checkpoint and steps through them.
    dash_duo.find_element("#policy-play").click()
    dash_duo.wait_for_contains_text("#policy-label", "checkpoint 1 of 6")
    until(lambda: _map_signature(dash_duo) != last, timeout=5)
    dash_duo.wait_for_contains_text("#policy-label", "changed in")
    dash_duo.wait_for_contains_text("#policy-label", "checkpoint 6 of 6", timeout=10)
    until(lambda: _map_signature(dash_duo) == last, timeout=5)
    assert dash_duo.find_element("#policy-play").text == "▶ Play"
    assert dash_duo.find_element("#policy-gap .js-plotly-plot")
    assert dash_duo.get_logs() == []


def test_episode_log_jumps_to_a_far_episode(dash_duo, store_url):
    store = RunStore(store_url)
    run_id = add_synthetic_run(store, 120_000, name="long run")
    dash_duo.start_server(create_app(store_url))
    dash_duo.driver.get(f"{dash_duo.server_url}/runs/{run_id}/episodes")
    dash_duo.wait_for_contains_text("#episodes-count", "120,000 episodes")
    dash_duo.wait_for_text_to_equal("#episodes-grid .ag-row[row-index='0'] [col-id='episode']", "1")
    jump = dash_duo.find_element("#episodes-jump")
    jump.send_keys("98765\n")
    dash_duo.wait_for_text_to_equal(
        "#episodes-grid .ag-row[row-index='98764'] [col-id='episode']", "98765", timeout=10
    )
    row = store.episodes(run_id, start=98_765, limit=1)[0]
    shown = dash_duo.find_element(
        "#episodes-grid .ag-row[row-index='98764'] [col-id='length']"
    ).text
    assert shown == str(row["length"])
    # An episode past the end is refused at the field.
    jump.clear()
    jump.send_keys("200000\n")
    dash_duo.wait_for_contains_text("#episodes-jump-feedback", "allowed: 1 to 120000")
    assert dash_duo.get_logs() == []
