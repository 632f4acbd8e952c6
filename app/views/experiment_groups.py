"""An experiment's runs in groups: by their settings minus the seed, or by one parameter.

A run's settings are its spec without ``seed`` and ``name``, flattened (the hyperparameters
sit beside ``env_id``, ``episodes``, ...): runs of one trial share them, so grouping by
settings gives one group per setting of the sweep, its seeds together. Grouping by one
parameter pools every run with the same value of it (all seeds of every other setting).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app.rules import format_number
from runstore import Run

BY_SETTINGS = "settings"
"""The default grouping: every setting but the seed."""
NOT_SETTINGS = ("seed", "name")
"""Spec fields that tell the runs of one setting apart, left out of its settings."""
_MISSING = "<not set>"
"""What a run without a setting has of it, when settings are compared."""


@dataclass(frozen=True)
class Group:
    """Runs that share the grouping's values."""

    number: int
    """1, 2, ... in the order of the groups' first trials: the page and the URL name it so."""
    label: str
    """What tells it from the other groups, e.g. ``alpha=0.1 · epsilon_decay=0.999``."""
    settings: dict[str, Any]
    """The values its runs share: the grouping parameter's, or (by settings) every setting."""
    runs: tuple[Run, ...]


def run_settings(run: Run) -> dict[str, Any]:
    """Return a run's settings: its spec minus ``NOT_SETTINGS``, hyperparameters flattened.

    Returns:
        Setting name → value (a custom map as its list of rows), sorted by name.
    """
    spec = dict(run.spec or {})
    hyperparams = spec.pop("hyperparams", None) or run.hyperparams or {}
    flat = {key: value for key, value in spec.items() if key not in NOT_SETTINGS}
    flat.update(hyperparams)
    return dict(sorted(flat.items()))


def varying(runs: Sequence[Run]) -> list[str]:
    """Return the settings whose values differ among ``runs``, by name."""
    every = [run_settings(run) for run in runs]
    names = {key for settings in every for key in settings}
    return sorted(
        name
        for name in names
        if len({repr(settings.get(name, _MISSING)) for settings in every}) > 1
    )


def group_choices(runs: Sequence[Run]) -> list[str]:
    """Return the groupings the page offers: ``BY_SETTINGS``, then each varying setting."""
    return [BY_SETTINGS, *varying(runs)]


def group_by_options(runs: Sequence[Run]) -> list[dict[str, str]]:
    """Return the grouping control's options (``group_choices``, labelled)."""
    return [
        {"label": "settings (seeds pooled)" if by == BY_SETTINGS else by, "value": by}
        for by in group_choices(runs)
    ]


def group_by_of(raw: object, runs: Sequence[Run]) -> str:
    """Return the grouping a URL or control asks for, ``BY_SETTINGS`` unless it is one of
    ``group_choices(runs)``."""
    return raw if isinstance(raw, str) and raw in group_choices(runs) else BY_SETTINGS


def group_runs(runs: Sequence[Run], by: str = BY_SETTINGS) -> list[Group]:
    """Return ``runs`` in groups.

    Args:
        runs: an experiment's runs (``RunStore.experiments.runs``: by trial, then id).
        by: ``BY_SETTINGS`` or the name of a setting (a run without it groups under None).

    Returns:
        The groups in the order of their first run, numbered from 1; runs keep their order.
    """
    keyed: dict[str, list[Run]] = {}
    shared: dict[str, dict[str, Any]] = {}
    for run in runs:
        settings = run_settings(run)
        values = settings if by == BY_SETTINGS else {by: settings.get(by)}
        key = setting_key(values)
        keyed.setdefault(key, []).append(run)
        shared.setdefault(key, values)
    differing = varying(runs) if by == BY_SETTINGS else [by]
    return [
        Group(number, _label(shared[key], differing), shared[key], tuple(members))
        for number, (key, members) in enumerate(keyed.items(), start=1)
    ]


def group_label(settings: Mapping[str, Any], names: Sequence[str]) -> str:
    """Return ``name=value`` of each of ``names`` in ``settings``, joined by `` · ``."""
    return " · ".join(f"{name}={setting_text(settings.get(name))}" for name in names)


def setting_text(value: Any) -> str:
    """Return a setting's value as labels show it (``rules.format_number``; a list, such as
    a custom map's rows, joined by ``/``)."""
    if isinstance(value, list | tuple):
        return "/".join(str(item) for item in value)
    return format_number(value)


def _label(settings: Mapping[str, Any], differing: Sequence[str]) -> str:
    """Return a group's label: its values of the settings that differ, or ``all runs``."""
    return group_label(settings, differing) if differing else "all runs"


def setting_key(value: Any) -> str:
    """Return a value as text that is equal exactly when the values are (for grouping)."""
    return json.dumps(value, sort_keys=True, default=str)
