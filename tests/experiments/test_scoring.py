"""Objectives read from the store equal app.stats' definitions applied to the raw returns."""

from __future__ import annotations

import math

import numpy as np
import pytest

from app.experiments.scoring import ThresholdScan, score
from app.stats.objectives import area_under_curve, episodes_to_threshold, final_return
from tests.dashboard_support import fill, seeded_run
from tests.trainer.support import rows_without_wall_time


def raw_returns(store, run_id: int) -> np.ndarray:
    """Return every stored return of the run, read row by row."""
    return np.array([row["return"] for row in rows_without_wall_time(store, run_id)])


@pytest.mark.parametrize("episodes", [1, 9, 11, 250, 1234, 12_345])
def test_final_return_and_auc_from_rollups_equal_the_definitions(store, episodes):
    run_id = seeded_run(store, status="running", episodes=0, target=20_000)
    fill(store, run_id, episodes)
    returns = raw_returns(store, run_id)
    assert math.isclose(
        score(store, run_id, "final_return", None), final_return(returns), abs_tol=1e-9
    )
    assert math.isclose(score(store, run_id, "auc", None), area_under_curve(returns), abs_tol=1e-9)
    middle = max(1, episodes // 3)
    assert math.isclose(
        score(store, run_id, "final_return", None, middle),
        final_return(returns[:middle]),
        abs_tol=1e-9,
    )


@pytest.mark.parametrize("threshold", [0.5, 1.2, 1.55, 9.0])
@pytest.mark.parametrize("page", [7, 100, 10_000])
def test_episodes_to_threshold_read_in_pages_equals_the_definition(store, threshold, page):
    run_id = seeded_run(store, status="running", episodes=0, target=2000)
    fill(store, run_id, 1500)
    returns = raw_returns(store, run_id)
    scan = ThresholdScan(store, run_id, threshold, page=page)
    for episode in (
        50,
        99,
        100,
        101,
        640,
        1500,
    ):  # as a pruned run is scored, checkpoint by checkpoint
        assert scan.upto(episode) == episodes_to_threshold(returns[:episode], threshold)
    assert score(store, run_id, "episodes_to_threshold", threshold) == episodes_to_threshold(
        returns, threshold
    )


def test_a_threshold_reached_is_a_finite_episode_and_one_never_reached_is_infinite(store):
    run_id = seeded_run(store, status="running", episodes=0)
    fill(store, run_id, 400)
    assert 100 <= score(store, run_id, "episodes_to_threshold", 0.5) <= 400
    assert score(store, run_id, "episodes_to_threshold", 5.0) == math.inf


def test_normalised_score_comes_from_the_checkpoints_evaluation(store):
    run_id = seeded_run(store, status="running", episodes=0)
    fill(store, run_id, 30)
    q = np.zeros((25, 4))
    store.save_checkpoint(run_id, 10, q, {}, {"v_opt": 0.8, "v_greedy": 0.2, "gap": 0.6})
    store.save_checkpoint(run_id, 20, q, {})  # saved without an evaluation (over its budget)
    store.save_checkpoint(run_id, 30, q, {}, {"v_opt": -13.0, "v_greedy": -26.0, "gap": 13.0})
    assert score(store, run_id, "normalised_score", None, 10) == pytest.approx(0.25)
    assert math.isnan(score(store, run_id, "normalised_score", None, 20))
    assert score(store, run_id, "normalised_score", None) == pytest.approx(0.5)  # the latest


def test_a_run_without_episodes_scores_nan(store):
    run_id = seeded_run(store, status="queued", episodes=0)
    for objective in ("final_return", "auc", "normalised_score"):
        assert math.isnan(score(store, run_id, objective, None))
    with pytest.raises(ValueError, match="needs a threshold"):
        score(store, run_id, "episodes_to_threshold", None, 5)
