"""The runs page's grid as data: one JSON-safe row per stored run."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.rules import MAX_COMPARE_RUNS, MIN_COMPARE_RUNS, format_number
from app.views.reads import summary_of
from app.views.run_status import status_color
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
        summary: the run's summary (``views.reads.summary_of``; ``recent_return`` and
            ``best_return`` used).

    Returns:
        A JSON-safe dict: id, name, env, status (and its badge colour), live, progress (0 to
        100), episodes done and target, recent and best mean return, alpha, gamma, epsilon
        (current values), the creation time as ``YYYY-MM-DD HH:MM:SS`` (UTC) and ``shown``:
        the text the grid shows for each numeric column (``rules.format_number``).
    """
    target = max(1, run.target_episodes)
    params = run.current_params or {}
    row: dict[str, Any] = {
        "id": run.id,
        "name": run.name,
        "env": env_label(run),
        "status": run.status,
        "status_color": status_color(run.status),
        "live": run.is_live,
        "progress": round(min(100.0, 100.0 * run.episodes_done / target), 1),
        "episodes": run.episodes_done,
        "target": run.target_episodes,
        "recent_return": summary.get("recent_return"),
        "best_return": summary.get("best_return"),
        "alpha": params.get("alpha"),
        "gamma": params.get("gamma"),
        "epsilon": params.get("epsilon"),
        "created": run.created_at.strftime("%Y-%m-%d %H:%M:%S"),
    }
    shown = {field: format_number(row[field]) for field in NUMBER_COLUMNS}
    shown["episodes"] = f"{format_number(run.episodes_done)} / {format_number(run.target_episodes)}"
    return {**row, "shown": shown}


def grid_rows(store: RunStore) -> tuple[list[dict[str, Any]], bool]:
    """Return the grid rows of every stored run (newest first) and whether any is live."""
    runs = store.list_runs()
    rows = [run_row(run, summary_of(store, run.id)) for run in runs]
    return rows, any(run.is_live for run in runs)


def count_text(rows: list[dict[str, Any]], refresh_seconds: int) -> str:
    """Return the line under the runs page's title: how many runs, and how many are live."""
    live = sum(1 for row in rows if row["live"])
    text = f"{len(rows)} run{'s' if len(rows) != 1 else ''}"
    return f"{text} · {live} live, refreshing every {refresh_seconds} s" if live else text


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
