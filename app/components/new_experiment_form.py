"""The new-experiment form: the base run, the sweep's method, budget, seeds and objective, and
per parameter a list, a range with linear or log steps, or one fixed value.

Every field has an input ``ids.newexp_field(field)`` and an invalid-value message
``ids.newexp_feedback(field)``; values are typed as text so that any value reaches the
validator, which then gives the same message as ``run.py sweep`` and the HTTP API.
"""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import html

from app import ids
from app.components.new_run_form import form_field
from app.experiments.space import PARAMETERS
from app.sweep_args import SPACE_SYNTAX
from app.views.experiment_scores import OBJECTIVE_LABELS
from app.views.new_experiment import CHOICES, DEFAULTS
from gridworld.config import PRESETS
from gridworld.hyperparams import HYPERPARAM_RANGES, Hyperparams
from gridworld.spec import RunSpec

_DEFAULT_PARAMS = Hyperparams()
_DEFAULT_SPEC = RunSpec()
HINTS = {
    "budget": "settings to try (grid: all of them when empty)",
    "seeds": "runs per setting",
    "seed": "the first seed",
    "threshold": "mean return for episodes to threshold",
}
"""The hint under a settings field."""
LABELS = {"objective": OBJECTIVE_LABELS}
"""Choice labels of the fields whose values are names."""


def _field(field: str, label: str, control: Any, hint: str | None = None, **col: Any) -> dbc.Col:
    """Return the column of the form's ``field`` (``new_run_form.form_field``)."""
    field_id = ids.newexp_field(field)
    return form_field(field_id, ids.newexp_feedback(field), label, control, hint, **col)


def _text(field: str, placeholder: object = "", value: str | None = None) -> dbc.Input:
    """Return a text input for ``field`` (any text reaches the validator)."""
    return dbc.Input(
        id=ids.newexp_field(field),
        type="text",
        value=value,
        placeholder=str(placeholder),
        autoComplete="off",
    )


def _select(field: str, choices: tuple[str, ...]) -> dbc.Select:
    """Return a choice among ``choices``, set to the field's default."""
    names = LABELS.get(field, {})
    return dbc.Select(
        id=ids.newexp_field(field),
        options=[{"label": names.get(choice, choice), "value": choice} for choice in choices],
        value=choices[0],
    )


def _settings_rows() -> list[dbc.Row]:
    """Return the experiment's own fields: name and base run, then method and objective."""
    presets = tuple(PRESETS)
    first = [
        _field("name", "Name", _text("name", "<method> sweep on <env>"), md=3),
        _field("env", "Environment", _select("env", CHOICES["env"]), md=3),
        _field("preset", "Map", _select("preset", presets), "GridWorld only", md=3),
        _field("episodes", "Episodes per run", _text("episodes", value=DEFAULTS["episodes"]), md=3),
    ]
    second = [
        _field("method", "Method", _select("method", CHOICES["method"]), md=2),
        _field("budget", "Budget", _text("budget", "all"), HINTS["budget"], md=3),
        _field("seeds", "Seeds", _text("seeds", value=DEFAULTS["seeds"]), HINTS["seeds"], md=2),
        _field("seed", "First seed", _text("seed", _DEFAULT_SPEC.seed), HINTS["seed"], md=2),
        _field("pruner", "Pruner", _select("pruner", CHOICES["pruner"]), md=3),
    ]
    third = [
        _field("objective", "Objective", _select("objective", CHOICES["objective"]), md=6),
        _field("threshold", "Threshold", _text("threshold"), HINTS["threshold"], md=3),
    ]
    return [dbc.Row(row, className="g-3 mb-2") for row in (first, second, third)]


def _parameter_rows() -> list[Any]:
    """Return one field per parameter of the space (empty: its default)."""
    fields = []
    for name in PARAMETERS:
        default = getattr(_DEFAULT_PARAMS, name, None) or getattr(_DEFAULT_SPEC, name, "")
        hint = str(HYPERPARAM_RANGES[name]) if name in HYPERPARAM_RANGES else "a list of values"
        fields.append(_field(name, name, _text(name, default), hint, md=3))
    return [
        html.H6("Search space", className="mt-3"),
        html.P(SPACE_SYNTAX, className="text-muted small"),
        dbc.Row(fields, className="g-3"),
    ]


def new_experiment_form() -> dbc.Card:
    """Return the new-experiment form."""
    submit = dbc.Button(
        "Launch experiment", id=ids.NEWEXP_SUBMIT, color="primary", className="mt-3"
    )
    return dbc.Card(
        [
            dbc.CardHeader("New experiment"),
            dbc.CardBody([*_settings_rows(), *_parameter_rows(), submit]),
        ],
        className="mb-3",
    )
