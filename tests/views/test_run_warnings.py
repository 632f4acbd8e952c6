"""The run page's plateau warning follows the run: judged by the latest checkpoint's plateau
watch and evaluation, over a real SQLite store (and one real trained run)."""

from __future__ import annotations

from dataclasses import asdict

import numpy as np
import pytest

from app.training import LoopSettings
from app.views.run_warnings import shown_warnings
from gridworld.plateau import Plateau, PlateauNote, reached_optimum
from tests.dashboard_support import seeded_run
from tests.trainer.support import FAST, make_spec, train_new

WARNED = PlateauNote(window=100, best=0.9, best_episode=1_000, through=21_000)
"""The warning a worker stored at episode 21,000."""
NOT_OPTIMAL = {"v_opt": 1.0, "v_greedy": 0.5, "gap": 0.5, "optimal_share": 0.4}


def _checkpoint(store, run_id, episode, best_episode, best=0.9, evaluation=None):
    """Save a checkpoint whose plateau watch last improved at ``best_episode``."""
    plateau = Plateau(best=best, best_episode=best_episode)
    state = {"trainer": {"plateau": asdict(plateau)}}
    store.save_checkpoint(run_id, episode, np.zeros((25, 4)), state, evaluation)


@pytest.fixture
def run_id(store) -> int:
    """A running run that stored ``WARNED`` and another warning."""
    run_id = seeded_run(store, status="running", episodes=0, target=10**6)
    store.add_warning(run_id, "parameter change ignored")
    store.add_warning(run_id, WARNED.text())
    return run_id


def test_the_text_a_worker_stores_reads_back():
    assert WARNED.text() == (
        "plateau: the 100-episode mean return has not beaten its best (0.9, reached at"
        " episode 1,000) for 20,000 episodes (through episode 21,000); learning may have"
        " converged or stalled"
    )
    assert PlateauNote.parse(WARNED.text()) == WARNED
    old = (  # as workers wrote it before, without thousands separators
        "plateau: the 100-episode mean return has not beaten its best (-0.3, reached at"
        " episode 31000) for 20000 episodes (through episode 51000); learning may have"
        " converged or stalled"
    )
    assert PlateauNote.parse(old) == PlateauNote(100, -0.3, 31_000, 51_000)
    assert PlateauNote.parse("plateau: something else") is None


def test_a_plateau_that_still_holds_is_told_through_the_latest_checkpoint(store, run_id):
    _checkpoint(store, run_id, 20_000, best_episode=1_000, evaluation=NOT_OPTIMAL)
    assert shown_warnings(store, store.get_run(run_id))[1] == WARNED.text()  # no newer one
    _checkpoint(store, run_id, 590_000, best_episode=1_000)
    shown = shown_warnings(store, store.get_run(run_id))
    assert shown == (
        "parameter change ignored",
        PlateauNote(100, 0.9, 1_000, 590_000).text(),
    )
    assert "for 589,000 episodes (through episode 590,000)" in shown[1]


def test_a_plateau_beaten_since_is_not_shown_until_it_stalls_as_long_again(store, run_id):
    _checkpoint(store, run_id, 40_000, best_episode=30_000, best=1.2)
    assert shown_warnings(store, store.get_run(run_id)) == ("parameter change ignored",)
    _checkpoint(store, run_id, 50_000, best_episode=30_000, best=1.2)  # stalled 20,000 again
    shown = shown_warnings(store, store.get_run(run_id))
    assert shown[1] == PlateauNote(100, 1.2, 30_000, 50_000).text()


def test_a_run_whose_greedy_policy_is_optimal_shows_no_plateau(store, run_id):
    _checkpoint(store, run_id, 30_000, best_episode=1_000, evaluation=NOT_OPTIMAL)
    optimal = {"v_opt": 0.7442, "v_greedy": 0.7402, "gap": 0.004, "optimal_share": 0.9}
    _checkpoint(store, run_id, 40_000, best_episode=1_000, evaluation=optimal)
    _checkpoint(store, run_id, 45_000, best_episode=1_000)  # not evaluated: the last one counts
    assert shown_warnings(store, store.get_run(run_id)) == ("parameter change ignored",)


def test_the_optimum_allows_a_stationary_policys_small_miss_only():
    assert reached_optimum({"v_opt": 0.7442, "gap": 0.004})
    assert reached_optimum({"v_opt": 250.0, "gap": 2.0})  # 1% of a large value
    assert not reached_optimum({"v_opt": 0.7442, "gap": 0.05})
    assert not reached_optimum(None) and not reached_optimum({"optimal_share": 1.0})


def test_a_trained_run_that_converged_to_the_optimum_shows_no_plateau(store):
    greedy = {"epsilon": 0.0, "epsilon_min": 0.0}
    spec = make_spec(episodes=1500, checkpoint_every=500, hyperparams=greedy)
    settings = LoopSettings(**{**asdict(FAST), "plateau_window": 20, "plateau_patience": 300})
    run = store.get_run(train_new(store, spec, settings).run_id)
    (stored,) = [w for w in run.warnings if w.startswith("plateau:")]
    assert PlateauNote.parse(stored) is not None  # the worker's text reads back
    assert reached_optimum(store.checkpoints(run.id)[-1].evaluation)
    assert not any(w.startswith("plateau:") for w in shown_warnings(store, run))
