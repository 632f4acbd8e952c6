"""The run page's live parameter editor as data: current values, typed changes, history."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app.rules import format_number
from gridworld.errors import ValidationError, each_error
from gridworld.hyperparams import HYPERPARAM_NAMES
from gridworld.pace import PACE, stored_pace
from runstore import ParamChange, Run

MAX_CHANGES = 20
"""Most recent changes the history lists."""


def current_values(run: Run) -> list[str]:
    """Return each hyperparameter's current value as shown (``HYPERPARAM_NAMES`` order)."""
    return [format_number(run.current_params.get(name)) for name in HYPERPARAM_NAMES]


def typed_values(values: Sequence[object]) -> dict[str, str]:
    """Return the values typed into the editor's fields, leaving out blank fields.

    Args:
        values: each field's value, in ``HYPERPARAM_NAMES`` order (None when untouched).

    Returns:
        Parameter name → the text typed, stripped (the validator parses it).
    """
    typed = {}
    for name, value in zip(HYPERPARAM_NAMES, values, strict=True):
        text = "" if value is None else str(value).strip()
        if text:
            typed[name] = text
    return typed


def field_errors(error: ValidationError) -> list[str] | None:
    """Return the message to show under each field for a refused change.

    Returns:
        Each refused value's text at its own field (every bad field at once) and empty text
        elsewhere (``HYPERPARAM_NAMES`` order), or None when an error names no field of the
        editor.
    """
    shown = {each.field: str(each) for each in each_error(error)}
    if not shown.keys() <= set(HYPERPARAM_NAMES):
        return None
    return [shown.get(name, "") for name in HYPERPARAM_NAMES]


def queued_text(queued: Sequence[Mapping[str, Any]]) -> str:
    """Return the line confirming queued changes (``Queued: alpha → 0.05.``)."""
    changes = ", ".join(f"{c['param']} → {format_number(c['new_value'])}" for c in queued)
    return f"Queued: {changes}."


@dataclass(frozen=True)
class ChangeRow:
    """One line of the change history."""

    text: str
    """``param old → new``."""
    applied: str | None
    """``episode N`` it took effect at, or None while it is pending."""
    source: str
    """Who asked for it: ui, api or cli."""


def _old_value(change: ParamChange, initial: Mapping[str, Any]) -> Any:
    """Return the value ``change`` replaced: recorded, else the run's initial one."""
    return initial.get(change.param) if change.old_value is None else change.old_value


def change_rows(changes: Sequence[ParamChange], run: Run) -> list[ChangeRow]:
    """Return the newest ``MAX_CHANGES`` parameter changes of ``run``, newest first.

    A run's first pace change has no recorded old value (its parameters hold no pace until
    one is applied): it reads from the spec's pace (``full`` when it had none).
    """
    initial = {PACE: stored_pace(run.spec.get(PACE))}
    return [
        ChangeRow(
            text=(
                f"{change.param} {format_number(_old_value(change, initial))}"
                f" → {format_number(change.new_value)}"
            ),
            applied=(
                None
                if change.applied_episode is None
                else f"episode {format_number(change.applied_episode)}"
            ),
            source=change.source,
        )
        for change in reversed(changes[-MAX_CHANGES:])
    ]
