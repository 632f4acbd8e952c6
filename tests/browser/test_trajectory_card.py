"""The run page's trajectories card in a real browser, over stores real trainers wrote: pick
a recorded episode and read its steps; the download links are served (CSV, JSON and the
checkpoint's ``.npy``); and episodes recorded while a worker trains appear by themselves."""

from __future__ import annotations

import csv
import io
import json
import urllib.request

import numpy as np
from dash.testing.wait import until
from selenium.webdriver.support.select import Select

from app import ids
from app.actions import pause_run, resume_run, submit_run
from app.factory import create_app
from tests.dashboard_support import wait_for
from tests.trainer.support import make_spec, train_new

LIVE_RUN = {"preset": "easy", "episodes": 1_000_000, "name": "watched run", "pace": 1}


def _cell(dash_duo, row: int, column: str) -> str:
    """Return the text of one cell of the step table."""
    selector = f"#{ids.TRAJ_GRID} .ag-row[row-index='{row}']"
    return dash_duo.find_element(f"{selector} [col-id='{column}']").text


def _fetch(url: str) -> bytes:
    """Return the body of a GET the way a browser following the link gets it."""
    with urllib.request.urlopen(url, timeout=30) as response:
        assert response.status == 200
        return response.read()


def _options(dash_duo) -> list[str]:
    """Return the episode picker's options as listed (not its empty placeholder)."""
    picker = Select(dash_duo.find_element(f"#{ids.TRAJ_PICK}"))
    texts = [option.get_attribute("textContent") for option in picker.options]
    return [text for text in texts if text]


def test_pick_an_episode_read_its_steps_and_download_them(dash_duo, store_url, store):
    run_id = train_new(store, make_spec(episodes=1100, seed=5, name="trained")).run_id
    dash_duo.start_server(create_app(store_url))
    dash_duo.driver.get(f"{dash_duo.server_url}/runs/{run_id}")
    dash_duo.wait_for_contains_text(f"#{ids.TRAJ_CARD}", "the first 10 episodes, every 1,000th")
    dash_duo.wait_for_contains_text(f"#{ids.TRAJ_CAPTION}", "episode 1,100 · last")
    options = _options(dash_duo)
    assert options[0].startswith("episode 1 · first") and len(options) == 10 + 1 + 20
    assert "episode 1,000 · every" in " ".join(options)

    Select(dash_duo.find_element(f"#{ids.TRAJ_PICK}")).select_by_visible_text(options[0])
    dash_duo.wait_for_contains_text(f"#{ids.TRAJ_CAPTION}", "episode 1 · first")
    record = store.trajectory(run_id, 1)
    assert f"{record.length} steps" in dash_duo.find_element(f"#{ids.TRAJ_CAPTION}").text
    until(lambda: _cell(dash_duo, 0, "step") == "1", timeout=10)
    first_state = int(record.columns["state"][0])
    assert _cell(dash_duo, 0, "state") == f"({first_state // 5}, {first_state % 5})"
    assert _cell(dash_duo, 0, "action") == "↑→↓←"[int(record.columns["action"][0])]
    assert float(_cell(dash_duo, 0, "td_error")) == float(f"{record.columns['td_error'][0]:.4g}")
    headers = dash_duo.driver.execute_script(
        "return [...document.querySelectorAll(arguments[0])].map(e => e.textContent.trim());",
        f"#{ids.TRAJ_GRID} .ag-header-cell-text",
    )
    assert headers[:7] == ["step", "state", "action", "reward", "next state", "ε", "TD error"]
    assert headers[7:] == ["Q(↑)", "Q(→)", "Q(↓)", "Q(←)"]

    csv_href = dash_duo.find_element(f"#{ids.TRAJ_CSV}").get_attribute("href")
    rows = list(csv.DictReader(io.StringIO(_fetch(csv_href).decode())))
    assert csv_href.endswith(f"/api/runs/{run_id}/trajectories/1.csv")
    assert [int(r["state"]) for r in rows] == record.columns["state"].tolist()
    json_href = dash_duo.find_element(f"#{ids.TRAJ_JSON}").get_attribute("href")
    assert json.loads(_fetch(json_href))["episode"] == 1
    npy_href = dash_duo.find_element(f"#{ids.TRAJ_NPY}").get_attribute("href")
    loaded = np.load(io.BytesIO(_fetch(npy_href)), allow_pickle=False)
    assert loaded.tobytes() == store.load_checkpoint(run_id).q.tobytes()
    assert dash_duo.get_logs() == []


def test_the_card_follows_a_run_while_it_trains(dash_duo, store_url, store, pool):
    run_id = submit_run(store, LIVE_RUN)
    wait_for(lambda: store.trajectories(run_id), 30, "the first recorded episode")
    pause_run(store, run_id)  # held while the page loads, however slowly
    wait_for(lambda: store.get_run(run_id).status == "paused", 30, "the run paused")
    seen = len(store.trajectories(run_id))
    assert seen < 10
    dash_duo.start_server(create_app(store_url))
    dash_duo.driver.get(f"{dash_duo.server_url}/runs/{run_id}")
    dash_duo.wait_for_contains_text(f"#{ids.TRAJ_CAPTION}", f"episode {seen} · first")
    assert len(_options(dash_duo)) == seen
    resume_run(store, run_id)
    until(lambda: len(_options(dash_duo)) > seen, timeout=30)
    assert _options(dash_duo)[seen].startswith(f"episode {seen + 1} · first")
    dash_duo.wait_for_contains_text(f"#{ids.TRAJ_CAPTION}", f"episode {seen} · first")
    store.request_status(run_id, "stopped")
    assert dash_duo.get_logs() == []
