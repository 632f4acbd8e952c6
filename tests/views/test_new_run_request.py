"""The new-run form's values as the request ``submit_run`` validates, and where errors show."""

from __future__ import annotations

import pytest

from app.actions import spec_from_request
from app.views.new_run import (
    DEMO_RUN,
    FORM_FIELDS,
    error_field,
    form_choices,
    form_errors,
    new_run_body,
)
from gridworld.errors import ValidationError, ValidationErrors


def test_empty_fields_are_left_out_so_the_defaults_apply():
    assert new_run_body({name: None for name in FORM_FIELDS}) == {"env": "GridWorld-v0"}
    assert new_run_body({"env": "GridWorld-v0", "preset": "easy", "alpha": " "}) == {
        "env": "GridWorld-v0",
        "preset": "easy",
    }


def test_typed_text_reaches_the_validator_as_typed_and_trimmed():
    body = new_run_body(
        {"env": "GridWorld-v0", "episodes": " 300", "alpha": "0.5 ", "seed": "x", "name": " me "}
    )
    assert body == {
        "env": "GridWorld-v0",
        "params": {"alpha": "0.5"},
        "episodes": "300",
        "seed": "x",
        "name": "me",
    }
    with pytest.raises(ValidationError) as refused:
        spec_from_request(body)
    assert error_field(refused.value) == "seed"
    spec = spec_from_request({**body, "seed": "7"})
    assert (spec.episodes, spec.hyperparams.alpha, spec.seed) == (300, 0.5, 7)


@pytest.mark.parametrize(
    ("field", "typed"),
    [
        ("episodes", "1_000"),
        ("episodes", "١٠٠"),
        ("seed", "1.0"),
        ("alpha", "٠.٥"),
        ("gamma", "9_9"),
    ],
)
def test_numbers_the_cli_and_http_refuse_are_refused_from_the_form_too(field, typed):
    with pytest.raises(ValidationError) as refused:
        spec_from_request(new_run_body({"env": "GridWorld-v0", field: typed}))
    assert error_field(refused.value) == field


def test_a_custom_map_is_sent_as_rows_and_other_envs_get_no_map():
    typed = {"env": "GridWorld-v0", "preset": "custom", "desc": " S..#\n\n.T..\n...G "}
    assert new_run_body(typed)["desc"] == ["S..#", ".T..", "...G"]
    pasted = {**typed, "desc": '["S.", ".G"]'}
    assert new_run_body(pasted)["desc"] == ["S.", ".G"]
    assert new_run_body({"env": "Taxi-v4", "preset": "custom", "desc": "S"}) == {"env": "Taxi-v4"}


def test_an_env_error_shows_at_the_env_field_and_others_at_no_field():
    assert error_field(ValidationError("env_id", "Nope-v0", "unknown", "an env id")) == "env"
    assert error_field(ValidationError("body", [], "not an object", "an object")) is None


def test_the_demo_run_is_a_valid_request_and_the_form_knows_the_map_choices():
    spec = spec_from_request(DEMO_RUN)
    assert (spec.env_id, spec.preset, spec.episodes, spec.pace) == (
        "GridWorld-v0",
        "medium",
        3_000,
        200,
    )
    assert form_choices() == {"gridworld": "GridWorld-v0", "custom": "custom"}


def test_the_algorithm_chosen_is_sent_and_a_bad_one_is_shown_at_its_field():
    body = new_run_body({"env": "Taxi-v4", "algorithm": "sarsa"})
    assert body == {"env": "Taxi-v4", "algorithm": "sarsa"}
    assert spec_from_request(body).algorithm == "sarsa"
    with pytest.raises(ValidationError) as refused:
        spec_from_request(new_run_body({"algorithm": "monte_carlo"}))
    assert error_field(refused.value) == "algorithm"


def test_every_refused_value_is_shown_at_its_field_and_the_rest_above_the_form():
    alpha = ValidationError("alpha", 0, "out of range", "0 < x <= 1")
    env = ValidationError("env_id", 5, "not a string", "an env id")
    kernel = ValidationError("kernel", "x", "unknown kernel", "auto")
    at_fields, elsewhere = form_errors(ValidationErrors([alpha, env, kernel]))
    assert at_fields == {"alpha": str(alpha), "env": str(env)}
    assert elsewhere == str(kernel)
    assert form_errors(alpha) == ({"alpha": str(alpha)}, "")
