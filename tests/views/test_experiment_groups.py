"""An experiment's runs in groups and over one aligned window, from real stores: synthetic
episodes through the store, and runs trained by the real trainer for the normalised score."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from app.stats.objectives import normalised_score
from app.views.experiment_curves import read_aligned, window_end
from app.views.experiment_groups import (
    BY_SETTINGS,
    group_by_of,
    group_choices,
    group_runs,
    run_settings,
)
from app.views.experiment_reads import checkpoint_scores
from app.views.kept import Kept
from runstore import RunStore, Series
from tests.experiment_support import fill_synthetic, make_experiment, train

SETTINGS = [
    {"alpha": 0.1, "epsilon_decay": 0.99},
    {"alpha": 0.1, "epsilon_decay": 0.999},
    {"alpha": 0.5, "epsilon_decay": 0.99},
]


def test_runs_group_by_their_settings_minus_the_seed(store):
    experiment_id, run_ids = make_experiment(store, SETTINGS, seeds=(0, 1, 2))
    runs = store.experiments.runs(experiment_id)
    groups = group_runs(runs)
    assert [group.number for group in groups] == [1, 2, 3]
    assert [group.label for group in groups] == [
        "alpha=0.1 · epsilon_decay=0.99",
        "alpha=0.1 · epsilon_decay=0.999",
        "alpha=0.5 · epsilon_decay=0.99",
    ]
    assert [[run.id for run in group.runs] for group in groups] == [
        run_ids[0:3],
        run_ids[3:6],
        run_ids[6:9],
    ]
    assert [[run.seed for run in group.runs] for group in groups] == [[0, 1, 2]] * 3
    settings = groups[0].settings
    assert "seed" not in settings and "name" not in settings
    assert settings["alpha"] == 0.1 and settings["preset"] == "easy" and settings["gamma"] == 0.99


def test_runs_group_by_one_parameter_pooling_the_other_settings(store):
    experiment_id, run_ids = make_experiment(store, SETTINGS, seeds=(0, 1))
    runs = store.experiments.runs(experiment_id)
    assert group_choices(runs) == [BY_SETTINGS, "alpha", "epsilon_decay"]
    by_alpha = group_runs(runs, "alpha")
    assert [(group.label, len(group.runs)) for group in by_alpha] == [
        ("alpha=0.1", 4),
        ("alpha=0.5", 2),
    ]
    assert by_alpha[0].settings == {"alpha": 0.1}
    by_decay = group_runs(runs, "epsilon_decay")
    assert [[run.id for run in group.runs] for group in by_decay] == [
        [*run_ids[0:2], *run_ids[4:6]],
        run_ids[2:4],
    ]
    assert group_by_of("epsilon_decay", runs) == "epsilon_decay"
    for crafted in ("gamma", "seed", "nope", None, 5, ["alpha"]):
        assert group_by_of(crafted, runs) == BY_SETTINGS


def test_one_setting_is_one_group_of_all_runs(store):
    experiment_id, _ = make_experiment(store, [{"alpha": 0.2}], seeds=(0, 1, 2))
    runs = store.experiments.runs(experiment_id)
    (group,) = group_runs(runs)
    assert group.label == "all runs" and len(group.runs) == 3
    assert run_settings(runs[0]) == run_settings(runs[2])


def test_every_run_is_read_over_the_same_bucket_edges_whatever_its_progress(store):
    _, run_ids = make_experiment(store, [{"alpha": 0.1}], seeds=(0, 1), base={"episodes": 3000})
    fill_synthetic(store, run_ids[0], 3000)
    fill_synthetic(store, run_ids[1], 1234, shift=1.0)
    runs = store.experiments.runs(store.get_run(run_ids[0]).experiment_id)
    assert window_end(runs) == 3000
    aligned = read_aligned(store, runs, points=100)
    assert aligned.bucket == 50 and aligned.buckets == 60
    assert aligned.starts()[:3].tolist() == [1, 51, 101]
    returns = aligned.rows("return", runs)
    for row, run_id in zip(returns, run_ids, strict=True):
        done = store.get_run(run_id).episodes_done
        raw = [
            e.return_
            for start in range(1, done + 1, 10_000)
            for e in store.episodes(run_id, start, 10_000)
        ]
        for column in range(aligned.buckets):
            chunk = raw[column * 50 : (column + 1) * 50]
            if chunk:
                assert row[column] == pytest.approx(sum(chunk) / len(chunk))
            else:
                assert math.isnan(row[column])
    # the short run's last bucket is a partial one (episodes 1201..1234), then nothing
    assert np.isfinite(returns[1][:25]).all() and np.isnan(returns[1][25:]).all()
    success = aligned.rows("success", runs)
    assert ((success[0] >= 0) & (success[0] <= 1)).all()


def test_the_store_aligns_a_short_window_on_the_bucket_of_the_whole_one(store):
    _, (run_id,) = make_experiment(store, [{"alpha": 0.1}], seeds=(0,), base={"episodes": 10**6})
    fill_synthetic(store, run_id, 1000)
    aligned = store.series(run_id, "return", 1, 10**6, 150, align=True)
    plain = store.series(run_id, "return", 1, 10**6, 150)
    assert (aligned.bucket, plain.bucket) == (10_000, 10)
    assert aligned.count == [1000] and len(plain.count) == 100
    empty = store.series(run_id, "return", 2000, 10**6, 150, align=True)
    assert (empty.bucket, empty.episode) == (10_000, [])


def test_the_normalised_score_per_bucket_is_the_latest_evaluated_checkpoints(store):
    experiment_id, run_ids = make_experiment(
        store, [{"alpha": 0.5}], seeds=(0, 1), base={"episodes": 400, "checkpoint_every": 100}
    )
    train(store, run_ids)
    runs = store.experiments.runs(experiment_id)
    aligned = read_aligned(store, runs, points=40)
    assert aligned.bucket == 10
    rows = aligned.rows("normalised_score", runs)
    for row, run in zip(rows, runs, strict=True):
        infos = store.checkpoints(run.id)
        evaluated = {i.episode: i.evaluation for i in infos if i.evaluation}
        assert evaluated, "the trainer evaluates its final checkpoint at least"
        episodes, scores = checkpoint_scores(infos)
        assert episodes.tolist() == sorted(evaluated)
        for episode, score in zip(episodes, scores, strict=True):
            by_hand = evaluated[episode]["v_greedy"] / evaluated[episode]["v_opt"]
            assert score == pytest.approx(by_hand)
            assert score == normalised_score(
                evaluated[episode]["v_greedy"], evaluated[episode]["v_opt"]
            )
            assert row[episode // 10 - 1] == pytest.approx(score)  # the bucket ending there
        first = int(episodes[0])
        assert np.isnan(row[: first // 10 - 1]).all()
        assert np.isfinite(row[first // 10 - 1 :]).all()


class CountingStore(RunStore):
    """A real store that counts the series windows it reads."""

    windows = 0

    def series(self, *args: Any, **kwargs: Any) -> Series:
        self.windows += 1
        return super().series(*args, **kwargs)


def test_a_refresh_reads_again_only_the_runs_that_moved(store_url):
    store = CountingStore(store_url)
    experiment_id, run_ids = make_experiment(store, [{"alpha": 0.1}, {"alpha": 0.5}], seeds=(0, 1))
    for run_id in run_ids:
        fill_synthetic(store, run_id, 200)
    first = read_aligned(store, store.experiments.runs(experiment_id))
    assert store.windows == 2 * len(run_ids)  # return and success of every run
    again = read_aligned(store, store.experiments.runs(experiment_id))
    assert store.windows == 2 * len(run_ids)
    for metric in ("return", "success", "normalised_score"):
        assert np.array_equal(again.matrices[metric], first.matrices[metric], equal_nan=True)
    fill_synthetic(store, run_ids[2], 50)  # episodes 201..250: buckets 100..124 of 2
    moved = read_aligned(store, store.experiments.runs(experiment_id))
    assert store.windows == 2 * len(run_ids) + 2
    assert np.isnan(first.matrices["return"][2][110]) and np.isfinite(
        moved.matrices["return"][2][110]
    )
    store.close()


def test_kept_values_go_least_recently_used_first():
    kept: Kept[int] = Kept(2)
    computed: list[str] = []

    def compute(key: str) -> int:
        computed.append(key)
        return len(computed)

    assert kept.get("a", lambda: compute("a")) == 1
    assert kept.get("b", lambda: compute("b")) == 2
    assert kept.get("a", lambda: compute("a")) == 1  # kept: not computed again
    assert kept.get("c", lambda: compute("c")) == 3  # "b" was the least recently used
    assert kept.get("a", lambda: compute("a")) == 1
    assert kept.get("b", lambda: compute("b")) == 4
    assert computed == ["a", "b", "c", "b"]
