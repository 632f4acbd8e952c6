"""Named checkpoints in a real browser: "Save checkpoint now" on the run page (Enter, the
button, a refused name at the field) of a run a real worker trains and of a paused run; the
policy page's scrubber marking a named checkpoint by name and jumping to it from its
dropdown; the fork card offering it by name."""

from __future__ import annotations

from dash.testing.wait import until
from selenium.webdriver.common.keys import Keys

from app import ids
from app.factory import create_app
from app.training import create_run
from tests.browser.test_fork import _click, _fork_href
from tests.dashboard_support import seeded_run
from tests.trainer.support import make_spec, train_new


def _type(dash_duo, element_id: str, text: str) -> None:
    """Clear the input and type ``text`` into it like a person."""
    field = dash_duo.find_element(f"#{element_id}")
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", field)
    field.clear()
    field.send_keys(text)


def _message(dash_duo) -> str:
    return dash_duo.find_element(f"#{ids.RUN_CHECKPOINT_MESSAGE}").text


def test_save_now_on_a_running_run_and_a_paused_one(dash_duo, store_url, store, pool):
    live = create_run(store, make_spec(episodes=1_000_000, pace=400, seed=2))
    paused = seeded_run(store, status="paused", episodes=40, name="resting")
    dash_duo.start_server(create_app(store_url))
    dash_duo.driver.get(f"{dash_duo.server_url}/runs/{live}")
    until(lambda: store.get_run(live).episodes_done > 50, timeout=60)
    dash_duo.wait_for_text_to_equal(f"#{ids.RUN_CHECKPOINT_NAMED}", "No named checkpoints yet.")

    _type(dash_duo, ids.RUN_CHECKPOINT_NAME, "9 lives")
    _click(dash_duo, f"#{ids.RUN_CHECKPOINT_SAVE}")
    until(lambda: "starts with '9'" in _message(dash_duo), timeout=15)
    field = dash_duo.find_element(f"#{ids.RUN_CHECKPOINT_NAME}")
    assert "is-invalid" in field.get_attribute("class")
    assert store.poll_control(live).checkpoint_request is None

    _type(dash_duo, ids.RUN_CHECKPOINT_NAME, "good-alpha" + Keys.ENTER)
    until(lambda: "Checkpoint 'good-alpha' requested" in _message(dash_duo), timeout=15)
    dash_duo.wait_for_contains_text(f"#{ids.RUN_CHECKPOINT_NAMED}", "good-alpha · episode", 15)
    saved = [info for info in store.checkpoints(live) if info.name == "good-alpha"]
    assert len(saved) == 1 and saved[0].episode > 50
    assert dash_duo.find_element(f"#{ids.RUN_CHECKPOINT_NAME}").get_attribute("value") == ""

    dash_duo.driver.get(f"{dash_duo.server_url}/runs/{paused}")
    _type(dash_duo, ids.RUN_CHECKPOINT_NAME, "rested")
    _click(dash_duo, f"#{ids.RUN_CHECKPOINT_SAVE}")
    until(lambda: "is not training" in _message(dash_duo), timeout=15)
    assert "(episode 40) is now named 'rested'" in _message(dash_duo)
    dash_duo.wait_for_contains_text(f"#{ids.RUN_CHECKPOINT_NAMED}", "rested · episode 40", 15)
    _type(dash_duo, ids.RUN_CHECKPOINT_NAME, "again" + Keys.ENTER)
    until(lambda: "is already named 'rested'" in _message(dash_duo), timeout=15)
    assert dash_duo.get_logs() == []


def test_the_scrubber_marks_a_named_checkpoint_and_the_fork_card_offers_it(
    dash_duo, store_url, store
):
    run_id = train_new(store, make_spec(episodes=500, seed=3, checkpoint_every=100)).run_id
    kept = store.load_checkpoint(run_id, 200)
    store.save_checkpoint(run_id, 200, kept.q, kept.agent_state, kept.evaluation, "good-alpha")
    dash_duo.start_server(create_app(store_url))
    dash_duo.driver.get(f"{dash_duo.server_url}/runs/{run_id}/policy")
    dash_duo.wait_for_contains_text(f"#{ids.POLICY_LABEL}", "episode 500", timeout=15)
    dash_duo.wait_for_contains_text(f"#{ids.POLICY_SLIDER}", "good-alpha", timeout=15)

    dash_duo.select_dcc_dropdown(f"#{ids.POLICY_NAMED}", value="good-alpha · episode 200")
    dash_duo.wait_for_contains_text(
        f"#{ids.POLICY_LABEL}", "checkpoint 2 of 5 · episode 200 · 'good-alpha'", timeout=15
    )
    until(lambda: "?fork=200" in _fork_href(dash_duo), timeout=15)

    dash_duo.driver.get(f"{dash_duo.server_url}/runs/{run_id}")
    dash_duo.wait_for_contains_text(f"#{ids.RUN_CHECKPOINT_NAMED}", "good-alpha · episode 200")
    dash_duo.select_dcc_dropdown(f"#{ids.FORK_AT}", value="good-alpha · episode 200")
    _click(dash_duo, f"#{ids.FORK_SUBMIT}")
    link = dash_duo.wait_for_element(f"#{ids.FORK_LINK}", timeout=15)
    child = store.get_run(int(link.text.split()[-1]))
    assert (child.parent_id, child.fork_episode) == (run_id, 200)
    assert dash_duo.get_logs() == []
