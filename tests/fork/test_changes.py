"""Forks with changed settings: hyperparameters, algorithm (into and out of Double Q), a map
of the same size; and the requests that are refused, with nothing written."""

from __future__ import annotations

import re

import numpy as np
import pytest

from app.fork import fork_run
from app.training import Trainer
from gridworld.errors import ValidationError
from runstore import CheckpointNotFound, Owner, RunNotFound
from tests.trainer.support import FAST, make_spec, train_new

MOVED_GOAL = ["S....", ".....", "..#..", ".....", "...TG"]
"""The easy preset's map with a trap beside the goal: the same 25 states."""


@pytest.fixture
def parent(store) -> int:
    """Return a finished GridWorld easy run of 400 episodes, checkpoints every 100."""
    return train_new(store, make_spec(episodes=400, seed=2, checkpoint_every=100)).run_id


def test_a_changed_alpha_takes_effect_at_the_forks_first_episode(store, parent):
    child = fork_run(store, parent, {"at": 200, "hyperparams": {"alpha": 0.05}, "name": "α"})
    run = store.get_run(child)
    assert run.name == "α" and run.hyperparams["alpha"] == 0.05
    assert run.target_episodes == 400
    assert run.hyperparams["epsilon"] == store.get_run(parent).hyperparams["epsilon"]
    assert Trainer(store, store.claim_run(child, Owner.here()), settings=FAST).run() == "finished"
    first = store.episodes(child, 200, 2)
    assert [row.alpha for row in first] == [store.episodes(parent, 200, 1)[0].alpha, 0.05]
    parent_q = store.load_checkpoint(parent, 200).q
    assert np.array_equal(store.load_checkpoint(child, 200).q, parent_q)


def test_an_algorithm_change_carries_the_table_into_and_out_of_double_q(store, parent):
    q = store.load_checkpoint(parent, 300).q
    double = fork_run(store, parent, {"at": 300, "algorithm": "double_q", "episodes": 500})
    start = store.load_checkpoint(double, 300)
    assert store.get_run(double).spec["algorithm"] == "double_q"
    assert start.agent_state["algorithm"] == "double_q"
    assert np.array_equal(start.q, q)
    assert start.agent_state["q1"] == start.agent_state["q2"] == q.tolist()
    assert Trainer(store, store.claim_run(double, Owner.here()), settings=FAST).run() == "finished"
    trained = store.load_checkpoint(double, 500)
    single = fork_run(store, double, {"at": 500, "algorithm": "sarsa", "episodes": 600})
    back = store.load_checkpoint(single, 500)
    halves = (np.array(trained.agent_state["q1"]) + np.array(trained.agent_state["q2"])) / 2
    assert np.array_equal(back.q, halves) and "q1" not in back.agent_state
    assert back.agent_state["algorithm"] == "sarsa"
    assert Trainer(store, store.claim_run(single, Owner.here()), settings=FAST).run() == "finished"
    assert store.get_run(single).episodes_done == 600


def test_a_map_of_the_same_size_carries_the_table(store, parent):
    child = fork_run(store, parent, {"desc": MOVED_GOAL, "episodes": 450})
    run = store.get_run(child)
    assert run.fork_episode == 400 and run.spec["desc"] == MOVED_GOAL
    assert run.spec["preset"] is None and run.env_config["grid"]["traps"]
    assert np.array_equal(store.load_checkpoint(child, 400).q, store.load_checkpoint(parent).q)
    assert Trainer(store, store.claim_run(child, Owner.here()), settings=FAST).run() == "finished"


@pytest.mark.parametrize(
    ("body", "error", "message"),
    [
        ({"at": 150}, CheckpointNotFound, "its checkpoints are at episodes 100, 200, 300, 400"),
        ({"at": "soon"}, CheckpointNotFound, "has no checkpoint named 'soon'; it has no named"),
        ({"at": "so on"}, ValidationError, "at='so on' is invalid: holds ' '; allowed: a"),
        ({"at": "-5x"}, ValidationError, "at='-5x' is invalid: not a whole number; allowed: a"),
        ({"at": 0}, ValidationError, "at=0 is invalid: out of range"),
        ({"episodes": 10**8}, ValidationError, "allowed: an integer from 401 to 10000000"),
        ({"at": 300, "episodes": 300}, ValidationError, "allowed: an integer from 301"),
        ({"hyperparams": {"alpha": 3}}, ValidationError, "alpha=3 is invalid: out of range"),
        ({"hyperparams": [1]}, ValidationError, "hyperparams=[1] is invalid: not an object"),
        ({"algorithm": "dqn"}, ValidationError, "algorithm='dqn' is invalid: unknown algorithm"),
        ({"desc": ["S..", "..G"]}, ValidationError, "its map has 6 states and 4 actions"),
        ({"pace": 2}, ValidationError, "pace=2 is invalid: unknown field; allowed: at,"),
        ([1], ValidationError, "body=[1] is invalid: not an object"),
    ],
)
def test_bad_fork_requests_are_refused_and_write_nothing(store, parent, body, error, message):
    before = store.revision()
    with pytest.raises(error, match=re.escape(message)):
        fork_run(store, parent, body)
    assert store.revision() == before
    assert len(store.list_runs()) == 1


def test_a_fork_of_an_unknown_run_or_one_without_checkpoints_is_refused(store):
    with pytest.raises(RunNotFound):
        fork_run(store, 99, {})
    claim_less = store.create_run(
        name="empty",
        env_id="GridWorld-v0",
        env_config={"n_states": 25, "n_actions": 4},
        hyperparams={},
        seed=0,
        target_episodes=10,
        spec=make_spec().to_dict(),
    )
    with pytest.raises(CheckpointNotFound, match="at episode latest; it has no checkpoint yet"):
        fork_run(store, claim_less, {"at": "latest"})
