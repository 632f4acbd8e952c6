"""A new-run request with several bad fields hears of every one at once, through the HTTP API
and through the form's callback, each message the validator's own."""

from __future__ import annotations

import pytest

from app import ids
from gridworld.errors import ValidationErrors
from gridworld.spec import validate_run_spec
from tests.api.dash_calls import dash_call
from tests.dashboard_support import snapshot

BAD = {"episodes": "abc", "alpha": "0", "gamma": "1.5"}
"""Three bad fields: the form once flagged only the first."""


def _messages() -> dict[str, str]:
    """Return the validator's message for each bad field of ``BAD``, from its own errors."""
    params = {"alpha": BAD["alpha"], "gamma": BAD["gamma"]}
    with pytest.raises(ValidationErrors) as caught:
        validate_run_spec({"episodes": BAD["episodes"], "hyperparams": params})
    return {error.field: str(error) for error in caught.value.errors}


def test_the_api_lists_every_bad_field_and_creates_nothing(client, store_url):
    before = snapshot(store_url)
    body = {"episodes": BAD["episodes"], "params": {"alpha": 0, "gamma": 1.5}, "colour": "x"}
    response = client.post("/api/runs", json=body)
    assert response.status_code == 400
    answer = response.get_json()
    fields = [error["field"] for error in answer["errors"]]
    assert fields == ["colour", "episodes", "alpha", "gamma"]
    assert answer["field"] == "colour"
    assert answer["error"].splitlines() == [error["error"] for error in answer["errors"]]
    assert "alpha=0 is invalid: out of range; allowed: 0 < x <= 1" in answer["error"]
    assert "gamma=1.5 is invalid: out of range" in answer["error"]
    assert snapshot(store_url) == before


def test_the_form_marks_every_bad_field_with_its_own_message(client, store_url):
    before = snapshot(store_url)
    values = {f"{ids.new_field(name)}.value": value for name, value in BAD.items()}
    values |= {f"{ids.new_field('env')}.value": "GridWorld-v0", f"{ids.NEW_SUBMIT}.n_clicks": 1}
    response = dash_call(
        client, f"{ids.NEW_MESSAGE}.children", values, f"{ids.NEW_SUBMIT}.n_clicks"
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    answer = response.get_json()["response"]
    invalid = {name for name in BAD if answer[ids.new_field(name)]["invalid"]}
    assert invalid == set(BAD)
    shown = {name: answer[ids.new_feedback(name)]["children"] for name in BAD}
    assert shown == _messages()
    assert answer[ids.NEW_MESSAGE]["is_open"] is False
    assert answer[ids.new_field("seed")]["invalid"] is False
    assert snapshot(store_url) == before
