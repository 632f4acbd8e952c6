"""The live run page in a real browser, over a real store and real worker processes."""

from __future__ import annotations

import json
import re
import time

import pytest
from dash.testing import errors as dash_errors
from dash.testing.wait import until
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.alert import Alert
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from app import ids
from app.actions import submit_run
from app.components.run_header import MESSAGE_MS
from app.factory import create_app
from tests.browser.support import read_figure, shown, status
from tests.dashboard_support import fill, seeded_run, wait_for

LONG_RUN = {"preset": "medium", "episodes": 5_000_000, "name": "long live run", "pace": 2000}
"""Live for the whole test; paced, so its worker leaves the browser a core (flat out it
trains half a million episodes a second)."""
PACE = r"[0-9][0-9,.]* episodes/s · ETA ([0-9]+ d )?([0-9]+ h )?([0-9]+ min )?[0-9]+ (s|min|h)"
"""The header's pace line of a run in training (a rate and a time left)."""


def _last_episode(dash_duo) -> float:
    """Return the last x value of the return curve's mean line (0 before any data)."""
    figure = read_figure(dash_duo, "return")
    if not figure or not figure["data"] or not figure["data"][-1]["x"]:
        return 0
    return figure["data"][-1]["x"][-1]


def _click(dash_duo, selector: str) -> None:
    """Wait for the curves to be drawn (the layout is then settled), scroll an element to
    the middle of the window (at once: Bootstrap scrolls smoothly) and click it like a
    person."""
    until(lambda: read_figure(dash_duo, "explore"), timeout=10)
    element = dash_duo.find_element(selector)
    dash_duo.driver.execute_script(
        "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", element
    )
    element.click()


def _open_run(dash_duo, store_url: str, run_id: int) -> None:
    """Serve the dashboard over ``store_url`` and open the run's page."""
    dash_duo.start_server(create_app(store_url))
    dash_duo.driver.get(f"{dash_duo.server_url}/runs/{run_id}")


def _confirm(dash_duo) -> Alert:
    """Wait for the browser's confirmation dialog and return it."""
    return WebDriverWait(dash_duo.driver, 10).until(expected_conditions.alert_is_present())


def _css(element_id: dict) -> str:
    """Return the CSS selector of a component with a dict id (Dash writes its keys sorted)."""
    text = json.dumps(element_id, sort_keys=True, separators=(",", ":"))
    return "#" + text.translate({ord(c): "\\" + c for c in '{}":,'})


def test_live_curve_grows_and_pause_resume_work(dash_duo, store_url, store, pool):
    run_id = submit_run(store, LONG_RUN)
    _open_run(dash_duo, store_url, run_id)
    dash_duo.wait_for_contains_text(f"#{ids.RUN_STATUS}", "running", timeout=15)
    until(lambda: _last_episode(dash_duo) > 0, timeout=10)
    first = _last_episode(dash_duo)
    until(lambda: _last_episode(dash_duo) > first, timeout=10)  # the curve grows live
    # bands, mean lines and a bounded number of points
    returns = read_figure(dash_duo, "return")["data"]
    assert returns[0]["fill"] == "toself" and len(returns[-1]["x"]) <= 1000
    # the header says how fast the run trains and when it will be done
    pace = f"#{ids.RUN_PACE}"
    until(lambda: re.fullmatch(PACE, dash_duo.find_element(pace).text), timeout=10)

    _click(dash_duo, f"#{ids.RUN_PAUSE}")
    until(lambda: status(dash_duo).startswith("paused"), timeout=15)
    dash_duo.wait_for_text_to_equal(pace, "— episodes/s · ETA —")
    assert store.get_run(run_id).status == "paused"
    until(lambda: not shown(dash_duo, ids.RUN_ACTION_MESSAGE), timeout=2)  # request done
    until(lambda: dash_duo.find_element(f"#{ids.RUN_RESUME}").is_enabled(), timeout=5)
    assert not dash_duo.find_element(f"#{ids.RUN_PAUSE}").is_enabled()
    paused_at = store.get_run(run_id).episodes_done

    _click(dash_duo, f"#{ids.RUN_RESUME}")
    until(lambda: status(dash_duo).startswith("running"), timeout=15)
    wait_for(lambda: store.get_run(run_id).episodes_done > paused_at, 10, "training to go on")
    # Stop asks first: declined, nothing happens; accepted, the run stops
    _click(dash_duo, f"#{ids.RUN_STOP}")
    question = _confirm(dash_duo)
    assert question.text.startswith(f"Stop run #{run_id} long live run?")
    question.dismiss()
    assert store.get_run(run_id).requested_status != "stopped"
    _click(dash_duo, f"#{ids.RUN_STOP}")
    _confirm(dash_duo).accept()
    wait_for(lambda: store.get_run(run_id).status == "stopped", 15, "the run to stop")
    until(lambda: status(dash_duo).startswith("stopped"), timeout=15)
    until(lambda: not shown(dash_duo, ids.RUN_ACTION_MESSAGE), timeout=2)
    assert not dash_duo.find_element(f"#{ids.RUN_STOP}").is_enabled()
    # a stopped run's hyperparameters are read-only, and say why
    assert not dash_duo.find_element(f"#{ids.RUN_PARAMS_APPLY}").is_enabled()
    assert dash_duo.find_element(_css(ids.run_param("alpha"))).get_attribute("readonly")
    locked = dash_duo.find_element(f"#{ids.RUN_PARAMS_LOCKED}").text
    assert (
        locked
        == f"run {run_id} is stopped; only queued, running or paused runs can change parameters"
    )
    assert dash_duo.get_logs() == []


def test_a_pause_message_stays_while_the_pause_is_pending_and_goes_once_paused(
    dash_duo, store_url, store
):
    # no worker: the pause stays pending until this test plays the worker's part
    run_id = seeded_run(store, status="running", episodes=500, name="slow to pause", target=10**6)
    _open_run(dash_duo, store_url, run_id)
    dash_duo.wait_for_contains_text(f"#{ids.RUN_STATUS}", "running")
    _click(dash_duo, f"#{ids.RUN_PAUSE}")
    clicked = time.monotonic()
    dash_duo.wait_for_contains_text(f"#{ids.RUN_STATUS}", "paused requested")
    message = f"#{ids.RUN_ACTION_MESSAGE}"
    assert dash_duo.find_element(message).text.startswith("Pause requested")
    fill(store, run_id, 100)  # the run goes on, the page refreshes: the message stays...
    dash_duo.wait_for_contains_text(f"#{ids.RUN_EPISODES}", "600 /")
    # ...past the time other messages show for
    until(lambda: time.monotonic() - clicked > MESSAGE_MS / 1000 + 0.5, timeout=10)
    assert dash_duo.find_element(message).text.startswith("Pause requested")
    store.set_status(run_id, "paused")  # what its worker does at the next episode
    until(lambda: status(dash_duo) == "paused", timeout=10)
    until(lambda: not shown(dash_duo, ids.RUN_ACTION_MESSAGE), timeout=2)
    assert dash_duo.get_logs() == []


def test_a_parameter_change_goes_pending_then_applied_with_a_marker(
    dash_duo, store_url, store, pool
):
    run_id = submit_run(store, LONG_RUN)
    wait_for(lambda: store.get_run(run_id).episodes_done > 0, 15, "the first episodes")
    _open_run(dash_duo, store_url, run_id)
    dash_duo.wait_for_contains_text(f"#{ids.RUN_STATUS}", "running", timeout=15)
    dash_duo.find_element(_css(ids.run_param("alpha"))).send_keys("0.05")
    _click(dash_duo, f"#{ids.RUN_PARAMS_APPLY}")
    dash_duo.wait_for_contains_text(f"#{ids.RUN_PARAMS_MESSAGE}", "alpha → 0.05")
    dash_duo.wait_for_contains_text(f"#{ids.RUN_CHANGES}", "alpha 0.1 → 0.05", timeout=10)
    dash_duo.wait_for_contains_text(f"#{ids.RUN_CHANGES}", "episode", timeout=10)
    applied = wait_for(
        lambda: store.param_changes(run_id)[-1].applied_episode, 10, "the change to apply"
    )
    assert f"episode {applied:,}" in dash_duo.find_element(f"#{ids.RUN_CHANGES}").text

    def marker_hover() -> str:
        annotations = read_figure(dash_duo, "return")["layout"].get("annotations", [])
        return " ".join(a.get("hovertext", "") for a in annotations)

    until(lambda: f"episode {applied}: alpha 0.1 → 0.05" in marker_hover(), timeout=10)
    assert f"episode {applied}: alpha 0.1" in json.dumps(read_figure(dash_duo, "explore")["layout"])
    # the alpha curve shows the new value from that episode on
    row = store.episodes(run_id, applied, 1)[0]
    assert row.alpha == pytest.approx(0.05)
    store.request_status(run_id, "stopped")
    assert dash_duo.get_logs() == []


def test_a_bad_parameter_shows_its_field_error_and_enter_applies_a_good_one(
    dash_duo, store_url, store
):
    run_id = seeded_run(store, status="paused", episodes=300, name="paused run")
    _open_run(dash_duo, store_url, run_id)
    dash_duo.wait_for_contains_text(f"#{ids.RUN_STATUS}", "paused")
    field = _css(ids.run_param("gamma"))
    dash_duo.find_element(field).send_keys("1.5")
    _click(dash_duo, f"#{ids.RUN_PARAMS_APPLY}")
    feedback = _css(ids.run_param_feedback("gamma"))
    dash_duo.wait_for_contains_text(feedback, "gamma=1.5 is invalid")
    assert "allowed" in dash_duo.find_element(feedback).text
    assert "is-invalid" in dash_duo.find_element(field).get_attribute("class")
    assert store.param_changes(run_id) == []
    # Enter in a field applies, as Apply does (a paused run takes changes on resume)
    dash_duo.find_element(field).clear()
    dash_duo.find_element(field).send_keys("0.9\n")
    dash_duo.wait_for_contains_text(f"#{ids.RUN_PARAMS_MESSAGE}", "Queued: gamma → 0.9.")
    assert [change.new_value for change in store.param_changes(run_id)] == [0.9]
    assert dash_duo.find_element(f"#{ids.RUN_PARAMS_LOCKED}").text == ""
    assert dash_duo.get_logs() == []


def test_a_failed_run_shows_its_error_banner(dash_duo, store_url, store):
    run_id = seeded_run(store, status="error", episodes=10, name="broken")
    _open_run(dash_duo, store_url, run_id)
    error = "NonFiniteQError: Q became NaN at episode 7"
    dash_duo.wait_for_contains_text(f"#{ids.RUN_ERROR}", error)
    assert "error" in status(dash_duo)
    assert not dash_duo.find_element(f"#{ids.RUN_PAUSE}").is_enabled()
    assert dash_duo.find_element(f"#{ids.RUN_RESUME}").is_enabled()  # resumable from its checkpoint
    assert dash_duo.get_logs() == []


def test_zoom_reads_the_window_at_full_resolution_and_survives_refreshes(
    dash_duo, store_url, store
):
    run_id = seeded_run(store, status="running", episodes=50_000, name="zoomable", target=10**6)
    _open_run(dash_duo, store_url, run_id)
    until(lambda: _last_episode(dash_duo) > 49_000, timeout=10)
    assert len(read_figure(dash_duo, "return")["data"][-1]["x"]) <= 1000

    def zoomed(key: str) -> bool:
        figure = read_figure(dash_duo, key)
        xs = figure["data"][-1]["x"]
        return xs[:2] == [20_000, 20_001] and xs[-1] == 20_400

    # A zoom that lands while the graph redraws for a refresh can be dropped by the graph
    # component (dcc.Graph rebinds its events on every redraw); a person zooms again.
    for attempt in range(3):
        dash_duo.driver.execute_script(
            f"const g = document.querySelector('#{ids.run_curve('return')} .js-plotly-plot');"
            "Plotly.relayout(g, {'xaxis.range[0]': 20000, 'xaxis.range[1]': 20400});"
        )
        try:  # every curve follows, re-read at one episode per point
            until(lambda: zoomed("return") and zoomed("length"), timeout=8)
            break
        except dash_errors.TestingTimeoutError:
            if attempt == 2:
                raise
    fill(store, run_id, 3000)  # the run goes on; the page keeps refreshing
    until(lambda: "53,000" in dash_duo.find_element(f"#{ids.RUN_EPISODES}").text, timeout=10)
    dash_duo.wait_for_contains_text(f"#{ids.RUN_EPISODES}", "53,000")
    figure = read_figure(dash_duo, "return")
    assert figure["layout"]["xaxis"]["range"] == [20_000, 20_400]
    assert zoomed("return")
    # a double-click (autorange) goes back to the whole run
    dash_duo.driver.execute_script(
        f"const g = document.querySelector('#{ids.run_curve('return')} .js-plotly-plot');"
        "Plotly.relayout(g, {'xaxis.autorange': true});"
    )
    until(lambda: _last_episode(dash_duo) > 52_000, timeout=10)
    assert dash_duo.get_logs() == []


def test_an_unknown_run_says_so(dash_duo, store_url):
    dash_duo.start_server(create_app(store_url))
    dash_duo.driver.get(f"{dash_duo.server_url}/runs/999")
    dash_duo.wait_for_contains_text(f"#{ids.RUN_MISSING}", "run 999 not found")
    assert dash_duo.get_logs() == []


def test_a_lost_server_shows_reconnecting_and_keeps_the_last_data(dash_duo, store_url, store):
    run_id = seeded_run(store, status="running", episodes=2000, name="live", target=10**6)
    _open_run(dash_duo, store_url, run_id)
    until(lambda: _last_episode(dash_duo) > 1900, timeout=10)
    assert not dash_duo.find_element(f"#{ids.RUN_RECONNECTING}").is_displayed()
    dash_duo.server.stop()
    until(lambda: dash_duo.find_element(f"#{ids.RUN_RECONNECTING}").is_displayed(), timeout=10)
    assert _last_episode(dash_duo) > 1900  # the curves stay as they were
    assert "2,000 / 1,000,000 episodes" in dash_duo.find_element(f"#{ids.RUN_EPISODES}").text


def test_the_view_settings_live_in_the_url_and_survive_a_reload(dash_duo, store_url, store):
    run_id = seeded_run(store, status="finished", episodes=3000, name="view", target=3000)
    _open_run(dash_duo, store_url, run_id)
    until(lambda: _last_episode(dash_duo) > 2900, timeout=10)
    _click(dash_duo, f"#{ids.RUN_X} input[value='env_steps']")
    _click(dash_duo, f"#{ids.RUN_LOGY}")
    until(lambda: "symlog" in json.dumps(read_figure(dash_duo, "return")["layout"]), timeout=10)
    dash_duo.driver.execute_script(
        f"const g = document.querySelector('#{ids.run_curve('return')} .js-plotly-plot');"
        "Plotly.relayout(g, {'xaxis.range[0]': 5000, 'xaxis.range[1]': 9000});"
    )
    query = "?x=env_steps&smooth=0.6&logy=1&bands=1&zoom=5000,9000"
    until(lambda: dash_duo.driver.current_url.endswith(query), timeout=10)

    dash_duo.driver.refresh()
    until(lambda: read_figure(dash_duo, "return"), timeout=10)
    layout = read_figure(dash_duo, "return")["layout"]
    assert layout["xaxis"]["range"] == [5000, 9000]
    assert layout["xaxis"]["title"]["text"] == "environment steps"
    assert "symlog" in layout["yaxis"]["title"]["text"]  # the returns go below zero
    assert dash_duo.find_element(f"#{ids.RUN_LOGY}").is_selected()
    assert dash_duo.find_element(f"#{ids.RUN_X} input[value='env_steps']").is_selected()
    assert dash_duo.driver.current_url.endswith(query)
    assert dash_duo.get_logs() == []


def _prefer(dash_duo, scheme: str) -> None:
    """Make the browser report ``prefers-color-scheme: scheme``, as a system setting does."""
    dash_duo.driver.execute_cdp_cmd(
        "Emulation.setEmulatedMedia",
        {"features": [{"name": "prefers-color-scheme", "value": scheme}]},
    )


def _page_colours(dash_duo) -> dict:
    """Return the page's theme attribute, body background and the return curve's paper."""
    return dash_duo.driver.execute_script(
        f"const g = document.querySelector('#{ids.run_curve('return')} .js-plotly-plot');"
        "return {theme: document.documentElement.getAttribute('data-bs-theme'),"
        "  body: getComputedStyle(document.body).backgroundColor,"
        "  paper: g && g._fullLayout ? g._fullLayout.paper_bgcolor : null};"
    )


def test_the_dark_theme_follows_the_system_preference_offline(dash_duo, store_url, store):
    run_id = seeded_run(store, status="finished", episodes=1000, name="dark", target=1000)
    _prefer(dash_duo, "dark")
    _open_run(dash_duo, store_url, run_id)
    until(lambda: _page_colours(dash_duo)["paper"] == "#212529", timeout=10)
    colours = _page_colours(dash_duo)
    assert colours["theme"] == "dark" and colours["body"] == "rgb(33, 37, 41)"
    # every stylesheet and script comes from the dashboard itself: no CDN
    origins = dash_duo.driver.execute_script(
        "return [...document.querySelectorAll('link[href], script[src]')]"
        "  .map(e => new URL(e.href || e.src).origin);"
    )
    assert origins and set(origins) == {dash_duo.server_url}
    # the system goes light: the page and its figures follow, without a reload
    _prefer(dash_duo, "light")
    until(lambda: _page_colours(dash_duo)["paper"] == "#fff", timeout=10)
    assert _page_colours(dash_duo)["theme"] == "light"
    assert _page_colours(dash_duo)["body"] == "rgb(255, 255, 255)"
    assert dash_duo.get_logs() == []


def test_a_parameter_changes_hover_text_shows_along_its_whole_line(dash_duo, store_url, store):
    run_id = seeded_run(store, status="finished", episodes=1000, name="changed", target=1000)
    store.request_params(run_id, {"alpha": 0.05}, "ui")
    store.take_pending_params(run_id, 500)
    _open_run(dash_duo, store_url, run_id)
    until(lambda: _last_episode(dash_duo) > 900, timeout=10)
    graph = f"#{ids.run_curve('return')}"
    drag = dash_duo.find_element(f"{graph} .nsewdrag")
    at = dash_duo.driver.execute_script(
        f"const g = document.querySelector('{graph} .js-plotly-plot');"
        "return g._fullLayout.xaxis.l2p(500);"
    )
    dash_duo.driver.execute_script(
        "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", drag
    )

    nudges = iter(range(10**6))

    def hover_text() -> str:
        # the pointer halfway down the plot on the dotted line, far below its small label,
        # a pixel to either side in turn: each try is a new hover on the line, not a
        # pointer that stayed where a slow first draw did not see it
        ActionChains(dash_duo.driver).move_to_element(drag).move_by_offset(
            round(at - drag.size["width"] / 2) + next(nudges) % 3 - 1, 0
        ).perform()
        layer = dash_duo.driver.find_elements("css selector", f"{graph} .hoverlayer")
        return layer[0].text if layer else ""

    until(lambda: "episode 500: alpha 0.1 → 0.05" in hover_text(), timeout=20)
    assert dash_duo.get_logs() == []
