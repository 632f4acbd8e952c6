"""The experiment routes (statistics as JSON, table and curve files) and the experiment page's
callbacks over HTTP, crafted values included: a clear 4xx or no update, never a 500, and the
store left exactly as it was."""

from __future__ import annotations

import csv
import io
import math

import pytest

from app import ids
from app.factory import create_app
from tests.api.dash_calls import dash_call
from tests.dashboard_support import snapshot
from tests.experiment_support import fill_synthetic, make_experiment

HUGE = 10**30


@pytest.fixture
def experiment(store) -> int:
    """An experiment of two settings × two seeds with synthetic episodes and checkpoints."""
    experiment_id, run_ids = make_experiment(
        store, [{"alpha": 0.1}, {"alpha": 0.5}], seeds=(0, 1), base={"episodes": 2000}
    )
    for index, run_id in enumerate(run_ids):
        fill_synthetic(store, run_id, 2000 - 500 * (index % 2), shift=index // 2)
    return experiment_id


@pytest.fixture
def web(store_url, experiment):
    app = create_app(store_url)
    yield app.server.test_client()
    app.server.extensions["gridlab.store"].close()


def test_the_detail_route_gives_groups_and_their_statistics(web, experiment):
    response = web.get(f"/api/experiments/{experiment}?metric=auc&centre=median")
    assert response.status_code == 200
    body = response.get_json()
    assert body["id"] == experiment and body["view"]["objective"] == "auc"
    assert len(body["runs"]) == 4 and body["bucket"] == 20
    assert [group["label"] for group in body["groups"]] == ["alpha=0.1", "alpha=0.5"]
    low, high = body["groups"][0]["mean"]["low"], body["groups"][0]["mean"]["high"]
    assert low <= body["groups"][0]["mean"]["point"] <= high
    scores = [score for group in body["groups"] for score in group["scores"]]
    assert all(isinstance(score, float) and math.isfinite(score) for score in scores)
    assert body["groups"][1]["iqm"]["point"] > body["groups"][0]["iqm"]["point"]


@pytest.mark.parametrize(
    ("path", "status", "words"),
    [
        ("/api/experiments/999", 404, ["experiment 999 not found"]),
        ("/api/experiments/abc", 400, ["experiment_id='abc'", "whole number"]),
        (f"/api/experiments/{HUGE}", 400, ["experiment_id=", "1 to"]),
        ("/api/experiments/0/series.csv", 400, ["experiment_id=0"]),
        ("/api/experiments/999/table.csv", 404, ["experiment 999 not found"]),
        ("/api/experiments/1/table.xlsx", 400, ["format='xlsx'", "csv, md, tex"]),
        ("/api/experiments/1?centre=mode&band=x&by=seed&metric=%00&pair=a,b", 200, ["groups"]),
        ("/api/experiments/1/table.csv?threshold=nan", 200, ["group,label"]),
    ],
)
def test_a_bad_request_gets_a_message_and_changes_nothing(web, store_url, path, status, words):
    before = snapshot(store_url)
    response = web.get(path)
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    text = response.get_data(as_text=True)
    for word in words:
        assert word in text
    assert snapshot(store_url) == before


@pytest.mark.parametrize(
    ("suffix", "mimetype", "first"),
    [
        ("csv", "text/csv", "group,label,objective"),
        ("md", "text/markdown", "| # | group |"),
        ("tex", "text/x-tex", "% gridlab experiment 1: sweep"),
    ],
)
def test_the_table_downloads_in_each_format(web, experiment, suffix, mimetype, first):
    response = web.get(f"/api/experiments/{experiment}/table.{suffix}?metric=final_return")
    assert response.status_code == 200 and response.mimetype == mimetype
    disposition = response.headers["Content-Disposition"]
    assert disposition == f'attachment; filename="gridlab-experiment-{experiment}-table.{suffix}"'
    assert response.get_data(as_text=True).startswith(first)


def test_the_group_curves_download_with_the_views_centre_and_band(web, experiment):
    response = web.get(f"/api/experiments/{experiment}/series.csv?centre=median&band=std")
    assert response.status_code == 200
    lines = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert {line["metric"] for line in lines} == {"return", "success", "normalised_score"}
    assert {(line["centre_kind"], line["band_kind"]) for line in lines} == {("median", "std")}
    assert {line["bucket"] for line in lines} == {"20"}  # 2000 episodes, at most 150 buckets


def _key_call(experiment_id: object) -> tuple:
    return (
        f"{ids.EXP_KEY}.data",
        {f"{ids.EXP_REVISION}.data": 3, f"{ids.EXP_ID}.data": experiment_id},
        f"{ids.EXP_REVISION}.data",
    )


def _curves_call(experiment_id: object, **controls: object) -> tuple:
    values = {f"{ids.EXP_ID}.data": experiment_id, f"{ids.EXP_KEY}.data": ["x"]}
    defaults = {"centre": "iqm", "band": "ci95", "seeds": False, "group-by": "settings"}
    for name, value in {**defaults, **controls}.items():
        values[f"exp-{name}.value"] = value
    return (f"{ids.exp_curve('return')}.figure", values, f"{ids.EXP_KEY}.data")


def _analysis_call(experiment_id: object, **controls: object) -> tuple:
    values = {f"{ids.EXP_ID}.data": experiment_id, f"{ids.EXP_KEY}.data": ["x"]}
    defaults = {"group-by": "settings", "metric": "final_return", "threshold": 0.5}
    defaults |= {"pair-x": 1, "pair-y": 2, "centre": "iqm"}
    for name, value in {**defaults, **controls}.items():
        values[f"exp-{name}.value"] = value
    return (f"{ids.EXP_TABLE}.rowData", values, f"{ids.EXP_KEY}.data")


def _runs_call(experiment: object) -> tuple:
    values = {
        f"{ids.RUNS_EXPERIMENT}.value": experiment,
        f"{ids.RUNS_GRID}.getRowsRequest": {"startRow": 0, "endRow": 100},
    }
    return (f"{ids.RUNS_GRID}.getRowsResponse", values, f"{ids.RUNS_GRID}.getRowsRequest")


CALLS = [
    ("key-text", _key_call("abc"), 204, []),
    ("key-huge", _key_call(HUGE), 204, []),
    ("key-missing", _key_call(999), 204, []),
    ("key-list", _key_call([1]), 204, []),
    ("key", _key_call(1), 200, [ids.EXP_KEY]),
    ("curves-missing", _curves_call(999), 204, []),
    ("curves-text", _curves_call("1; drop"), 204, []),
    (
        "curves-odd-controls",
        _curves_call(1, centre="mode", band=[1], seeds={"a": 1}, **{"group-by": "seed"}),
        200,
        ["figure", "iqm, band ci95"],
    ),
    ("curves-median-std", _curves_call(1, centre="median", band="std"), 200, ["median, band std"]),
    ("analysis-missing", _analysis_call(999), 204, []),
    (
        "analysis-odd-controls",
        _analysis_call(1, metric="nope", threshold="abc", **{"pair-x": HUGE, "pair-y": "x"}),
        200,
        ["P(#1 > #2)", "rowData"],
    ),
    ("analysis-pair", _analysis_call(1, **{"pair-x": 2, "pair-y": 1}), 200, ["P(#2 > #1)"]),
    (
        "analysis-threshold-huge",
        _analysis_call(1, metric="episodes_to_threshold", threshold=HUGE),
        200,
        ["∞"],
    ),
    ("runs-filter-text", _runs_call("abc"), 200, ["rowData"]),
    ("runs-filter-huge", _runs_call(HUGE), 200, ["rowData"]),
    ("runs-filter-list", _runs_call([1]), 200, ["rowData"]),
    ("runs-filter", _runs_call(1), 200, ["#1 · trial 0"]),
]


@pytest.mark.parametrize(
    ("call", "status", "words"), [row[1:] for row in CALLS], ids=[row[0] for row in CALLS]
)
def test_a_crafted_experiment_callback_answers_or_does_nothing(web, store_url, call, status, words):
    output, values, changed = call
    before = snapshot(store_url)
    response = dash_call(web, output, values, changed)
    text = response.get_data(as_text=True)
    assert response.status_code == status, text[:500]
    shown = str(response.get_json()) if status == 200 else text
    for word in words:
        assert word in shown, (word, shown[:500])
    assert snapshot(store_url) == before


def test_the_runs_filter_shows_only_the_experiments_runs(web, store, experiment):
    make_experiment(store, [{"alpha": 0.2}], seeds=(5,), name="other")
    response = dash_call(web, *_runs_call(experiment))
    rows = response.get_json()["response"][ids.RUNS_GRID]["getRowsResponse"]["rowData"]
    assert len(rows) == 4 and {row["experiment"] for row in rows} == {experiment}
    everything = dash_call(web, *_runs_call(None)).get_json()["response"][ids.RUNS_GRID]
    assert (
        len(everything["getRowsResponse"]["rowData"])
        == everything["getRowsResponse"]["rowCount"]
        == 5
    )
