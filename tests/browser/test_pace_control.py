"""The run page's pace control in a real browser, over a real store and real workers: a
bad pace is refused at the field, a good one (Set, Enter) or Full speed is queued, taken up
by the worker and listed with the run's changes."""

from __future__ import annotations

from dash.testing.wait import until

from app import ids
from app.actions import submit_run
from app.factory import create_app
from tests.dashboard_support import seeded_run, wait_for

PACED_RUN = {"preset": "medium", "episodes": 1_000_000, "name": "paced run", "pace": 20}


def _placeholder(dash_duo) -> str:
    """Return what the pace input shows as the run's pace now."""
    return dash_duo.find_element(f"#{ids.RUN_PACE_INPUT}").get_attribute("placeholder")


def test_the_pace_control_changes_a_live_run_s_pace(dash_duo, store_url, store, pool):
    run_id = submit_run(store, PACED_RUN)
    wait_for(lambda: store.get_run(run_id).episodes_done > 0, 30, "the first episodes")
    dash_duo.start_server(create_app(store_url))
    dash_duo.driver.get(f"{dash_duo.server_url}/runs/{run_id}")
    dash_duo.wait_for_contains_text(f"#{ids.RUN_STATUS}", "running", timeout=15)
    assert _placeholder(dash_duo) == "20 episodes/s"
    field = dash_duo.find_element(f"#{ids.RUN_PACE_INPUT}")
    field.send_keys("0\n")
    dash_duo.wait_for_contains_text(f"#{ids.RUN_PACE_MESSAGE}", "pace=0 is invalid: out of range")
    assert "0 < x <= 100000" in dash_duo.find_element(f"#{ids.RUN_PACE_MESSAGE}").text
    assert "is-invalid" in field.get_attribute("class")
    assert store.param_changes(run_id) == []

    field.clear()
    field.send_keys("400")
    dash_duo.find_element(f"#{ids.RUN_PACE_SET}").click()
    dash_duo.wait_for_text_to_equal(f"#{ids.RUN_PACE_MESSAGE}", "Pace 400 episodes/s requested.")
    assert "is-invalid" not in field.get_attribute("class")
    applied = wait_for(lambda: store.param_changes(run_id)[-1].applied_episode, 15, "applied")
    dash_duo.wait_for_contains_text(f"#{ids.RUN_CHANGES}", "pace 20 → 400", timeout=10)
    dash_duo.wait_for_contains_text(f"#{ids.RUN_CHANGES}", f"episode {applied:,}", timeout=10)
    until(lambda: _placeholder(dash_duo) == "400 episodes/s", timeout=10)

    dash_duo.find_element(f"#{ids.RUN_PACE_FULL}").click()
    dash_duo.wait_for_text_to_equal(f"#{ids.RUN_PACE_MESSAGE}", "Pace full speed requested.")
    until(lambda: _placeholder(dash_duo) == "full speed", timeout=15)
    changes = [(c.param, c.new_value, c.source) for c in store.param_changes(run_id)]
    assert changes == [("pace", 400.0, "ui"), ("pace", "full", "ui")]
    store.request_status(run_id, "stopped")
    assert dash_duo.get_logs() == []


def test_an_ended_run_s_pace_control_is_disabled(dash_duo, store_url, store):
    run_id = seeded_run(store, status="finished", episodes=50, name="done run")
    dash_duo.start_server(create_app(store_url))
    dash_duo.driver.get(f"{dash_duo.server_url}/runs/{run_id}")
    dash_duo.wait_for_contains_text(f"#{ids.RUN_STATUS}", "finished")
    for control in (ids.RUN_PACE_INPUT, ids.RUN_PACE_SET, ids.RUN_PACE_FULL):
        until(lambda c=control: not dash_duo.find_element(f"#{c}").is_enabled(), timeout=10)
    assert _placeholder(dash_duo) == "full speed"
    assert dash_duo.get_logs() == []
