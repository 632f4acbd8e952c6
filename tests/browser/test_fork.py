"""Forking from the policy page in a real browser: pick a checkpoint on the scrubber, "Fork
from here", change alpha on the run page's fork card, and watch the fork's curves continue
its parent's (a real worker pool trains it)."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlparse

from dash.testing.wait import until
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.keys import Keys

from app import ids
from app.factory import create_app
from tests.browser.support import read_figure, status
from tests.trainer.support import make_spec, train_new


def _css(element_id: dict) -> str:
    """Return the CSS selector of a component with a dict id (Dash writes its keys sorted)."""
    text = json.dumps(element_id, sort_keys=True, separators=(",", ":"))
    return "#" + text.translate({ord(c): "\\" + c for c in '{}":,'})


def _click(dash_duo, selector: str) -> None:
    """Scroll an element to the middle of the window and click it like a person."""
    element = dash_duo.find_element(selector)
    dash_duo.driver.execute_script(
        "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", element
    )
    element.click()


def _fork_href(dash_duo) -> str:
    """Return where "Fork from here" points now ('' before it is set, or while the page is
    drawing it again: the element just found may be replaced before it is read)."""
    try:
        return dash_duo.find_element(f"#{ids.POLICY_FORK}").get_attribute("href") or ""
    except StaleElementReferenceException:
        return ""


def test_fork_from_the_scrubber_with_a_new_alpha_continues_the_parents_curve(
    dash_duo, store_url, store, pool
):
    spec = make_spec(episodes=300, seed=6, checkpoint_every=100, hyperparams={"alpha": 0.2})
    parent = train_new(store, spec).run_id
    dash_duo.start_server(create_app(store_url))
    dash_duo.driver.get(f"{dash_duo.server_url}/runs/{parent}/policy")
    until(lambda: _fork_href(dash_duo).endswith(f"?fork=300#{ids.FORK_CARD}"), timeout=15)
    thumb = f"#{ids.POLICY_SLIDER} [role=slider]"
    _click(dash_duo, thumb)
    dash_duo.find_element(thumb).send_keys(Keys.ARROW_LEFT)  # one checkpoint back
    dash_duo.wait_for_contains_text(f"#{ids.POLICY_LABEL}", "episode 200", timeout=15)
    until(lambda: "?fork=200" in _fork_href(dash_duo), timeout=15)
    _click(dash_duo, f"#{ids.POLICY_FORK}")

    dash_duo.wait_for_contains_text(f"#{ids.FORK_AT}", "episode 200", timeout=15)
    # the run page then writes its own view settings into the query, keeping the fork's
    until(lambda: "smooth=" in dash_duo.driver.current_url, timeout=15)
    url = urlparse(dash_duo.driver.current_url)
    assert url.path == f"/runs/{parent}" and parse_qs(url.query)["fork"] == ["200"]
    assert url.fragment == ids.FORK_CARD
    alpha = dash_duo.find_element(_css(ids.fork_param("alpha")))
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", alpha)
    alpha.send_keys("0.05")
    _click(dash_duo, f"#{ids.FORK_SUBMIT}")
    link = dash_duo.wait_for_element(f"#{ids.FORK_LINK}", timeout=15)
    child = int(link.text.split()[-1])
    assert (store.get_run(child).parent_id, store.get_run(child).fork_episode) == (parent, 200)
    _click(dash_duo, f"#{ids.FORK_LINK}")

    dash_duo.wait_for_contains_text(f"#{ids.RUN_STATUS}", "finished", timeout=60)
    dash_duo.wait_for_contains_text(
        f"#{ids.RUN_LINEAGE}", f"forked from run {parent} at episode 200", timeout=15
    )
    until(lambda: (read_figure(dash_duo, "explore") or {}).get("data"), timeout=15)
    until(lambda: read_figure(dash_duo, "return")["data"][-1]["x"][-1] >= 291, timeout=15)
    returns = read_figure(dash_duo, "return")
    mean = returns["data"][-1]
    assert mean["x"][0] == 1  # the parent's part, read through the link
    hover = [note.get("hovertext") for note in returns["layout"]["annotations"]]
    assert f"forked from run {parent} at episode 200" in hover
    explore = read_figure(dash_duo, "explore")
    alpha_line = next(trace for trace in explore["data"] if trace.get("name") == "alpha")
    points = dict(zip(alpha_line["x"], alpha_line["y"], strict=False))
    assert points[min(points)] == 0.2 and alpha_line["y"][-1] == 0.05
    assert "run-lineage-row" in dash_duo.find_element(f"#{ids.RUN_LINEAGE}").get_attribute(
        "innerHTML"
    )
    assert status(dash_duo).startswith("finished")
    assert dash_duo.get_logs() == []
