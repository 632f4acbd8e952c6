"""The new-run form: environment and map, episodes, algorithm, hyperparameters, seed, name
and pace.

Every field has an input ``ids.new_field(field)`` and an invalid-value message
``ids.new_feedback(field)``. Numbers are typed as text so that any value reaches the
validator, which then gives the same message as the CLI and the HTTP API. Empty fields take
the trainer's defaults (shown as placeholders).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

from app import ids
from app.views.new_run import CUSTOM_MAP, ENVS, EXAMPLE_MAP, PARAM_FIELDS, form_choices
from gridworld.agents import ALGORITHM_LABELS
from gridworld.config import PRESETS
from gridworld.hyperparams import HYPERPARAM_RANGES, Hyperparams
from gridworld.pace import FULL_SPEED, PACE_RANGE
from gridworld.spec import GRIDWORLD_ID, RunSpec

PARAM_LABELS = {
    "alpha": "alpha (learning rate)",
    "gamma": "gamma (discount)",
    "epsilon": "epsilon (exploration)",
    "epsilon_decay": "epsilon decay",
    "epsilon_min": "min epsilon",
}
"""The label of each hyperparameter field."""
_DEFAULT_PARAMS = Hyperparams()
_DEFAULT_SPEC = RunSpec()


def form_field(
    input_id: str, feedback_id: str, label: str, control: Any, hint: str | None, **col: Any
) -> dbc.Col:
    """Return a form column: label (for ``input_id``), control, its invalid feedback
    (``feedback_id``) and hint text (the new-run and new-experiment forms share it)."""
    parts = [dbc.Label(label, html_for=input_id), control]
    parts.append(dbc.FormFeedback(id=feedback_id, type="invalid"))
    if hint:
        parts.append(dbc.FormText(hint))
    return dbc.Col(parts, **col)


def _field(field: str, label: str, control: Any, hint: str | None = None, **col: Any) -> dbc.Col:
    """Return the column of the new-run form's ``field`` (``form_field``)."""
    return form_field(ids.new_field(field), ids.new_feedback(field), label, control, hint, **col)


def _text_input(
    field: str, placeholder: object, values: Mapping[str, str], numeric: bool = True
) -> dbc.Input:
    """Return a text input for ``field`` with the default as its placeholder, holding its
    value in ``values`` (if any)."""
    return dbc.Input(
        id=ids.new_field(field),
        value=values.get(field),
        type="text",
        inputMode="decimal" if numeric else "text",
        placeholder=str(placeholder),
        autoComplete="off",
    )


def _select(field: str, options: list[dict[str, str]], value: str | None) -> dbc.Select:
    """Return a drop-down for ``field`` with ``options`` (label and value), ``value`` chosen."""
    return dbc.Select(id=ids.new_field(field), options=options, value=value)


def _env_row(values: Mapping[str, str]) -> dbc.Row:
    """Return the environment, map, episodes and algorithm fields."""
    envs = [{"label": env, "value": env} for env in ENVS]
    presets = [{"label": f"preset: {name}", "value": name} for name in PRESETS]
    presets.append({"label": "custom map…", "value": CUSTOM_MAP})
    algorithms = [{"label": label, "value": name} for name, label in ALGORITHM_LABELS.items()]
    return dbc.Row(
        [
            _field(
                "env", "Environment", _select("env", envs, values.get("env", GRIDWORLD_ID)), md=4
            ),
            _field(
                "preset",
                "Map",
                _select("preset", presets, values.get("preset", _DEFAULT_SPEC.preset)),
                "GridWorld only",
                md=3,
            ),
            _field(
                "episodes",
                "Episodes",
                _text_input("episodes", _DEFAULT_SPEC.episodes, values),
                md=2,
            ),
            _field(
                "algorithm",
                "Algorithm",
                _select("algorithm", algorithms, values.get("algorithm", _DEFAULT_SPEC.algorithm)),
                md=3,
            ),
        ],
        className="g-3",
    )


def _desc_box(values: Mapping[str, str]) -> html.Div:
    """Return the custom map field, hidden until the custom map is chosen, holding the
    given map or an example one (so the form submitted as seen trains on it)."""
    return html.Div(
        _field(
            "desc",
            "Custom map",
            dbc.Textarea(
                id=ids.new_field("desc"),
                value=values.get("desc") or "\n".join(EXAMPLE_MAP),
                rows=5,
                className="font-monospace",
                spellCheck=False,
            ),
            "one row per line: S start, G goal, . floor, # wall, T trap (an example to edit)",
        ),
        id=ids.NEW_DESC_BOX,
        className="mt-3",
        style={"display": "none"},
    )


def _params_row(values: Mapping[str, str]) -> dbc.Row:
    """Return one field per hyperparameter the form sets, with its allowed range."""
    return dbc.Row(
        [
            _field(
                name,
                PARAM_LABELS[name],
                _text_input(name, getattr(_DEFAULT_PARAMS, name), values),
                str(HYPERPARAM_RANGES[name]),
                md=True,
            )
            for name in PARAM_FIELDS
        ],
        className="g-3 mt-1",
    )


def _name_row(values: Mapping[str, str]) -> dbc.Row:
    """Return the seed, name and pace fields."""
    return dbc.Row(
        [
            _field("seed", "Seed", _text_input("seed", _DEFAULT_SPEC.seed, values), md=3),
            _field(
                "name", "Name", _text_input("name", "preset and seed", values, numeric=False), md=6
            ),
            _field(
                "pace",
                "Pace (episodes/s)",
                _text_input("pace", FULL_SPEED, values),
                f"{PACE_RANGE}, or {FULL_SPEED} speed; the same results at any pace",
                md=3,
            ),
        ],
        className="g-3 mt-1",
    )


def new_run_form(values: Mapping[str, str] | None = None) -> dbc.Card:
    """Return the new-run form and what its browser code needs (``NEW_CHOICES``).

    Args:
        values: what its fields start with (``views.new_run.form_values``; None: empty).
    """
    values = values or {}
    submit = dbc.Button(
        "Start run", id=ids.NEW_SUBMIT, type="submit", color="primary", className="mt-3"
    )
    return dbc.Card(
        [
            dbc.CardHeader("New run"),
            dbc.CardBody(
                dbc.Form(
                    [
                        _env_row(values),
                        _desc_box(values),
                        _params_row(values),
                        _name_row(values),
                        submit,
                    ],
                    id=ids.NEW_FORM,
                )
            ),
            dcc.Store(id=ids.NEW_CHOICES, data=form_choices()),
        ],
        className="mb-3",
    )
