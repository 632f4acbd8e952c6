"""The new-experiment form as data: its fields and the launch request its values make.

Each parameter takes the ``sweep`` command's syntax (``app.sweep_args.SPACE_SYNTAX``: a list
``A,B,C``, a range ``LOW:HIGH[:STEPS][:log]`` or one fixed value), and the request is built
by the same function the command uses (``sweep_request``), so the form, the CLI and the HTTP
API send ``launch_experiment`` the same request for the same values, and get the same
message for the same bad one (shown at the field ``error_field`` names).
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from typing import Any

from app.experiments.request import PRUNERS
from app.experiments.space import METHODS, PARAMETERS
from app.stats.objectives import OBJECTIVES
from app.sweep_args import SPACE_SYNTAX, sweep_request
from app.views.new_run import ENVS, form_value
from gridworld.errors import ValidationError
from gridworld.spec import GRIDWORLD_ID

SETTINGS_FIELDS = (
    "name",
    "env",
    "preset",
    "episodes",
    "method",
    "budget",
    "seeds",
    "seed",
    "objective",
    "threshold",
    "pruner",
)
"""The form's fields besides the parameters, in form order."""
FORM_FIELDS = (*SETTINGS_FIELDS, *PARAMETERS)
"""Every field: each has an input and an invalid-value message."""
CHOICES: dict[str, tuple[str, ...]] = {
    "env": ENVS,
    "method": METHODS,
    "objective": OBJECTIVES,
    "pruner": PRUNERS,
}
"""The fields chosen from a list, and their choices (the first is the default)."""
DEFAULTS = {"episodes": "2000", "seeds": "3"}
"""What the form's text fields start with (a choice starts with its first)."""
FIELD_ALIASES = {"env_id": "env", "body": None, "space": None}
"""Validation-error fields shown at another input (None: at none, in the message)."""
_COMMAND: tuple[str, ...] = (
    *("env", "preset", "episodes", "seed", "checkpoint_every", "method", "budget"),
    *("seeds", "name", "objective", "threshold", "pruner", *PARAMETERS),
)
"""Every option ``sweep_request`` reads."""


def new_experiment_request(values: Mapping[str, Any]) -> dict[str, Any]:
    """Return the launch request for the form's values.

    Args:
        values: form field (``FORM_FIELDS``) to the input's value.

    Returns:
        The request ``sweep_request`` builds from the same options on the command line: empty
        fields left out (``launch_experiment`` then takes its defaults), text trimmed, other
        settings (only a crafted request sends them) as they are, so the validator names what
        is wrong. GridWorld's map only for GridWorld.

    Raises:
        ValidationError: a parameter that is not text, or a range with the wrong number of
            parts (field: the parameter).
    """
    options = {name: form_value(values.get(name)) for name in _COMMAND}
    for name in PARAMETERS:
        if options[name] is not None and not isinstance(options[name], str):
            raise ValidationError(name, options[name], "not text", SPACE_SYNTAX)
    options["env"] = options["env"] or GRIDWORLD_ID
    if options["env"] != GRIDWORLD_ID:
        options["preset"] = None
    request = sweep_request(argparse.Namespace(**options))
    return {key: value for key, value in request.items() if value is not None}


def error_field(error: ValidationError) -> str | None:
    """Return the form field that shows ``error`` (``base.episodes`` and ``alpha.low`` at
    ``episodes`` and ``alpha``), or None when no field of the form does."""
    name = error.field.removeprefix("base.").split(".")[0]
    name = FIELD_ALIASES.get(name, name) or ""
    return name if name in FORM_FIELDS else None
