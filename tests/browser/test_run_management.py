"""Keeping runs in order in a real browser: the run page's Manage card (rename, tags, note,
archive, delete after a confirmation) and the runs page's tag filter, "show archived" switch
and selection actions, over a real SQLite store."""

from __future__ import annotations

from dash.testing.wait import until
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from app import ids
from app.factory import create_app
from runstore import RunNotFound
from tests.browser.support import cell
from tests.browser.test_runs_page import _grid_ids, _type
from tests.dashboard_support import seeded_run


def _click(dash_duo, selector: str) -> None:
    """Scroll an element to the middle of the window and click it like a person."""
    element = dash_duo.find_element(selector)
    dash_duo.driver.execute_script(
        "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", element
    )
    element.click()


def _confirm(dash_duo):
    """Wait for the browser's confirmation dialog and return it."""
    return WebDriverWait(dash_duo.driver, 10).until(expected_conditions.alert_is_present())


def _badges(dash_duo) -> list[str]:
    """Return the run page's tag badges."""
    badges = dash_duo.find_elements(f"#{ids.RUN_TAG_BADGES} .badge")
    return [badge.text for badge in badges]


def _gone(store, run_id: int) -> bool:
    """Return whether the run is no longer in the store."""
    try:
        store.get_run(run_id)
    except RunNotFound:
        return True
    return False


def test_the_run_page_renames_tags_notes_archives_and_deletes(dash_duo, store_url, store):
    run_id = seeded_run(store, status="finished", episodes=30, name="first name")
    dash_duo.start_server(create_app(store_url))
    dash_duo.driver.get(f"{dash_duo.server_url}/runs/{run_id}")
    dash_duo.wait_for_element(f"#{ids.RUN_MANAGE}", timeout=15)

    _type(dash_duo, f"#{ids.RUN_NAME}", "better name")
    _click(dash_duo, f"#{ids.RUN_RENAME}")
    dash_duo.wait_for_text_to_equal(f"#{ids.RUN_MANAGE_MESSAGE}", "Renamed.")
    assert store.get_run(run_id).name == "better name"
    dash_duo.wait_for_text_to_equal(f"#{ids.PAGE_TITLE}", f"#{run_id} better name")
    store.manage.rename(run_id, "renamed elsewhere")  # e.g. by run.py rename
    dash_duo.wait_for_text_to_equal(f"#{ids.PAGE_TITLE}", f"#{run_id} renamed elsewhere")

    _type(dash_duo, f"#{ids.RUN_TAGS}", "sweep-a good")
    _click(dash_duo, f"#{ids.RUN_TAGS_SAVE}")
    until(lambda: _badges(dash_duo) == ["good", "sweep-a"], timeout=10)
    assert store.get_run(run_id).tags == ["good", "sweep-a"]
    _type(dash_duo, f"#{ids.RUN_TAGS}", "bad,tag")
    _click(dash_duo, f"#{ids.RUN_TAGS_SAVE}")
    dash_duo.wait_for_contains_text(f"#{ids.RUN_MANAGE_MESSAGE}", "tags='bad,tag' is invalid")
    assert store.get_run(run_id).tags == ["good", "sweep-a"]

    _type(dash_duo, f"#{ids.RUN_NOTE}", "## Findings\n\n**alpha** was too high")
    _click(dash_duo, f"#{ids.RUN_NOTE_SAVE}")
    dash_duo.wait_for_text_to_equal(f"#{ids.RUN_NOTE_VIEW} h2", "Findings")
    assert dash_duo.find_element(f"#{ids.RUN_NOTE_VIEW} strong").text == "alpha"
    assert store.get_run(run_id).note == "## Findings\n\n**alpha** was too high"

    _click(dash_duo, f"#{ids.RUN_ARCHIVE}")
    dash_duo.wait_for_text_to_equal(f"#{ids.RUN_ARCHIVE}", "Unarchive")
    assert dash_duo.find_element(f"#{ids.RUN_ARCHIVED}").is_displayed()
    assert store.get_run(run_id).archived
    _click(dash_duo, f"#{ids.RUN_ARCHIVE}")
    dash_duo.wait_for_text_to_equal(f"#{ids.RUN_ARCHIVE}", "Archive")
    assert not store.get_run(run_id).archived

    # Delete asks first: declined, the run stays; accepted, it is gone and the runs page shows
    _click(dash_duo, f"#{ids.RUN_DELETE}")
    question = _confirm(dash_duo)
    assert question.text.startswith(f"Delete run #{run_id} renamed elsewhere for good")
    question.dismiss()
    assert not _gone(store, run_id)
    _click(dash_duo, f"#{ids.RUN_DELETE}")
    _confirm(dash_duo).accept()
    dash_duo.wait_for_text_to_equal(f"#{ids.PAGE_TITLE}", "Runs", timeout=10)
    assert _gone(store, run_id)
    assert dash_duo.get_logs() == []


def test_a_running_run_is_not_deleted_and_its_settings_start_a_new_run(dash_duo, store_url, store):
    run_id = seeded_run(store, status="running", episodes=30, name="busy")
    dash_duo.start_server(create_app(store_url))
    dash_duo.driver.get(f"{dash_duo.server_url}/runs/{run_id}")
    dash_duo.wait_for_element(f"#{ids.RUN_MANAGE}", timeout=15)
    _click(dash_duo, f"#{ids.RUN_DELETE}")
    _confirm(dash_duo).accept()
    dash_duo.wait_for_contains_text(f"#{ids.RUN_MANAGE_MESSAGE}", f"run {run_id} is running")
    assert store.get_run(run_id).status == "running"

    # "New run with these settings" opens the runs page's form filled with them
    _click(dash_duo, f"#{ids.RUN_LIKE}")
    until(lambda: dash_duo.find_element(f"#{ids.new_field('episodes')}").is_displayed(), timeout=10)
    assert dash_duo.driver.current_url.endswith(f"/?like={run_id}")
    spec = store.get_run(run_id).spec
    for field, value in (("episodes", "1000"), ("preset", "easy"), ("alpha", "0.1")):
        element = dash_duo.find_element(f"#{ids.new_field(field)}")
        assert element.get_attribute("value") == value, field
    assert spec["hyperparams"]["epsilon_decay"] == float(
        dash_duo.find_element(f"#{ids.new_field('epsilon_decay')}").get_attribute("value")
    )
    _click(dash_duo, f"#{ids.NEW_SUBMIT}")
    dash_duo.wait_for_element(f"#{ids.NEW_RUN_LINK}", timeout=10)
    newest = store.list_runs()[0]
    assert newest.id != run_id and newest.hyperparams == store.get_run(run_id).hyperparams
    assert newest.target_episodes == 1000


def _select(dash_duo, run_id: int) -> None:
    """Tick the run's row in the runs grid."""
    dash_duo.find_element(cell(run_id, "ag-Grid-SelectionColumn") + " input").click()


def _choose(dash_duo, dropdown: str, value: str) -> None:
    """Pick the option ``value`` of a dcc.Dropdown."""
    dash_duo.select_dcc_dropdown(f"#{dropdown}", value=value)


def test_the_runs_page_filters_by_tag_and_archives_and_deletes_a_selection(
    dash_duo, store_url, store
):
    first = seeded_run(store, status="finished", episodes=20, name="first")
    second = seeded_run(store, status="stopped", episodes=20, name="second")
    third = seeded_run(store, status="paused", episodes=20, name="third")
    store.manage.retag(first, ["good"])
    store.manage.retag(third, ["good", "x"])
    dash_duo.start_server(create_app(store_url))
    dash_duo.wait_for_text_to_equal(cell(first, "name"), "first")
    assert dash_duo.find_element(cell(third, "tags")).text == "good x"

    _choose(dash_duo, ids.RUNS_TAG, "good")
    until(lambda: _grid_ids(dash_duo) == [str(third), str(first)], timeout=10)
    _choose(dash_duo, ids.RUNS_TAG, "x")
    until(lambda: _grid_ids(dash_duo) == [str(third)], timeout=10)
    dash_duo.driver.get(f"{dash_duo.server_url}/?tag=good")  # a link keeps the filter
    until(lambda: _grid_ids(dash_duo) == [str(third), str(first)], timeout=10)
    dash_duo.driver.get(dash_duo.server_url)
    until(lambda: _grid_ids(dash_duo) == [str(third), str(second), str(first)], timeout=10)

    # archive two selected runs, after a confirmation (declined first: nothing changes)
    _select(dash_duo, first)
    _select(dash_duo, second)
    until(lambda: dash_duo.find_element(f"#{ids.RUNS_ARCHIVE}").is_enabled(), timeout=5)
    _click(dash_duo, f"#{ids.RUNS_ARCHIVE}")
    question = _confirm(dash_duo)
    assert question.text.startswith("Archive 2 runs (#")
    assert f"#{first}" in question.text and f"#{second}" in question.text
    question.dismiss()
    assert not store.get_run(first).archived
    _click(dash_duo, f"#{ids.RUNS_ARCHIVE}")
    _confirm(dash_duo).accept()
    dash_duo.wait_for_contains_text(f"#{ids.RUNS_MANAGE_MESSAGE}", "2 runs archived.")
    until(lambda: _grid_ids(dash_duo) == [str(third)], timeout=10)
    assert store.get_run(first).archived and store.get_run(second).archived

    # show archived lists them again; unarchive one of them
    _click(dash_duo, f"#{ids.RUNS_SHOW_ARCHIVED}")
    until(lambda: _grid_ids(dash_duo) == [str(third), str(second), str(first)], timeout=10)
    dash_duo.driver.get(f"{dash_duo.server_url}/?archived=1")  # a link keeps it (no selection)
    until(lambda: _grid_ids(dash_duo) == [str(third), str(second), str(first)], timeout=10)
    _select(dash_duo, second)
    _click(dash_duo, f"#{ids.RUNS_UNARCHIVE}")
    dash_duo.wait_for_contains_text(f"#{ids.RUNS_MANAGE_MESSAGE}", "1 run unarchived.")
    assert not store.get_run(second).archived

    # delete the selection after a confirmation
    _select(dash_duo, third)
    until(lambda: dash_duo.find_element(f"#{ids.RUNS_DELETE}").is_enabled(), timeout=5)
    _click(dash_duo, f"#{ids.RUNS_DELETE}")
    question = _confirm(dash_duo)
    assert question.text.startswith("Delete 2 runs") and "cannot be undone" in question.text
    question.accept()
    dash_duo.wait_for_contains_text(f"#{ids.RUNS_MANAGE_MESSAGE}", "2 runs deleted.")
    until(lambda: _grid_ids(dash_duo) == [str(first)], timeout=10)
    assert _gone(store, second) and _gone(store, third) and not _gone(store, first)
    assert dash_duo.get_logs() == []
