"""The runs page's grid as data: one JSON-safe row per listed run, a block of rows at a time.

The grid asks for the rows it shows (AG Grid's infinite row model); the store sorts and
filters all runs in SQL and reads each run's summary from the row kept at write time
(``RunStore.manage.page``), so a block costs about the same in a store of ten runs or ten
thousand.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, cast

from app.manage import parse_tag
from app.rules import MAX_COMPARE_RUNS, MIN_COMPARE_RUNS, format_number, parse_id
from app.views.episode_log import block_bounds
from app.views.grid_query import column_filters, sort_order
from app.views.run_status import status_color
from gridworld.agents import ALGORITHM_LABELS, DEFAULT_ALGORITHM
from gridworld.errors import ValidationError
from runstore import Run, RunStore
from runstore.listing import MAX_LIMIT, ListedRun, RunsQuery

BLOCK_ROWS = 50
"""Rows per request the grid sends (one store query each): two and a half screens of a
900 px window, so a first paint or a refresh builds no more rows than a person sees soon."""
NUMBER_COLUMNS = ("recent_return", "best_return", "alpha", "gamma", "epsilon")
"""Numeric columns shown as ``rules.format_number`` text (episodes show "done / target")."""


def run_row(listed: ListedRun) -> dict[str, Any]:
    """Return the grid row of one run.

    Args:
        listed: the run as the store lists it (``RunStore.manage.page``: its env and
            algorithm labels and its summary kept at write time).

    Returns:
        A JSON-safe dict: id, name, env (``GridWorld-v0 · medium``), algorithm (its label:
        ``Q-learning``, ``SARSA``...), status (and its badge colour), live, progress (0 to
        100), episodes done and target, recent and best mean return, alpha, gamma, epsilon
        (the values now: alpha and epsilon at the last episode, as their schedules left
        them, or the current parameters before the first episode), the creation time as
        ``YYYY-MM-DD HH:MM:SS`` (UTC), the experiment (id or None), the tags
        (space-separated), whether it is archived and ``shown``: the text the grid shows
        for each numeric column (``rules.format_number``) and for the experiment
        (``#3 · trial 1``).
    """
    target = max(1, listed.target_episodes)
    row: dict[str, Any] = {
        "id": listed.id,
        "name": listed.name,
        "env": listed.env,
        "algorithm": listed.algorithm,
        "status": listed.status,
        "status_color": status_color(listed.status),
        "live": listed.is_live,
        "progress": round(min(100.0, 100.0 * listed.episodes_done / target), 1),
        "episodes": listed.episodes_done,
        "target": listed.target_episodes,
        "recent_return": listed.recent_return,
        "best_return": listed.best_return,
        "alpha": listed.alpha,
        "gamma": listed.gamma,
        "epsilon": listed.epsilon,
        "created": listed.created,
        "experiment": listed.experiment_id,
        "tags": " ".join(listed.tags),
        "archived": listed.archived,
    }
    shown = {field: format_number(row[field]) for field in NUMBER_COLUMNS}
    shown["experiment"] = experiment_text(listed)
    done, planned = format_number(listed.episodes_done), format_number(listed.target_episodes)
    shown["episodes"] = f"{done} / {planned}"
    return {**row, "shown": shown}


def experiment_text(run: Run | ListedRun) -> str:
    """Return the experiment column's text: ``#3 · trial 1``, or empty for a run of its own."""
    if run.experiment_id is None:
        return ""
    return f"#{run.experiment_id} · trial {run.trial}"


@dataclass(frozen=True)
class RunsFilter:
    """Which runs the runs page lists."""

    experiment_id: int | None = None
    """Only this experiment's runs (None: every run)."""
    tag: str | None = None
    """Only the runs with this tag (None: any)."""
    show_archived: bool = False
    """List the archived runs too."""


def runs_query(chosen: RunsFilter, fields: Mapping[str, str], request: object = None) -> RunsQuery:
    """Return the store's query for the runs ``chosen`` lists and a grid's request asks for.

    Args:
        chosen: which runs the page lists.
        fields: the grid's columns and their filter kinds (``runs_grid.FIELDS``).
        request: the grid's ``getRowsRequest`` (rows ``startRow .. endRow - 1``, at most
            ``listing.MAX_LIMIT`` (``episode_log.block_bounds``), in its ``sortModel``'s order,
            filtered by its ``filterModel``; a sort or filter that fits no column is
            dropped), or None for none of the rows (counts only).

    Raises:
        ValidationError: a request no grid sends (``episode_log.block_bounds``).
    """
    base = RunsQuery(
        experiment_id=chosen.experiment_id,
        tag=chosen.tag,
        archived=None if chosen.show_archived else False,
        limit=0,
        algorithm_labels=ALGORITHM_LABELS,
        default_algorithm=DEFAULT_ALGORITHM,
    )
    if request is None:
        return base
    start, end = block_bounds(request)
    asked = cast(Mapping[str, Any], request)  # block_bounds refused anything else
    return replace(
        base,
        filters=column_filters(asked.get("filterModel"), fields),
        order=sort_order(asked.get("sortModel"), fields),
        offset=start,
        limit=min(end - start, MAX_LIMIT),
    )


def runs_block(store: RunStore, query: RunsQuery) -> dict[str, Any]:
    """Answer a grid's request for rows (``runs_query``) with one store query.

    Returns:
        ``rowData`` (``run_row`` of each run) and ``rowCount`` (how many runs pass the
        filters, so the scrollbar spans them all).
    """
    found = store.manage.page(query)
    return {"rowData": [run_row(listed) for listed in found.runs], "rowCount": found.total}


def runs_count(store: RunStore, chosen: RunsFilter) -> tuple[str, int]:
    """Return the count line of the runs ``chosen`` lists (``count_text``) and their number."""
    found = store.manage.count(runs_query(chosen, {}))
    return count_text(found.total, found.live), found.total


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


def count_text(total: int, live: int) -> str:
    """Return the line under the runs page's title: how many runs, and how many are live."""
    text = f"{total} run{'s' if total != 1 else ''}"
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
