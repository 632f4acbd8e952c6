"""The runs page's new-run form as data: its fields and the request its values make.

The request goes to ``app.actions.submit_run``, which validates it exactly as the CLI and the
HTTP API do; every refused value is shown at the field ``error_field`` names
(``form_errors``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.request_json import parse_json
from gridworld.errors import ValidationError, each_error
from gridworld.spec import GRIDWORLD_ID

ENVS = ("GridWorld-v0", "FrozenLake-v1", "FrozenLake8x8-v1", "CliffWalking-v1", "Taxi-v4")
"""Environments the form offers."""
CUSTOM_MAP = "custom"
"""The map choice that switches the form to a custom text map."""
MAX_MAP_BYTES = 100_000
"""The largest map file ``map_file`` reads (a map of 100 rows of 100 cells is 10 kB)."""
MAP_FILE_ALLOWED = "a readable UTF-8 text file: one map row per line, or a JSON list of rows"
EXAMPLE_MAP = ("S..#", ".T..", "...G")
"""The map the custom map box holds until it is edited (a playable one)."""
DEMO_EPISODES, DEMO_PACE = 3_000, 200
"""The demo's length and pace: about 15 s to watch epsilon decay from 1 to its floor (0.999
per episode reaches 0.05 near episode 3,000) and the policy settle."""
DEMO_RUN = {
    "env": GRIDWORLD_ID,
    "preset": "medium",
    "episodes": DEMO_EPISODES,
    "seed": 0,
    "name": "demo",
    "pace": DEMO_PACE,
}
"""The request the empty state's one-click demo button submits."""
PARAM_FIELDS = ("alpha", "gamma", "epsilon", "epsilon_decay", "epsilon_min")
"""Hyperparameters the form sets (the rest keep their defaults)."""
FORM_FIELDS = (
    "env",
    "preset",
    "desc",
    "episodes",
    "algorithm",
    *PARAM_FIELDS,
    "seed",
    "name",
    "pace",
)
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


def form_errors(error: ValidationError) -> tuple[dict[str, str], str]:
    """Return where the form shows each refused value of a request.

    Args:
        error: the validator's error (``ValidationErrors`` for several bad fields).

    Returns:
        Form field to its message (every bad field of the form at once), and the messages
        no field shows (one per line; empty when every error has its field).
    """
    at_fields: dict[str, str] = {}
    elsewhere: list[str] = []
    for each in each_error(error):
        field = error_field(each)
        if field is None or field in at_fields:
            elsewhere.append(str(each))
        else:
            at_fields[field] = str(each)
    return at_fields, "\n".join(elsewhere)


def new_run_body(values: Mapping[str, Any]) -> dict[str, Any]:
    """Return the ``submit_run`` request for the form's values, leaving out empty fields.

    Args:
        values: form field (``FORM_FIELDS``) to the input's value.

    Returns:
        ``env``, then ``preset`` or ``desc`` (GridWorld only), and any of ``episodes``,
        ``algorithm``, ``params`` (the hyperparameters given), ``seed``, ``name`` and
        ``pace`` that were filled in, each as typed (text trimmed): the validator reads the
        numbers, so ``1_000`` or other scripts' digits are refused as they are over HTTP
        and the CLI.
    """
    env = values.get("env") or GRIDWORLD_ID
    body: dict[str, Any] = {"env": env}
    if env == GRIDWORLD_ID:
        if values.get("preset") == CUSTOM_MAP:
            body["desc"] = map_rows(values.get("desc"))
        elif values.get("preset"):
            body["preset"] = values["preset"]
    params = {name: form_value(values.get(name)) for name in PARAM_FIELDS}
    params = {name: value for name, value in params.items() if value is not None}
    if params:
        body["params"] = params
    for field in ("episodes", "algorithm", "seed", "name", "pace"):
        value = form_value(values.get(field))
        if value is not None:
            body[field] = value
    return body


def form_values(spec: Mapping[str, Any]) -> dict[str, str]:
    """Return the form's values that start a run with the settings of a stored run spec
    ("New run with these settings"); its name is left for the default.

    Args:
        spec: ``Run.spec`` (``RunSpec.to_dict``).

    Returns:
        Form field (``FORM_FIELDS``) to the text its input starts with; a field the spec
        does not set is left out.
    """
    values: dict[str, str] = {"env": str(spec.get("env_id") or GRIDWORLD_ID)}
    if spec.get("desc"):
        values["preset"], values["desc"] = CUSTOM_MAP, "\n".join(spec["desc"])
    elif spec.get("preset"):
        values["preset"] = str(spec["preset"])
    params = spec.get("hyperparams") or {}
    fields: dict[str, Any] = {name: params.get(name) for name in PARAM_FIELDS}
    fields |= {key: spec.get(key) for key in ("episodes", "algorithm", "seed", "pace")}
    values |= {field: str(value) for field, value in fields.items() if value is not None}
    return values


def form_value(raw: object) -> object:
    """Return a form value for the validator: None when empty, text trimmed, anything else
    (only a crafted request sends it) as it is, so the validator names what is wrong."""
    if not isinstance(raw, str):
        return raw
    return raw.strip() or None


def map_file(path: str) -> object:
    """Return the custom map in the text file at ``path`` (``train --map``), read as the
    form's custom map box reads what is typed into it (``map_rows``).

    Raises:
        ValidationError: the file cannot be read, is too large or is not UTF-8 (field
            ``map``); the validator then checks the map itself (field ``desc``).
    """
    try:
        with open(path, "rb") as file:
            data = file.read(MAX_MAP_BYTES + 1)
    except OSError as exc:
        raise ValidationError("map", path, exc.strerror or str(exc), MAP_FILE_ALLOWED) from None
    if len(data) > MAX_MAP_BYTES:
        raise ValidationError("map", path, f"larger than {MAX_MAP_BYTES} bytes", MAP_FILE_ALLOWED)
    try:
        return map_rows(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise ValidationError("map", path, "not UTF-8 text", MAP_FILE_ALLOWED) from None


def map_rows(text: object) -> object:
    """Return a custom map as a list of rows (one per non-empty line, or a pasted JSON list);
    anything but text as it is (the validator refuses it)."""
    if not isinstance(text, str):
        return text
    raw = text.strip()
    if raw.startswith("["):
        try:
            return parse_json(raw)
        except ValidationError:  # not JSON (or nested too deeply): the validator says why
            return raw
    return [line.strip() for line in raw.splitlines() if line.strip()]
