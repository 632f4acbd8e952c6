"""A run trained by a real worker feeds the policy page's visit and |TD error| maps: what the
page draws equals a count over the stored step columns of the run's last 20 episodes, and
the greedy rollout replays the run's last checkpoint."""

from __future__ import annotations

from collections import Counter, defaultdict

import gymnasium as gym
import numpy as np
import pytest

from app import ids
from app.factory import create_app
from app.training import create_run
from tests.api.dash_calls import dash_call
from tests.trainer.support import make_spec, wait_for

EPISODES = 2500
WIDTH = 8
"""GridWorld medium's width (state = row * width + column)."""


def _draw(client, run_id: int, shown: object = None, changed: str = ids.THEME) -> dict:
    """Return the maps' callback answer for the run: as the page asks at load (the theme),
    or after its revision moved (``changed``) while it shows ``shown``."""
    values = {
        f"{ids.POLICY_RUN}.data": run_id,
        f"{ids.POLICY_REVISION}.data": 1,
        f"{ids.VISITS_SHOWN}.data": shown,
    }
    response = dash_call(client, f"{ids.VISITS_MAP}.figure", values, f"{changed}.data")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_json()["response"]


def test_the_maps_of_a_trained_run_count_the_steps_of_its_last_twenty_episodes(
    store, store_url, pool
):
    run_id = create_run(store, make_spec(preset="medium", episodes=EPISODES, seed=4))
    wait_for(lambda: store.get_run(run_id).status == "finished", 120, "the run to finish")
    visits: Counter[int] = Counter()
    td: defaultdict[int, list[float]] = defaultdict(list)
    for episode in range(EPISODES - 19, EPISODES + 1):
        columns = store.trajectory(run_id, episode).columns
        for state, error in zip(columns["state"], columns["td_error"], strict=True):
            visits[int(state)] += 1
            td[int(state)].append(abs(float(error)))

    app = create_app(store_url)
    answer = _draw(app.server.test_client(), run_id)
    assert answer[ids.VISITS_CAPTION]["children"] == "episodes 2,481–2,500, 20 recorded"
    assert answer[ids.VISITS_SHOWN]["data"] == list(range(EPISODES - 19, EPISODES + 1))
    z = answer[ids.VISITS_MAP]["figure"]["data"][0]["z"]
    drawn = {r * WIDTH + c: v for r, row in enumerate(z) for c, v in enumerate(row) if v}
    assert drawn == dict(visits)
    z = answer[ids.VISITS_TD]["figure"]["data"][0]["z"]
    drawn_td = {
        r * WIDTH + c: v for r, row in enumerate(z) for c, v in enumerate(row) if v is not None
    }
    assert drawn_td == pytest.approx({s: sum(e) / len(e) for s, e in td.items()})
    # a revision that moved without new recorded episodes draws nothing again
    shown = list(range(EPISODES - 19, EPISODES + 1))
    assert _draw(app.server.test_client(), run_id, shown, ids.POLICY_REVISION) == {}
    assert ids.VISITS_MAP in _draw(app.server.test_client(), run_id, shown[1:], ids.POLICY_REVISION)

    # the greedy rollout of the last checkpoint walks the model's argmax path
    values = {
        f"{ids.POLICY_RUN}.data": run_id,
        f"{ids.REPLAY_CHOICE}.value": "greedy",
        f"{ids.POLICY_SLIDER}.value": 10**6,  # past the end: the last checkpoint
    }
    response = dash_call(
        app.server.test_client(), f"{ids.REPLAY_SCRIPT}.data", values, f"{ids.REPLAY_CHOICE}.value"
    )
    answer = response.get_json()["response"]
    assert "checkpoint at episode 2,500" in answer[ids.REPLAY_NOTE]["children"]
    script = answer[ids.REPLAY_SCRIPT]["data"]
    assert list(zip(script["y"], script["x"], strict=True)) == _greedy_path(store, run_id)
    app.server.extensions["gridlab.store"].close()


def _greedy_path(store, run_id: int) -> list[tuple[int, int]]:
    """Return the cells the last checkpoint's greedy policy walks through, read from the
    env's transition table (medium is deterministic)."""
    q = store.load_checkpoint(run_id).q
    env = gym.make("GridWorld-v0", preset="medium")
    model, state = env.unwrapped.P, int(np.argmax(env.unwrapped.initial_state_distrib))
    cells = [divmod(state, WIDTH)]
    for _ in range(1000):
        ((_, state, _, done),) = model[state][int(np.argmax(q[state]))]
        cells.append(divmod(state, WIDTH))
        if done:
            break
    return cells
