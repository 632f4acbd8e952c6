"""The runs page in a real browser: empty state and demo run, the new-run form and its field
errors, the live grid, and selecting runs to compare."""

from __future__ import annotations

import time
from urllib.parse import urlparse

import pytest
from dash.testing.wait import until
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.select import Select

from app import ids
from app.actions import spec_from_request
from app.factory import create_app
from gridworld.errors import ValidationError, each_error
from tests.browser.support import cell
from tests.dashboard_support import fill, seeded_run


def _grid_ids(dash_duo) -> list[str]:
    """Return the row ids the grid shows, top to bottom."""
    return dash_duo.driver.execute_script(
        f"return [...document.querySelectorAll('#{ids.RUNS_GRID} .ag-center-cols-container"
        " .ag-row')]"
        ".sort((a, b) => a.getAttribute('row-index') - b.getAttribute('row-index'))"
        ".map(row => row.getAttribute('row-id'))"
    )


def _open_form(dash_duo) -> None:
    """Open the new-run form and wait until its fields can be typed into."""
    dash_duo.find_element(f"#{ids.NEW_TOGGLE}").click()
    until(lambda: dash_duo.find_element(f"#{ids.new_field('episodes')}").is_displayed(), timeout=5)


def _type(dash_duo, selector: str, text: str) -> None:
    """Replace the text of an input or textarea (``clear()`` does not reach React's state)."""
    field = dash_duo.find_element(selector)
    field.send_keys(Keys.CONTROL, "a")
    field.send_keys(Keys.DELETE)
    field.send_keys(text)
    until(lambda: field.get_attribute("value") == text, timeout=5)


def test_the_custom_map_box_holds_an_example_that_trains_as_seen(dash_duo, store_url, store):
    dash_duo.start_server(create_app(store_url))
    dash_duo.wait_for_contains_text(f"#{ids.RUNS_EMPTY}", "No runs yet")
    _open_form(dash_duo)
    Select(dash_duo.find_element(f"#{ids.new_field('preset')}")).select_by_value("custom")
    box = f"#{ids.new_field('desc')}"
    until(lambda: dash_duo.find_element(box).is_displayed(), timeout=5)
    shown = dash_duo.find_element(box).get_attribute("value").splitlines()
    assert len(shown) >= 2 and all(shown)
    dash_duo.find_element(f"#{ids.NEW_SUBMIT}").click()
    dash_duo.wait_for_contains_text(f"#{ids.NEW_MESSAGE}", "Queued run #")
    (run,) = store.list_runs()
    assert (run.spec["desc"], run.spec["preset"]) == (shown, None)
    assert dash_duo.get_logs() == []


def _selected(dash_duo, run_id: int) -> bool:
    """Return whether the grid shows ``run_id``'s row as selected."""
    row = dash_duo.find_element(f"#{ids.RUNS_GRID} .ag-row[row-id='{run_id}']")
    return "ag-row-selected" in row.get_attribute("class")


def _invalid(dash_duo, field: str) -> bool:
    """Return whether the new-run form shows ``field`` as invalid."""
    element = dash_duo.find_element(f"#{ids.new_field(field)}")
    return "is-invalid" in element.get_attribute("class")


def _compare_disabled(dash_duo) -> bool:
    """Return whether the Compare control is disabled (a disabled button, not a link)."""
    compare = dash_duo.find_element(f"#{ids.RUNS_COMPARE}")
    return compare.tag_name == "button" and compare.get_attribute("disabled") == "true"


def test_empty_store_invites_a_paced_demo_run_that_opens_its_page(dash_duo, store_url, store, pool):
    dash_duo.start_server(create_app(store_url))
    dash_duo.wait_for_text_to_equal(f"#{ids.PAGE_TITLE}", "Runs")
    dash_duo.wait_for_contains_text(f"#{ids.RUNS_EMPTY}", "3,000 episodes at 200 episodes/s")
    assert dash_duo.find_element(f"#{ids.RUNS_EMPTY}").is_displayed()
    assert not dash_duo.find_element(f"#{ids.RUNS_GRID_BOX}").is_displayed()
    assert store.list_runs() == []

    dash_duo.find_element(f"#{ids.RUNS_DEMO}").click()
    until(lambda: store.list_runs(), timeout=10)
    (run,) = store.list_runs()
    assert (run.name, run.env_id, run.target_episodes) == ("demo", "GridWorld-v0", 3_000)
    assert (run.spec["preset"], run.spec["pace"]) == ("medium", 200)
    # The demo opens its own page, which shows its pace and trains at it.
    # (The page then writes its view settings into the query string: compare paths.)
    until(lambda: urlparse(dash_duo.driver.current_url).path == f"/runs/{run.id}", timeout=10)
    dash_duo.wait_for_text_to_equal(f"#{ids.PAGE_TITLE}", f"#{run.id} demo")
    pace_input = dash_duo.find_element(f"#{ids.RUN_PACE_INPUT}")
    assert pace_input.get_attribute("placeholder") == "200 episodes/s"
    dash_duo.wait_for_contains_text(f"#{ids.RUN_STATUS}", "running", timeout=30)
    started, done = time.monotonic(), store.get_run(run.id).episodes_done
    until(lambda: store.get_run(run.id).episodes_done >= done + 400, timeout=30)
    assert time.monotonic() - started >= 400 / (1.5 * 200)  # paced: not done in a blink
    assert store.get_run(run.id).episodes_done < 3_000
    store.request_params(run.id, {"pace": "full"}, "api")  # the rest at once, not in 15 s
    until(lambda: store.get_run(run.id).status == "finished", timeout=90)
    assert dash_duo.get_logs() == []


def test_form_starts_a_run_that_appears_in_the_grid(dash_duo, store_url, store, pool):
    dash_duo.start_server(create_app(store_url))
    dash_duo.wait_for_contains_text(f"#{ids.RUNS_EMPTY}", "No runs yet")
    _open_form(dash_duo)
    assert dash_duo.find_element(f"#{ids.new_field('preset')}").get_attribute("value") == "easy"
    _type(dash_duo, f"#{ids.new_field('episodes')}", "300")
    _type(dash_duo, f"#{ids.new_field('alpha')}", "0.5")
    _type(dash_duo, f"#{ids.new_field('gamma')}", "0.9")
    _type(dash_duo, f"#{ids.new_field('seed')}", "3")
    _type(dash_duo, f"#{ids.new_field('name')}", "form run")
    algorithm = Select(dash_duo.find_element(f"#{ids.new_field('algorithm')}"))
    assert algorithm.first_selected_option.text == "Q-learning"
    algorithm.select_by_visible_text("SARSA")
    dash_duo.find_element(f"#{ids.NEW_SUBMIT}").click()
    dash_duo.wait_for_contains_text(f"#{ids.NEW_MESSAGE}", "Queued run #")

    (run,) = store.list_runs()
    assert run.name == "form run"
    assert run.spec["algorithm"] == "sarsa"
    assert run.target_episodes == 300
    assert run.seed == 3
    assert run.spec["preset"] == "easy"
    assert run.hyperparams["alpha"] == 0.5 and run.hyperparams["gamma"] == 0.9
    assert run.hyperparams["epsilon"] == 1.0  # left empty: the default applies
    dash_duo.wait_for_text_to_equal(cell(run.id, "name"), "form run")
    # The grid follows the run to its end, then stops refreshing.
    dash_duo.wait_for_text_to_equal(cell(run.id, "status"), "finished", timeout=60)
    dash_duo.wait_for_text_to_equal(cell(run.id, "episodes"), "300 / 300")
    dash_duo.wait_for_text_to_equal(cell(run.id, "progress"), "100%")
    assert dash_duo.find_element(cell(run.id, "alpha")).text == "0.5"
    assert dash_duo.find_element(cell(run.id, "algorithm")).text == "SARSA"
    assert dash_duo.find_element(cell(run.id, "recent_return")).text not in ("", "–")
    dash_duo.wait_for_text_to_equal(f"#{ids.RUNS_COUNT}", "1 run")
    assert dash_duo.get_logs() == []


def test_bad_value_is_shown_at_its_field_and_creates_nothing(dash_duo, store_url, store, pool):
    dash_duo.start_server(create_app(store_url))
    dash_duo.wait_for_contains_text(f"#{ids.RUNS_EMPTY}", "No runs yet")
    _open_form(dash_duo)
    bad = {"episodes": "abc", "alpha": "0", "gamma": "1.5"}
    for field, text in bad.items():
        _type(dash_duo, f"#{ids.new_field(field)}", text)
    alpha_box = dash_duo.find_element(f"#{ids.new_field('alpha')}").find_element("xpath", "..")
    assert alpha_box.text.count("0 < x <= 1") == 1  # the hint, before any error
    dash_duo.find_element(f"#{ids.NEW_SUBMIT}").click()
    # Every bad field at once, each at its own field, in the words the CLI and the HTTP API
    # give for these values.
    with pytest.raises(ValidationError) as expected:
        spec_from_request({"episodes": "abc", "params": {"alpha": "0", "gamma": "1.5"}})
    messages = {error.field: str(error) for error in each_error(expected.value)}
    assert set(messages) == set(bad)
    for field, message in messages.items():
        dash_duo.wait_for_text_to_equal(f"#{ids.new_feedback(field)}", message)
        assert dash_duo.find_element(f"#{ids.new_feedback(field)}").is_displayed()
        assert _invalid(dash_duo, field)
    # The range is said once: the message says it, and the hint beneath steps aside.
    assert alpha_box.text.count("0 < x <= 1") == 1
    assert not _invalid(dash_duo, "seed")
    assert not any(alert.is_displayed() for alert in dash_duo.find_elements(f"#{ids.NEW_MESSAGE}"))
    assert store.list_runs() == []

    # A broken custom map is reported at the map (rows and columns counted from 1), still
    # creating nothing.
    _type(dash_duo, f"#{ids.new_field('episodes')}", "300")
    _type(dash_duo, f"#{ids.new_field('alpha')}", "0.5")
    _type(dash_duo, f"#{ids.new_field('gamma')}", "0.9")
    Select(dash_duo.find_element(f"#{ids.new_field('preset')}")).select_by_value("custom")
    until(lambda: dash_duo.find_element(f"#{ids.new_field('desc')}").is_displayed(), timeout=5)
    _type(dash_duo, f"#{ids.new_field('desc')}", "S..#\n.T..\n..X.")
    dash_duo.find_element(f"#{ids.NEW_SUBMIT}").click()
    dash_duo.wait_for_contains_text(f"#{ids.new_feedback('desc')}", "desc=")
    assert "'X' at row 3, column 3" in dash_duo.find_element(f"#{ids.new_feedback('desc')}").text
    assert not _invalid(dash_duo, "alpha")
    assert _invalid(dash_duo, "desc")
    assert store.list_runs() == []

    # Fixed, the same form starts the run and the errors clear.
    _type(dash_duo, f"#{ids.new_field('desc')}", "S..#\n.T..\n...G")
    dash_duo.find_element(f"#{ids.NEW_SUBMIT}").click()
    dash_duo.wait_for_contains_text(f"#{ids.NEW_MESSAGE}", "Queued run #")
    (run,) = store.list_runs()
    assert run.spec["desc"] == ["S..#", ".T..", "...G"]
    assert run.hyperparams["alpha"] == 0.5
    assert not _invalid(dash_duo, "desc")
    assert dash_duo.get_logs() == []


def test_selecting_two_runs_links_to_their_comparison(dash_duo, store_url, store):
    first = seeded_run(store, status="finished", episodes=120, name="first")
    live = seeded_run(store, status="running", episodes=40, name="live one")
    other = seeded_run(store, status="paused", episodes=10, name="other")
    dash_duo.start_server(create_app(store_url))
    dash_duo.wait_for_text_to_equal(cell(first, "name"), "first")
    assert _grid_ids(dash_duo) == [str(other), str(live), str(first)]
    assert not dash_duo.find_element(f"#{ids.RUNS_EMPTY}").is_displayed()
    assert _compare_disabled(dash_duo)

    dash_duo.find_element(cell(live, "ag-Grid-SelectionColumn") + " input").click()
    until(lambda: _selected(dash_duo, live), timeout=5)
    dash_duo.wait_for_text_to_equal(f"#{ids.RUNS_COMPARE}", "Compare (1)")
    assert _compare_disabled(dash_duo)
    dash_duo.find_element(cell(first, "ag-Grid-SelectionColumn") + " input").click()
    dash_duo.wait_for_text_to_equal(f"#{ids.RUNS_COMPARE}", "Compare (2)")
    assert not _compare_disabled(dash_duo)
    expected = f"/compare?runs={first},{live}"
    assert dash_duo.find_element(f"#{ids.RUNS_COMPARE}").get_attribute("href").endswith(expected)

    # The live run refreshes the grid; the selection survives the new row data.
    fill(store, live, 25)
    dash_duo.wait_for_text_to_equal(cell(live, "episodes"), "65 / 1,000", timeout=10)
    assert _selected(dash_duo, live) and _selected(dash_duo, first)
    assert not _selected(dash_duo, other)
    assert dash_duo.find_element(f"#{ids.RUNS_COMPARE}").get_attribute("href").endswith(expected)

    dash_duo.find_element(f"#{ids.RUNS_COMPARE}").click()
    dash_duo.wait_for_text_to_equal(f"#{ids.PAGE_TITLE}", "Compare runs")
    assert expected + "&" in dash_duo.driver.current_url
    dash_duo.wait_for_contains_text(f"#{ids.COMPARE_RUNS}", "live one")
    assert "first" in dash_duo.find_element(f"#{ids.COMPARE_RUNS}").text
    assert dash_duo.get_logs() == []


def test_without_a_worker_a_new_run_waits_in_the_queue(dash_duo, store_url, store):
    dash_duo.start_server(create_app(store_url))
    dash_duo.wait_for_contains_text(f"#{ids.RUNS_EMPTY}", "No runs yet")
    _open_form(dash_duo)
    # Other envs have no GridWorld maps: the map choice is switched off.
    Select(dash_duo.find_element(f"#{ids.new_field('env')}")).select_by_value("FrozenLake-v1")
    until(lambda: not dash_duo.find_element(f"#{ids.new_field('preset')}").is_enabled(), timeout=5)
    _type(dash_duo, f"#{ids.new_field('episodes')}", "50")
    dash_duo.find_element(f"#{ids.NEW_SUBMIT}").click()
    dash_duo.wait_for_contains_text(f"#{ids.NEW_MESSAGE}", "Queued run #")
    (run,) = store.list_runs()
    assert (run.env_id, run.status, run.attempt) == ("FrozenLake-v1", "queued", 0)
    dash_duo.wait_for_text_to_equal(cell(run.id, "status"), "queued")
    assert dash_duo.get_logs() == []
