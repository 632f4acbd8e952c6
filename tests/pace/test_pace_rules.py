"""A run's pace: validated in one place, kept out of the learning parameters, and with no
effect on what a run learns (a paced run plays the same episodes as an unpaced one)."""

from __future__ import annotations

import pytest

from app.actions import change_pace, run_request
from app.rules import Conflict
from app.training import Trainer, claim_new_run
from app.views.new_run import form_errors, form_values, new_run_body
from gridworld.errors import ValidationError
from gridworld.pace import PACE_ALLOWED, validate_pace
from gridworld.spec import RunSpec
from tests.trainer.support import FAST, make_spec, rows_without_wall_time, train_new


@pytest.mark.parametrize(
    ("value", "pace"),
    [
        (50, 50.0),
        ("0.5", 0.5),
        (100_000, 100_000.0),
        ("full", None),
        (" Full ", None),
        (None, None),
        ("", None),
    ],
)
def test_a_pace_is_episodes_per_second_or_full_speed(value, pace):
    assert validate_pace(value) == pace


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (0, "out of range"),
        (-3, "out of range"),
        (100_001, "out of range"),
        ("fast", "not a number"),
        (True, "not a number"),
        ("nan", "not a finite number"),
        (float("inf"), "not a finite number"),
    ],
)
def test_a_bad_pace_is_refused_naming_the_value_and_the_range(value, reason):
    with pytest.raises(ValidationError) as caught:
        validate_pace(value)
    assert caught.value.field == "pace"
    assert reason in str(caught.value)
    assert str(caught.value).endswith(f"allowed: {PACE_ALLOWED}")
    assert "0 < x <= 100000" in PACE_ALLOWED


def test_the_spec_keeps_its_pace_apart_from_the_hyperparameters():
    spec = make_spec(pace="200")
    assert spec.pace == 200.0
    assert "pace" not in spec.hyperparams.to_dict()
    assert RunSpec.from_dict(spec.to_dict()) == spec
    old = spec.to_dict()
    del old["pace"]  # a spec stored before runs had a pace
    assert RunSpec.from_dict(old).pace is None
    assert run_request({"pace": "full"})[0].pace is None
    with pytest.raises(ValidationError, match=r"pace=0 is invalid: out of range"):
        run_request({"pace": 0, "episodes": 5})


def test_a_paced_run_learns_exactly_what_an_unpaced_one_learns(store):
    plain = train_new(store, make_spec(episodes=150, seed=4))
    paced_claim = claim_new_run(store, make_spec(episodes=150, seed=4, pace=400))
    trainer = Trainer(store, paced_claim, settings=FAST)
    assert trainer.run() == "finished"
    assert trainer.pace == 400.0
    paced = paced_claim.run_id
    assert rows_without_wall_time(store, paced) == rows_without_wall_time(store, plain.run_id)
    first, last = (store.episodes(paced, start, 1)[0].wall_time for start in (1, 150))
    assert last - first >= 100 / 400  # it did take its time
    paced_q = store.load_checkpoint(paced).q.tolist()
    assert paced_q == store.load_checkpoint(plain.run_id).q.tolist()


def test_a_live_pace_change_is_recorded_stamped_and_kept_from_the_agent(store):
    claim = claim_new_run(store, make_spec(episodes=400, seed=2, pace=100))
    trainer = Trainer(store, claim, settings=FAST)
    run_id = claim.run_id
    change = change_pace(store, run_id, "full", "api")
    assert change["param"] == "pace" and change["new_value"] == "full"
    assert trainer.run() == "finished"
    assert trainer.pace is None
    (applied,) = store.param_changes(run_id)
    assert (applied.param, applied.new_value, applied.source) == ("pace", "full", "api")
    assert applied.applied_episode == 1  # taken at the first control check
    assert "pace" not in trainer.agent.hyperparams.to_dict()
    assert store.get_run(run_id).current_params["pace"] == "full"
    plain = train_new(store, make_spec(episodes=400, seed=2))
    assert rows_without_wall_time(store, run_id) == rows_without_wall_time(store, plain.run_id)


def test_a_finished_run_s_pace_cannot_change(store):
    run_id = train_new(store, make_spec(episodes=20)).run_id
    with pytest.raises(Conflict):
        change_pace(store, run_id, 10, "ui")
    with pytest.raises(ValidationError, match="pace='x' is invalid"):
        change_pace(store, run_id, "x", "ui")
    assert store.param_changes(run_id) == []


def test_the_new_run_form_sends_its_pace_and_shows_a_bad_one_at_its_field():
    body = new_run_body({"env": "GridWorld-v0", "preset": "easy", "pace": " 50 "})
    assert body["pace"] == "50" and run_request(body)[0].pace == 50.0
    assert "pace" not in new_run_body({"pace": ""})
    with pytest.raises(ValidationError) as refused:
        run_request(new_run_body({"pace": "-1", "episodes": "x"}))
    at_fields, elsewhere = form_errors(refused.value)
    assert at_fields["pace"].startswith("pace=-1 is invalid: out of range")
    assert "episodes" in at_fields and elsewhere == ""
    assert form_values(make_spec(pace=25).to_dict())["pace"] == "25.0"
