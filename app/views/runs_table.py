"""The runs page's grid as data: one JSON-safe row per stored run."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app.manage import parse_tag
from app.rules import MAX_COMPARE_RUNS, MIN_COMPARE_RUNS, format_number, parse_id
from app.views.reads import summary_of
from app.views.revision import run_key
from app.views.run_status import status_color
from gridworld.agents import algorithm_label
from gridworld.errors import ValidationError
from runstore import Run, RunStore

NUMBER_COLUMNS = ("recent_return", "best_return", "alpha", "gamma", "epsilon")
"""Numeric columns shown as ``rules.format_number`` text (episodes show "done / target")."""


def env_label(run: Run) -> str:
    """Return the env column's text: the env id and, for GridWorld, its preset or map."""
    spec = run.spec or {}
    if spec.get("preset"):
        return f"{run.env_id} · {spec['preset']}"
    if spec.get("desc"):
        return f"{run.env_id} · custom map"
    return run.env_id


def run_row(run: Run, summary: Mapping[str, Any]) -> dict[str, Any]:
    """Return the grid row of one run.

    Args:
        run: the stored run.
        summary: the run's summary (``views.reads.summary_of``; ``recent_return``,
            ``best_return`` and the ``alpha`` and ``epsilon`` of its last episode used).

    Returns:
        A JSON-safe dict: id, name, env, algorithm (its label: ``Q-learning``, ``SARSA``...),
        status (and its badge colour), live, progress (0 to 100), episodes done and target,
        recent and best mean return, alpha, gamma, epsilon (the values now: alpha and
        epsilon at the last episode, as their schedules left them, or the current
        parameters before the first episode), the creation
        time as ``YYYY-MM-DD HH:MM:SS`` (UTC), the experiment (id or None), the tags
        (space-separated), whether it is archived and ``shown``: the
        text the grid shows for each numeric column (``rules.format_number``) and for the
        experiment (``#3 · trial 1``).
    """
    target = max(1, run.target_episodes)
    params = run.current_params or {}
    row: dict[str, Any] = {
        "id": run.id,
        "name": run.name,
        "env": env_label(run),
        "algorithm": algorithm_label(run.spec),
        "status": run.status,
        "status_color": status_color(run.status),
        "live": run.is_live,
        "progress": round(min(100.0, 100.0 * run.episodes_done / target), 1),
        "episodes": run.episodes_done,
        "target": run.target_episodes,
        "recent_return": summary.get("recent_return"),
        "best_return": summary.get("best_return"),
        "alpha": _now(summary, params, "alpha"),
        "gamma": params.get("gamma"),
        "epsilon": _now(summary, params, "epsilon"),
        "created": run.created_at.strftime("%Y-%m-%d %H:%M:%S"),
        "experiment": run.experiment_id,
        "tags": " ".join(run.tags),
        "archived": run.archived,
    }
    shown = {field: format_number(row[field]) for field in NUMBER_COLUMNS}
    shown["experiment"] = experiment_text(run)
    shown["episodes"] = f"{format_number(run.episodes_done)} / {format_number(run.target_episodes)}"
    return {**row, "shown": shown}


def _now(summary: Mapping[str, Any], params: Mapping[str, Any], name: str) -> Any:
    """Return a scheduled parameter's value now: at the last episode, else the current one."""
    last = summary.get(name)
    return params.get(name) if last is None else last


def experiment_text(run: Run) -> str:
    """Return the experiment column's text: ``#3 · trial 1``, or empty for a run of its own."""
    if run.experiment_id is None:
        return ""
    return f"#{run.experiment_id} · trial {run.trial}"


@dataclass(frozen=True)
class RowEdit:
    """One edit of the rows the grid holds, applied in order."""

    op: str
    """``delete`` the row at ``index``, ``insert`` ``row`` there, or ``set`` it to ``row``."""
    index: int
    row: dict[str, Any] | None = None


@dataclass(frozen=True)
class GridUpdate:
    """What the runs page's grid and count line need after the store moved."""

    rows: list[dict[str, Any]] | None
    """Every row, newest first, when the grid is drawn whole (else None)."""
    edits: list[RowEdit]
    """Otherwise the edits that turn the rows shown into the rows of now (often none)."""
    shown: list[list[Any]]
    """``run_key`` of every run, newest first: what the grid shows after the update."""
    count: str
    """The count line (``count_text``)."""


@dataclass(frozen=True)
class RunsFilter:
    """Which runs the runs page lists."""

    experiment_id: int | None = None
    """Only this experiment's runs (None: every run)."""
    tag: str | None = None
    """Only the runs with this tag (None: any)."""
    show_archived: bool = False
    """List the archived runs too."""


def grid_update(
    store: RunStore, shown: Sequence[Sequence[Any]] | None, chosen: RunsFilter = RunsFilter()
) -> GridUpdate:
    """Return the grid's update from the rows it shows to the runs stored now.

    Only the runs whose ``run_key`` moved are read again (one summary each): a store of a
    thousand runs with one of them training re-reads that one.

    Args:
        store: the run store.
        shown: ``GridUpdate.shown`` of the rows the grid holds, or None to draw it whole.
        chosen: which runs to list (by default every run not archived).

    Returns:
        The update: whole rows when ``shown`` is None or the order of the runs kept is not
        theirs any more, else the edits (deletes, then inserts and sets by final index).
    """
    archived = None if chosen.show_archived else False
    runs = store.manage.list_runs(chosen.experiment_id, archived=archived, tag=chosen.tag)
    shown = shown if _is_keys(shown) else None  # the browser sends it: a crafted one is redrawn
    edits = None if shown is None else _edits(store, runs, shown)
    rows = None if edits is not None else [_row(store, run) for run in runs]
    return GridUpdate(
        rows=rows,
        edits=edits or [],
        shown=[run_key(run) for run in runs],
        count=count_text(runs),
    )


def _is_keys(value: object) -> bool:
    """Return whether ``value`` is a list of ``[id, revision]`` integer pairs."""
    return isinstance(value, list) and all(
        isinstance(key, list)
        and len(key) == 2
        and all(isinstance(part, int) and not isinstance(part, bool) for part in key)
        for key in value
    )


def _edits(
    store: RunStore, runs: list[Run], shown: Sequence[Sequence[Any]]
) -> list[RowEdit] | None:
    """Return the edits from the rows ``shown`` to ``runs``, or None when the runs that stay
    are not in the order shown (the grid is then drawn whole)."""
    old = {key[0]: list(key) for key in shown}
    now = {run.id for run in runs}
    if [run.id for run in runs if run.id in old] != [key[0] for key in shown if key[0] in now]:
        return None
    edits = [
        RowEdit("delete", index)
        for index in reversed(range(len(shown)))
        if shown[index][0] not in now
    ]
    for index, run in enumerate(runs):
        if run.id not in old:
            edits.append(RowEdit("insert", index, _row(store, run)))
        elif old[run.id] != run_key(run):
            edits.append(RowEdit("set", index, _row(store, run)))
    return edits


def _row(store: RunStore, run: Run) -> dict[str, Any]:
    """Return the grid row of ``run``, reading its summary."""
    return run_row(run, summary_of(store, run.id))


def experiment_filter(raw: object) -> int | None:
    """Return the experiment a runs-page filter (``?experiment=3``, or its control) names,
    or None (every run) when it names none (``rules.parse_id``)."""
    try:
        return None if raw is None or raw == "" else parse_id("experiment", raw)
    except ValidationError:
        return None


def tag_filter(raw: object) -> str | None:
    """Return the tag a runs-page filter (``?tag=good``, or its control) names, or None
    (any tag) when it names none or a malformed one."""
    try:
        return None if raw is None or raw == "" else parse_tag(raw)
    except ValidationError:
        return None


def experiment_options(store: RunStore) -> list[dict[str, Any]]:
    """Return the experiment filter's options: every experiment, newest first."""
    return [
        {"label": f"#{experiment.id} {experiment.name}", "value": experiment.id}
        for experiment in store.experiments.list_all()
    ]


def count_text(runs: Sequence[Run]) -> str:
    """Return the line under the runs page's title: how many runs, and how many are live."""
    live = sum(1 for run in runs if run.is_live)
    text = f"{len(runs)} run{'s' if len(runs) != 1 else ''}"
    return f"{text} · {live} live" if live else text


def compare_limits() -> dict[str, Any]:
    """Return what the Compare button's browser code needs (``assets/runs-page.js``).

    Returns:
        ``min`` and ``max``: how many selected runs a comparison takes; ``too_few`` and
        ``too_many``: the hint shown beside the button otherwise.
    """
    return {
        "min": MIN_COMPARE_RUNS,
        "max": MAX_COMPARE_RUNS,
        "too_few": f"select {MIN_COMPARE_RUNS} to {MAX_COMPARE_RUNS} runs to compare",
        "too_many": f"compare takes at most {MAX_COMPARE_RUNS} runs",
    }
