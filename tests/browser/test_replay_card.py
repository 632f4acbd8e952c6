"""The policy page's Replay card and its visit / |TD error| maps in a real browser: an episode
played and stepped on a deterministic map (the agent's cell moves as its steps say), the
episode picker, the greedy rollout of the checkpoint the scrubber shows, the maps and their
captions, the step table of an env without a grid, and the picker following a run that
records new episodes."""

from __future__ import annotations

import json
from collections import Counter

from dash.testing.wait import until
from selenium.webdriver.common.keys import Keys

from app import ids
from app.factory import create_app
from app.training import create_run
from runstore import RunStore
from tests.demo import add_trained_run
from tests.trainer.support import make_spec, wait_for

MAP = f"#{ids.REPLAY_MAP} .js-plotly-plot"
WIDTH = 5
"""The width of GridWorld's easy map (state = row * width + column)."""


def _agent(dash_duo) -> list | None:
    """Return the replay map's agent cell [column, row] and the path's length, or None
    before a frame is drawn."""
    return json.loads(
        dash_duo.driver.execute_script(
            f"const g = document.querySelector('{MAP}');"
            "if (!g || !g.data || !g.data[2] || !g.data[2].x.length) return 'null';"
            "return JSON.stringify([g.data[2].x[0], g.data[2].y[0], g.data[1].x.length]);"
        )
    )


def _cell(state: int) -> list[int]:
    """Return [column, row] of a state of the easy map."""
    row, column = divmod(state, WIDTH)
    return [column, row]


def _click(dash_duo, selector: str) -> None:
    """Scroll an element to the middle of the window and click it like a person."""
    element = dash_duo.find_element(selector)
    dash_duo.driver.execute_script(
        "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", element
    )
    element.click()


def _choose(dash_duo, label: str) -> None:
    """Pick the Replay card's option ``label``: open the picker, search for it, click it."""
    picker = dash_duo.find_element(f"#{ids.REPLAY_CHOICE}")
    dash_duo.driver.execute_script(
        "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", picker
    )
    picker.click()
    dash_duo.find_element(".dash-dropdown-search").send_keys(label)
    option = ".dash-dropdown-options .dash-dropdown-option"
    until(lambda: [e.text for e in dash_duo.find_elements(option)] == [label], timeout=10)
    dash_duo.find_element(option).click()


def _open(dash_duo, store_url: str, run_id: int) -> None:
    """Open the run's policy page and wait for the replay of its newest episode."""
    dash_duo.start_server(create_app(store_url))
    dash_duo.driver.get(f"{dash_duo.server_url}/runs/{run_id}/policy")
    dash_duo.wait_for_contains_text(f"#{ids.REPLAY_CAPTION}", "start · at", timeout=45)


def test_the_replay_steps_and_plays_the_newest_episode_cell_by_cell(dash_duo, store_url):
    store = RunStore(store_url)
    run_id = add_trained_run(store, preset="easy", episodes=60, checkpoint_every=20)
    newest = store.trajectory(run_id, 60).columns
    states, nexts = newest["state"].tolist(), newest["next_state"].tolist()
    _open(dash_duo, store_url, run_id)
    assert "episode 60 · last" in dash_duo.find_element(f"#{ids.REPLAY_NOTE}").text
    until(lambda: _agent(dash_duo) == [*_cell(states[0]), 1], timeout=10)
    _click(dash_duo, f"#{ids.REPLAY_NEXT}")
    dash_duo.wait_for_contains_text(f"#{ids.REPLAY_CAPTION}", f"step 1 of {len(states)}")
    until(lambda: _agent(dash_duo) == [*_cell(nexts[0]), 2], timeout=10)
    _click(dash_duo, f"#{ids.REPLAY_NEXT}")
    until(lambda: _agent(dash_duo) == [*_cell(nexts[1]), 3], timeout=10)
    _click(dash_duo, f"#{ids.REPLAY_PREVIOUS}")
    until(lambda: _agent(dash_duo) == [*_cell(nexts[0]), 2], timeout=10)
    # the step slider: End goes to the episode's last step
    thumb = f"#{ids.REPLAY_STEP} [role=slider]"
    _click(dash_duo, thumb)
    dash_duo.find_element(thumb).send_keys(Keys.END)
    caption = f"step {len(states)} of {len(states)}"
    dash_duo.wait_for_contains_text(f"#{ids.REPLAY_CAPTION}", caption)
    until(lambda: _agent(dash_duo) == [*_cell(nexts[-1]), len(states) + 1], timeout=10)
    # play from the end starts over, steps through every cell and stops at the end
    _click(dash_duo, f"#{ids.REPLAY_PLAY}")
    dash_duo.wait_for_text_to_equal(f"#{ids.REPLAY_PLAY}", "⏸ Pause")
    seen = []
    until(lambda: seen.append(_agent(dash_duo)) or seen[-1][2] == len(states) + 1, timeout=60)
    assert seen[-1][:2] == _cell(nexts[-1])
    assert len({tuple(frame) for frame in seen}) > 2  # it moved through frames between
    dash_duo.wait_for_text_to_equal(f"#{ids.REPLAY_PLAY}", "▶ Play")
    assert dash_duo.get_logs() == []


def test_the_picker_replays_a_chosen_episode_and_the_greedy_rollout_of_the_scrubbed_checkpoint(
    dash_duo, store_url
):
    store = RunStore(store_url)
    run_id = add_trained_run(store, preset="easy", episodes=60, checkpoint_every=20)
    first = store.trajectory(run_id, 3).columns
    _open(dash_duo, store_url, run_id)
    _choose(dash_duo, f"episode 3 · first ({len(first['state'])} steps)")
    dash_duo.wait_for_contains_text(f"#{ids.REPLAY_NOTE}", "episode 3 · first")
    until(lambda: _agent(dash_duo) == [*_cell(int(first["state"][0])), 1], timeout=10)
    _choose(dash_duo, "greedy rollout at the checkpoint shown")
    dash_duo.wait_for_contains_text(f"#{ids.REPLAY_NOTE}", "checkpoint at episode 60")
    assert "deterministic map" in dash_duo.find_element(f"#{ids.REPLAY_NOTE}").text
    assert "ε 0 ·" in _last_caption(dash_duo)
    # the page's scrubber one checkpoint back: the rollout follows it
    thumb = f"#{ids.POLICY_SLIDER} [role=slider]"
    _click(dash_duo, thumb)
    dash_duo.find_element(thumb).send_keys(Keys.ARROW_LEFT)
    dash_duo.wait_for_contains_text(f"#{ids.REPLAY_NOTE}", "checkpoint at episode 40", timeout=15)
    assert dash_duo.get_logs() == []


def _last_caption(dash_duo) -> str:
    """Step the replay to its end and return that caption."""
    thumb = f"#{ids.REPLAY_STEP} [role=slider]"
    _click(dash_duo, thumb)
    dash_duo.find_element(thumb).send_keys(Keys.END)
    dash_duo.wait_for_contains_text(f"#{ids.REPLAY_CAPTION}", "step ")
    return dash_duo.find_element(f"#{ids.REPLAY_CAPTION}").text


def _z(dash_duo, graph: str) -> list:
    """Return the values Plotly holds for the first trace of a graph."""
    return dash_duo.driver.execute_script(
        f"const g = document.querySelector('#{graph} .js-plotly-plot');"
        "return g && g.data ? (g.data[0].z || g.data[0].y) : null;"
    )


def test_the_visit_and_td_maps_cover_the_newest_recorded_episodes(dash_duo, store_url):
    store = RunStore(store_url)
    run_id = add_trained_run(store, preset="easy", episodes=60, checkpoint_every=20)
    counts: Counter[int] = Counter()
    for episode in range(41, 61):
        counts.update(store.trajectory(run_id, episode).columns["state"].tolist())
    _open(dash_duo, store_url, run_id)
    dash_duo.wait_for_text_to_equal(f"#{ids.VISITS_CAPTION}", "episodes 41–60, 20 recorded")
    until(lambda: _z(dash_duo, ids.VISITS_MAP) is not None, timeout=10)
    z = _z(dash_duo, ids.VISITS_MAP)
    shown = {r * WIDTH + c: v for r, row in enumerate(z) for c, v in enumerate(row) if v}
    assert shown == dict(counts)
    td = _z(dash_duo, ids.VISITS_TD)
    assert [r * WIDTH + c for r, row in enumerate(td) for c, v in enumerate(row) if v is not None]
    assert dash_duo.find_element(f"#{ids.VISITS_TD} .colorbar .cbtitle text").text == (
        "mean |TD error|"
    )
    assert dash_duo.get_logs() == []


def test_an_env_without_a_grid_gets_a_step_table_and_bars(dash_duo, store_url):
    store = RunStore(store_url)
    run_id = add_trained_run(store, env_id="Taxi-v4", episodes=12, checkpoint_every=6)
    steps = store.trajectory(run_id, 12).steps
    _open(dash_duo, store_url, run_id)
    rows = f"#{ids.REPLAY_TABLE} tbody tr"
    until(lambda: len(dash_duo.find_elements(rows)) == steps, timeout=10)
    assert not dash_duo.find_element(f"#{ids.REPLAY_MAP}").is_displayed()
    _click(dash_duo, f"#{ids.REPLAY_NEXT}")
    dash_duo.wait_for_contains_text(f"#{ids.REPLAY_CAPTION}", f"step 1 of {steps} · state ")
    dash_duo.wait_for_element(f"#{ids.VISITS_MAP} .barlayer")
    assert dash_duo.get_logs() == []


def _note(dash_duo) -> str:
    return dash_duo.find_element(f"#{ids.REPLAY_NOTE}").text


def test_while_a_run_trains_the_picker_follows_its_newest_episode_unless_one_was_picked(
    dash_duo, store_url, store, pool
):
    # 10 episodes a second: the first ten at once, the run's last twenty after ~18 s
    run_id = create_run(store, make_spec(episodes=200, seed=2, pace=10))
    wait_for(lambda: len(store.trajectories(run_id)) >= 10, 30, "the first ten recorded")
    _open(dash_duo, store_url, run_id)
    until(lambda: "· first (" in _note(dash_duo), timeout=10)
    _choose(dash_duo, f"episode 3 · first ({store.trajectory(run_id, 3).length} steps)")
    dash_duo.wait_for_contains_text(f"#{ids.REPLAY_NOTE}", "episode 3 · first")
    # the run records its last episodes: the list follows, the picked episode stays
    until(lambda: _newest_offered(dash_duo) > 180, timeout=60)
    assert "episode 3 · first" in _note(dash_duo)
    _choose(dash_duo, _options(dash_duo)[0])
    until(lambda: "· last (" in _note(dash_duo), timeout=10)
    wait_for(lambda: store.get_run(run_id).status == "finished", 60, "the run to finish")
    dash_duo.wait_for_contains_text(f"#{ids.REPLAY_NOTE}", "episode 200 · last", timeout=15)
    dash_duo.wait_for_text_to_equal(f"#{ids.VISITS_CAPTION}", "episodes 181–200, 20 recorded")
    assert dash_duo.get_logs() == []


def _newest_offered(dash_duo) -> int:
    """Return the episode the picker's first option (the newest, followed) names."""
    label = _options(dash_duo)[0]  # "newest recorded episode (follows the run): episode N · …"
    return int(label.split(": episode ")[1].split(" ")[0].replace(",", ""))


def _options(dash_duo) -> list[str]:
    """Return the picker's option labels (opening it and closing it again)."""
    picker = dash_duo.find_element(f"#{ids.REPLAY_CHOICE}")
    dash_duo.driver.execute_script(
        "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", picker
    )
    picker.click()
    option = ".dash-dropdown-options .dash-dropdown-option"
    labels = [e.text for e in dash_duo.find_elements(option)]
    dash_duo.find_element(".dash-dropdown-search").send_keys(Keys.ESCAPE)
    until(lambda: not dash_duo.find_elements(option), timeout=5)
    return labels
