"""The experiments list as data: one row per stored experiment, with its runs' progress."""

from __future__ import annotations

from collections import Counter
from typing import Any

from app.rules import format_number
from runstore import RunStore


def experiment_rows(store: RunStore) -> list[dict[str, Any]]:
    """Return one row per experiment, newest first.

    Returns:
        JSON-safe dicts: ``id``, ``name``, ``method``, ``status``, ``objective``, ``trials``
        (launched, of the budget), ``runs`` (finished of all, and how many are live) and
        ``created`` (UTC, ``YYYY-MM-DD HH:MM``).
    """
    runs = store.list_runs()
    total = Counter(run.experiment_id for run in runs)
    finished = Counter(run.experiment_id for run in runs if run.status == "finished")
    live = Counter(run.experiment_id for run in runs if run.is_live)
    rows = []
    for experiment in store.experiments.list_all():
        budget = "" if experiment.budget is None else f" / {format_number(experiment.budget)}"
        counts = f"{finished[experiment.id]} finished / {total[experiment.id]}"
        if live[experiment.id]:
            counts += f" · {live[experiment.id]} live"
        rows.append(
            {
                "id": experiment.id,
                "name": experiment.name,
                "method": experiment.method,
                "status": experiment.status,
                "objective": experiment.objective,
                "trials": f"{format_number(experiment.trials_launched)}{budget}",
                "runs": counts,
                "created": experiment.created_at.strftime("%Y-%m-%d %H:%M"),
            }
        )
    return rows
