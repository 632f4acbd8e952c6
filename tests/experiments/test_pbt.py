"""PBT's decisions and its launch request: truncation selection, explore's factors and
resample probability (statistically), and what a pbt request may hold."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import binomtest

from app.experiments.pbt import explore, quantile_size, select_source
from app.experiments.request import parse_request
from app.experiments.space import parse_space
from app.factory import create_app
from gridworld.errors import ValidationError
from gridworld.hyperparams import Hyperparams
from gridworld.spec import validate_run_spec

BASE = validate_run_spec({"episodes": 1000})
SPACE = parse_space(
    {"alpha": {"low": 0.01, "high": 1, "scale": "log"}, "gamma": [0.9, 0.95, 0.99]}, "pbt", BASE
)
DRAWS = 4000


@pytest.mark.parametrize(("members", "size"), [(1, 0), (2, 1), (3, 1), (4, 1), (5, 2), (8, 2)])
def test_the_quantiles_are_a_quarter_of_the_population_and_never_overlap(members, size):
    assert quantile_size(members) == size


def test_only_the_bottom_quarter_copies_and_only_from_the_top_quarter():
    scores = {10 + i: float(i) for i in range(8)}  # member 10 worst ... 17 best
    rng = np.random.default_rng(0)
    for member in range(12, 18):
        assert select_source(member, scores, rng) is None
    sources = {select_source(member, scores, rng) for member in (10, 11) for _ in range(200)}
    assert sources == {16, 17}


def test_ties_rank_by_member_so_a_decision_is_the_same_wherever_it_is_made():
    scores = dict.fromkeys((3, 1, 2, 4), 0.5)
    picks = {select_source(1, scores, np.random.default_rng(7)) for _ in range(20)}
    assert picks == {4}
    assert select_source(2, scores, np.random.default_rng(7)) is None


def test_a_range_is_perturbed_by_1_2_or_0_8_or_redrawn_with_probability_a_quarter():
    rng = np.random.default_rng(1)
    current = {**Hyperparams().to_dict(), "alpha": 0.1, "gamma": 0.95}
    up = down = redrawn = 0
    for _ in range(DRAWS):
        alpha = explore(current, SPACE, rng)["alpha"]
        if math.isclose(alpha, 0.12, rel_tol=1e-12):
            up += 1
        elif math.isclose(alpha, 0.08, rel_tol=1e-12):
            down += 1
        else:
            redrawn += 1
            assert 0.01 <= alpha <= 1
    assert binomtest(redrawn, DRAWS, 0.25).pvalue > 1e-3
    assert binomtest(up, up + down, 0.5).pvalue > 1e-3


def test_a_list_moves_to_a_neighbour_or_is_redrawn_with_probability_a_quarter():
    rng = np.random.default_rng(2)
    current = {**Hyperparams().to_dict(), "gamma": 0.95}
    found = [explore(current, SPACE, rng)["gamma"] for _ in range(DRAWS)]
    stayed = found.count(0.95)  # only a redraw can keep the middle value: 1/4 x 1/3
    assert binomtest(stayed, DRAWS, 0.25 / 3).pvalue > 1e-3
    edge = {**current, "gamma": 0.99}  # from the end of the list: 0.99 or its neighbour
    assert {explore(edge, SPACE, rng)["gamma"] for _ in range(200)} == {0.9, 0.95, 0.99}


def test_a_perturbed_value_is_clipped_to_the_validators_range():
    space = parse_space({"epsilon_decay": {"low": 0.9, "high": 1}}, "pbt", BASE)
    rng = np.random.default_rng(3)
    values = {explore({"epsilon_decay": 1.0}, space, rng)["epsilon_decay"] for _ in range(400)}
    assert max(values) == 1.0 and 0.8 in values
    assert all(0 < value <= 1 for value in values)


def test_a_floor_never_ends_above_its_value():
    space = parse_space({"epsilon_min": {"low": 0.01, "high": 0.5}}, "pbt", BASE)
    rng = np.random.default_rng(4)
    current = {**Hyperparams().to_dict(), "epsilon": 0.3, "epsilon_min": 0.29}
    for _ in range(400):
        new = explore(current, space, rng)
        Hyperparams(**{**current, **new})  # valid, or it raises


def test_a_pbt_request_checkpoints_every_interval_and_keeps_all_members_busy():
    plan = parse_request(
        {
            "method": "pbt",
            "population": 8,
            "interval": 100,
            "base": {"episodes": 1000},
            "space": {"alpha": {"low": 0.01, "high": 1}},
            "slots": 2,
        }
    )
    assert (plan.budget, plan.base.checkpoint_every, plan.slots) == (8, 100, 8)
    assert plan.options()["resample_probability"] == 0.25
    assert plan.options()["perturbation_factors"] == [1.2, 0.8]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({}, "population"),
        ({"population": 1}, "population"),
        ({"population": 4, "budget": 5}, "budget"),
        ({"population": 4, "seeds": 2}, "seeds"),
        ({"population": 4, "pruner": "median"}, "pruner"),
        ({"population": 4, "objective": "episodes_to_threshold", "threshold": 1}, "objective"),
        ({"population": 4, "interval": 1000}, "interval"),
        ({"population": 4, "sync_seconds": 0}, "sync_seconds"),
        ({"population": 4, "space": {"algorithm": ["q_learning", "sarsa"]}}, "space.algorithm"),
        (
            {"population": 4, "interval": 100, "base": {"episodes": 1000, "checkpoint_every": 7}},
            "checkpoint_every",
        ),
    ],
)
def test_a_bad_pbt_request_is_refused_naming_the_field(fields, field):
    request = {
        "method": "pbt",
        "base": {"episodes": 1000},
        "space": {"alpha": {"low": 0.01, "high": 1}},
        **fields,
    }
    with pytest.raises(ValidationError) as refused:
        parse_request(request)
    assert field in str(refused.value)


def test_pbt_keys_are_refused_for_other_methods():
    with pytest.raises(ValidationError, match="interval"):
        parse_request({"method": "random", "budget": 2, "interval": 10, "space": {"alpha": [0.1]}})


def test_the_api_launches_a_population_and_names_a_missing_population(store_url, store):
    app = create_app(store_url)
    client = app.server.test_client()
    body = {"method": "pbt", "population": 4, "interval": 50, "base": {"episodes": 200}}
    body["space"] = {"alpha": {"low": 0.01, "high": 1}}
    created = client.post("/api/experiments", json=body)
    assert created.status_code == 201
    members = store.experiments.runs(created.get_json()["id"])
    assert [(run.trial, run.seed, run.status) for run in members] == [
        (n, n, "queued") for n in range(4)
    ]
    assert {run.spec["checkpoint_every"] for run in members} == {50}
    refused = client.post("/api/experiments", json={**body, "population": None})
    assert refused.status_code == 400 and refused.get_json()["field"] == "population"
    app.server.extensions["gridlab.store"].close()
