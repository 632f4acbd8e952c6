"""The new-experiment form: the request its values make (the same as ``run.py sweep``'s for
the same options), where a refused value is shown, and its callback over Dash's endpoint:
a bad value gets the validator's message at its field and nothing is written."""

from __future__ import annotations

import pytest

from app import ids
from app.cli_args import build_parser
from app.experiments.launch import launch_experiment
from app.factory import create_app
from app.sweep_args import sweep_request
from app.views.new_experiment import FORM_FIELDS, error_field, new_experiment_request
from gridworld.errors import ValidationError
from tests.api.dash_calls import dash_call
from tests.dashboard_support import snapshot

FORM = {
    "name": "form sweep",
    "env": "GridWorld-v0",
    "preset": "easy",
    "episodes": " 300 ",
    "method": "grid",
    "budget": "",
    "seeds": "3",
    "seed": "",
    "objective": "episodes_to_threshold",
    "threshold": "0.5",
    "pruner": "none",
    "alpha": "0.1,0.5",
    "epsilon_decay": "0.99:0.999:3:log",
    "gamma": "0.9",
}
COMMAND = [
    "sweep",
    *("--name", "form sweep", "--env", "GridWorld-v0", "--preset", "easy"),
    *("--episodes", "300", "--method", "grid", "--seeds", "3"),
    *("--objective", "episodes_to_threshold", "--threshold", "0.5", "--pruner", "none"),
    *("--alpha", "0.1,0.5", "--epsilon-decay", "0.99:0.999:3:log", "--gamma", "0.9"),
]


def test_the_form_asks_what_the_same_sweep_command_does():
    from_command = sweep_request(build_parser().parse_args(COMMAND))
    assert new_experiment_request(FORM) == from_command
    assert from_command["space"]["epsilon_decay"] == {
        "low": "0.99",
        "high": "0.999",
        "scale": "log",
        "steps": "3",
    }


def test_empty_fields_take_the_launchers_defaults_and_maps_are_gridworlds():
    assert new_experiment_request({"alpha": "0.1,0.2"}) == {
        "base": {"env_id": "GridWorld-v0"},
        "space": {"alpha": ["0.1", "0.2"]},
    }
    other = new_experiment_request({"env": "FrozenLake-v1", "preset": "easy", "seeds": " "})
    assert other == {"base": {"env_id": "FrozenLake-v1"}, "space": {}}


def test_the_form_launches_the_sweep_it_describes(store):
    experiment = launch_experiment(store, new_experiment_request(FORM))
    runs = store.experiments.runs(experiment.id)
    assert experiment.name == "form sweep" and experiment.objective == "episodes_to_threshold"
    assert len(runs) == 2 * 3 * 3 and {run.seed for run in runs} == {0, 1, 2}
    assert {run.hyperparams["alpha"] for run in runs} == {0.1, 0.5}
    assert {run.hyperparams["gamma"] for run in runs} == {0.9}
    assert {run.target_episodes for run in runs} == {300}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"alpha": "0.1,2"}, "alpha"),
        ({"alpha": "0.5:0.1:3"}, "alpha"),
        ({"alpha": "0.1:0.5"}, "alpha"),  # a grid range needs its steps
        ({"epsilon_decay": "1:2:3:4:5"}, "epsilon_decay"),
        ({"episodes": "1_000"}, "episodes"),
        ({"seeds": "0"}, "seeds"),
        ({"budget": "99"}, "budget"),
        ({"threshold": ""}, "threshold"),
        ({"name": "bell\x07"}, "name"),
        ({"env": "Nope-v0"}, "env"),
        ({"method": "annealing"}, "method"),
        ({"pruner": "x"}, "pruner"),
        ({"preset": "nope"}, "preset"),
    ],
)
def test_a_refused_value_is_shown_at_its_field(store, changes, field):
    with pytest.raises(ValidationError) as refused:
        launch_experiment(store, new_experiment_request({**FORM, **changes}))
    assert error_field(refused.value) == field
    assert store.experiments.list_all() == [] and store.list_runs() == []


def test_an_error_no_field_holds_goes_to_the_message():
    assert error_field(ValidationError("space", {}, "empty", "a space")) is None
    assert error_field(ValidationError("base.episodes", 0, "x", "y")) == "episodes"
    assert error_field(ValidationError("env_id", "x", "x", "y")) == "env"


def _launch(**fields: object) -> tuple:
    values = {f"{ids.newexp_field(name)}.value": FORM.get(name) for name in FORM_FIELDS}
    values.update({f"{ids.newexp_field(name)}.value": value for name, value in fields.items()})
    values[f"{ids.NEWEXP_SUBMIT}.n_clicks"] = 1
    return (f"{ids.NEWEXP_MESSAGE}.children", values, f"{ids.NEWEXP_SUBMIT}.n_clicks")


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"alpha": "0.1,2"}, ["alpha=", "invalid"]),
        ({"alpha": 5}, ["alpha=5", "not text"]),
        ({"alpha": ["0.1"]}, ["alpha=['0.1']", "not text"]),
        ({"episodes": {"a": 1}}, ["episodes="]),
        ({"seeds": 10**30}, ["seeds="]),
        ({"name": "a\ud800b"}, ["name=", "lone surrogate"]),
        ({"threshold": None, "seeds": None}, ["threshold=None", "missing"]),
        ({"method": "random", "alpha": None, "epsilon_decay": None}, ["space=", "empty"]),
    ],
)
def test_a_crafted_launch_gets_the_message_at_its_field_and_writes_nothing(
    store_url, fields, words
):
    app = create_app(store_url)
    client = app.server.test_client()
    before = snapshot(store_url)
    response = dash_call(client, *_launch(**fields))
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    shown = str(response.get_json()["response"])
    for word in words:
        assert word in shown, (word, shown[:500])
    assert "newexp-location" not in shown  # no page to go to
    assert snapshot(store_url) == before
    app.server.extensions["gridlab.store"].close()


def test_a_launch_goes_to_the_new_experiments_page(store_url, store):
    app = create_app(store_url)
    response = dash_call(app.server.test_client(), *_launch())
    (experiment,) = store.experiments.list_all()
    answer = response.get_json()["response"]
    assert answer[ids.NEWEXP_LOCATION] == {"href": f"/experiments/{experiment.id}"}
    assert answer[ids.NEWEXP_MESSAGE]["is_open"] is False
    app.server.extensions["gridlab.store"].close()
