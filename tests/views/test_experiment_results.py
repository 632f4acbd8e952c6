"""An experiment's results from a real store: each run's score, each group's table line with
its intervals, the comparisons, the exports, and the view its URL asks for."""

from __future__ import annotations

import csv
import io
import json
import math

import numpy as np
import pytest

from app.api import _finite
from app.stats.objectives import episodes_to_threshold, final_return
from app.views.experiment_analysis import improvement, profiles, sensitivities
from app.views.experiment_files import experiment_statistics, series_csv, table_file
from app.views.experiment_page import page_data
from app.views.experiment_scores import run_scores
from app.views.experiment_table import table_rows
from app.views.experiment_view import ExperimentView
from tests.dashboard_support import episode_rows
from tests.experiment_support import make_experiment

EPISODES = 1000


def returns_of(store, run_id: int, values) -> None:
    """Give the run ``EPISODES`` episodes with these returns (one per episode)."""
    rows = episode_rows(1, EPISODES)
    for row, value in zip(rows, values, strict=True):
        row["return"] = float(value)
    store.append_episodes(run_id, rows)


@pytest.fixture
def sweep(store):
    """Two settings × three seeds: alpha 0.1 learns at episode 600 + 100·seed, alpha 0.5 at
    episode 200 + 100·seed; returns are 0 before and seed + 1 after (a step)."""
    experiment_id, run_ids = make_experiment(
        store, [{"alpha": 0.1}, {"alpha": 0.5}], seeds=(0, 1, 2), base={"episodes": EPISODES}
    )
    for index, run_id in enumerate(run_ids):
        seed, step = index % 3, (600 if index < 3 else 200) + 100 * (index % 3)
        returns_of(store, run_id, [0.0] * step + [seed + 1.0] * (EPISODES - step))
    store.set_status(run_ids[0], "running")
    store.set_status(run_ids[0], "finished")
    store.set_status(run_ids[4], "running")
    store.set_status(run_ids[4], "pruned")
    return experiment_id, run_ids


def test_each_run_scores_its_objective_from_the_aligned_window(store, sweep):
    experiment_id, _run_ids = sweep
    data = page_data(store, experiment_id)
    assert data.aligned.bucket == 10  # 1000 episodes in 150 buckets or fewer
    runs = data.runs
    finals = run_scores(data.aligned, runs, "final_return", None)
    # the last 10% of the episodes all lie after every step: return seed + 1
    assert finals.tolist() == [1.0, 2.0, 3.0, 1.0, 2.0, 3.0]
    raw = [store.episodes(run.id, 1, EPISODES) for run in runs]
    assert finals.tolist() == [final_return([e.return_ for e in rows]) for rows in raw]
    areas = run_scores(data.aligned, runs, "auc", None)
    assert areas == pytest.approx([0.4, 0.6, 0.6, 0.8, 1.4, 1.8])
    # the 100-episode moving mean reaches 0.5 after 50, 25 and 17 episodes of returns 1, 2
    # and 3: to the end of that episode's bucket of 10
    reach = run_scores(data.aligned, runs, "episodes_to_threshold", 0.5)
    assert reach.tolist() == [650.0, 730.0, 820.0, 250.0, 330.0, 420.0]
    exact = [episodes_to_threshold([e.return_ for e in rows], 0.5) for rows in raw]
    assert exact == [650.0, 725.0, 817.0, 250.0, 325.0, 417.0]
    assert all(0 <= got - by_episode < 10 for got, by_episode in zip(reach, exact, strict=True))
    never = run_scores(data.aligned, runs, "episodes_to_threshold", 5.0)
    assert never.tolist() == [math.inf] * 6
    assert np.isnan(run_scores(data.aligned, runs, "normalised_score", None)).all()


def test_a_group_line_has_iqm_mean_and_threshold_intervals_and_its_seeds(store, sweep):
    experiment_id, _ = sweep
    data = page_data(store, experiment_id)
    view = ExperimentView(metric="auc", threshold=0.5)
    first, second = data.results(view)
    assert (first.group.label, second.group.label) == ("alpha=0.1", "alpha=0.5")
    assert first.mean.point == pytest.approx((0.4 + 0.6 + 0.6) / 3)
    assert first.iqm.point == pytest.approx(first.mean.point)  # IQM of three is their mean
    for interval in (first.iqm, first.mean, second.iqm, second.mean):
        assert interval.low <= interval.point <= interval.high
    assert first.mean.low >= 0.4 and first.mean.high <= 0.6 + 1e-9
    assert first.to_threshold.point == pytest.approx((650 + 730 + 820) / 3)
    assert second.to_threshold.point == pytest.approx((250 + 330 + 420) / 3)
    assert (first.finished, first.pruned, first.planned) == (1, 0, 3)
    assert (second.finished, second.pruned, second.planned) == (0, 1, 3)
    rows = table_rows([first, second])
    assert rows[0]["group"] == 1 and rows[0]["label"] == "alpha=0.1"
    assert rows[0]["to_threshold"] == pytest.approx(733.3333) and rows[0]["seeds"] == 1
    assert rows[0]["shown"]["seeds"] == "1 / 3" and rows[1]["shown"]["seeds"] == "0 / 3 (1 pruned)"
    assert rows[0]["shown"]["to_threshold"] == "733.3 [650, 820]"
    unreached = data.results(ExperimentView(metric="auc", threshold=5.0))
    assert table_rows(unreached)[0]["to_threshold"] is None
    assert table_rows(unreached)[0]["shown"]["to_threshold"].startswith("∞")


def test_the_comparisons_rank_the_faster_setting_first(store, sweep):
    experiment_id, _ = sweep
    data = page_data(store, experiment_id)
    results = data.results(ExperimentView(metric="episodes_to_threshold", threshold=0.5))
    # lower wins: every alpha=0.5 run reached the threshold before every alpha=0.1 run
    found = improvement(results, "episodes_to_threshold", (2, 1))
    assert found is not None and found.interval.point == 1.0
    assert (found.interval.low, found.interval.high) == (1.0, 1.0)
    assert improvement(results, "episodes_to_threshold", None).interval.point == 0.0
    assert improvement(results[:1], "auc", None) is None
    profile = profiles(results, "episodes_to_threshold")
    assert not profile.above and profile.taus[0] < 250 and profile.taus[-1] > 820
    for _, band in profile.bands:
        assert (np.diff(band.centre) >= 0).all()  # the share below τ grows with τ
    shares = dict((r.group.number, b.centre) for r, b in profile.bands)
    at = int(np.searchsorted(profile.taus, 500))
    assert shares[2][at] == 1.0 and shares[1][at] == 0.0
    (alpha,) = sensitivities(results, "mean")
    assert alpha.parameter == "alpha" and alpha.values == [0.1, 0.5]
    assert [i.point for i in alpha.intervals] == pytest.approx([733.3333, 333.3333])


def test_the_table_exports_as_csv_markdown_and_latex(store, sweep):
    experiment_id, _ = sweep
    data = page_data(store, experiment_id)
    view = ExperimentView(metric="final_return", threshold=0.5)
    text, mimetype, name = table_file(data, view, "csv")
    assert (mimetype, name) == ("text/csv", f"gridlab-experiment-{experiment_id}-table.csv")
    lines = list(csv.DictReader(io.StringIO(text)))
    assert [line["label"] for line in lines] == ["alpha=0.1", "alpha=0.5"]
    assert float(lines[0]["iqm"]) == pytest.approx(2.0)
    assert float(lines[0]["iqm_low"]) <= 2.0 <= float(lines[0]["iqm_high"])
    assert float(lines[1]["episodes_to_threshold_iqm"]) == pytest.approx(333.3333)
    assert lines[1]["seeds_pruned"] == "1"
    markdown = table_file(data, view, "md")[0].splitlines()
    assert len(markdown) == 4 and all(line.count("|") == 7 for line in markdown)
    assert markdown[2].startswith("| 1 | alpha=0.1 | 2 [")
    latex = table_file(data, view, "tex")[0]
    assert r"\toprule" in latex and r"\midrule" in latex and r"\bottomrule" in latex
    assert r"\begin{tabular}{rlrrrr}" in latex and r"95\% CI" in latex
    body = [line for line in latex.splitlines() if line.startswith(("1 &", "2 &"))]
    assert len(body) == 2 and all(line.endswith(r"\\") and line.count("&") == 5 for line in body)
    with pytest.raises(ValueError, match="suffix"):
        table_file(data, view, "xlsx")


def test_latex_cells_escape_what_latex_reads_as_commands(store):
    experiment_id, _run_ids = make_experiment(
        store, [{"epsilon_decay": 0.99}, {"epsilon_decay": 0.999}], seeds=(0,), name="a_b 50%"
    )
    data = page_data(store, experiment_id)
    latex = table_file(data, ExperimentView(), "tex")[0]
    assert r"epsilon\_decay=0.99 &" in latex and r"a\_b 50\%" in latex
    assert "--" in latex  # no runs have episodes: no statistics


def test_the_group_curves_export_with_the_chosen_centre_and_band(store, sweep):
    experiment_id, _run_ids = sweep
    data = page_data(store, experiment_id)
    text = series_csv(data, ExperimentView(centre="mean", band="minmax"))
    lines = list(csv.DictReader(io.StringIO(text)))
    assert {line["metric"] for line in lines} == {"return", "success"}  # nothing evaluated
    first = [line for line in lines if line["metric"] == "return" and line["group"] == "1"]
    assert len(first) == 100 and first[0]["episode"] == "1" and first[-1]["episode"] == "991"
    assert {line["bucket"] for line in first} == {"10"}
    assert {(line["centre_kind"], line["band_kind"]) for line in lines} == {("mean", "minmax")}
    last = first[-1]  # returns 1, 2 and 3 there
    assert (float(last["centre"]), float(last["band_low"]), float(last["band_high"])) == (
        2.0,
        1.0,
        3.0,
    )
    assert last["runs"] == "3"


def test_the_api_detail_is_json_safe_and_carries_the_statistics(store, sweep):
    experiment_id, run_ids = sweep
    data = page_data(store, experiment_id)
    detail = experiment_statistics(
        data, ExperimentView(metric="episodes_to_threshold", threshold=5.0)
    )
    text = json.dumps(_finite(detail), allow_nan=False)
    back = json.loads(text)
    assert back["bucket"] == 10
    assert len(back["episode"]) == 100
    first = back["groups"][0]
    assert first["runs"] == run_ids[:3] and first["settings"] == {
        **first["settings"],
        "alpha": 0.1,
    }
    assert first["scores"] == [None, None, None]  # never reached: infinite, sent as null
    assert first["seeds_finished"] == 1 and first["seeds_planned"] == 3
    assert set(first["curves"]) == {"return", "success", "normalised_score"}
    assert len(first["curves"]["return"]["centre"]) == 100
    assert back["view"]["objective"] == "episodes_to_threshold"


def test_the_view_comes_from_the_query_string_with_defaults_for_the_rest(store, sweep):
    experiment_id, _ = sweep
    data = page_data(store, experiment_id)
    view = data.view(
        {
            "centre": "median",
            "band": "std",
            "seeds": "1",
            "by": "alpha",
            "metric": "auc",
            "threshold": "0.8",
            "pair": "2,1",
        }
    )
    assert view == ExperimentView("median", "std", True, "alpha", "auc", 0.8, (2, 1))
    crafted = data.view(
        {"centre": "mode", "band": 3, "seeds": "yes", "by": "seed", "metric": None, "pair": "1"}
    )
    assert crafted == ExperimentView(threshold=0.5)  # the experiment's threshold
    assert data.view({"threshold": "abc", "pair": "a,b"}).threshold is None
    assert data.view({"pair": ["3", 4]}).pair == (3, 4)
    assert data.view({"threshold": 1e300}).threshold == 1e12
