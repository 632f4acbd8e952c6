"""The runs page's new-run form as data: its fields and the request its values make.

The request goes to ``app.actions.submit_run``, which validates it exactly as the CLI and the
HTTP API do; a refused value is shown at the field ``error_field`` names.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from gridworld.errors import ValidationError
from gridworld.spec import GRIDWORLD_ID

ENVS = ("GridWorld-v0", "FrozenLake-v1", "FrozenLake8x8-v1", "CliffWalking-v1", "Taxi-v4")
"""Environments the form offers."""
CUSTOM_MAP = "custom"
"""The map choice that switches the form to a custom text map."""
DEMO_RUN = {"env": GRIDWORLD_ID, "preset": "medium", "episodes": 20_000, "seed": 0, "name": "demo"}
"""The request the empty state's one-click demo button submits."""
PARAM_FIELDS = ("alpha", "gamma", "epsilon", "epsilon_decay", "epsilon_min")
"""Hyperparameters the form sets (the rest keep their defaults)."""
FORM_FIELDS = ("env", "preset", "desc", "episodes", *PARAM_FIELDS, "seed", "name")
"""Every form field, in form order; each has an input and an invalid-value message."""
FIELD_ALIASES = {"env_id": "env"}
"""Validation-error fields that are shown at another input."""


def form_choices() -> dict[str, str]:
    """Return what the form's browser code needs to know to show or hide map fields.

    Returns:
        ``gridworld``: the env with maps (the others have none); ``custom``: the map choice
        that shows the custom map box.
    """
    return {"gridworld": GRIDWORLD_ID, "custom": CUSTOM_MAP}


def error_field(error: ValidationError) -> str | None:
    """Return the form field that shows ``error``, or None when no field of the form does."""
    field = FIELD_ALIASES.get(error.field, error.field)
    return field if field in FORM_FIELDS else None


def new_run_body(values: Mapping[str, Any]) -> dict[str, Any]:
    """Return the ``submit_run`` request for the form's values, leaving out empty fields.

    Args:
        values: form field (``FORM_FIELDS``) to the input's value.

    Returns:
        ``env``, then ``preset`` or ``desc`` (GridWorld only), and any of ``episodes``,
        ``params`` (the hyperparameters given), ``seed`` and ``name`` that were filled in.
    """
    env = values.get("env") or GRIDWORLD_ID
    body: dict[str, Any] = {"env": env}
    if env == GRIDWORLD_ID:
        if values.get("preset") == CUSTOM_MAP:
            body["desc"] = _desc(values.get("desc"))
        elif values.get("preset"):
            body["preset"] = values["preset"]
    params = {name: _value(values.get(name)) for name in PARAM_FIELDS}
    params = {name: value for name, value in params.items() if value is not None}
    if params:
        body["params"] = params
    for name in ("episodes", "seed"):
        value = _value(values.get(name))
        if value is not None:
            body[name] = value
    name = str(values.get("name") or "").strip()
    if name:
        body["name"] = name
    return body


def _value(raw: object) -> object:
    """Return a form value for the validator: None when empty, a number when it reads as one,
    else the text as typed (so the validator names what is wrong with it)."""
    if raw is None or isinstance(raw, int | float):
        return raw
    text = str(raw).strip()
    if not text:
        return None
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            continue
    return text


def _desc(text: object) -> object:
    """Return a custom map as a list of rows (one per non-empty line, or a pasted JSON list)."""
    raw = str(text or "").strip()
    if raw.startswith("["):
        try:
            return json.loads(raw)
        except ValueError:
            return raw
    return [line.strip() for line in raw.splitlines() if line.strip()]
