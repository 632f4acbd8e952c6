"""The run page's diagnostics as data: recent figures and the action distribution."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.figures.policy import action_labels
from app.rules import format_number

WINDOW = 100
"""Episodes the diagnostics average over."""
FIGURES = (
    ("ε (epsilon)", "epsilon"),
    ("α (alpha)", "alpha"),
    ("mean Q", "mean_q"),
    ("max Q", "max_q"),
    ("mean |TD error|", "mean_abs_td"),
    ("success rate", "recent_success"),
    ("mean return", "recent_return"),
    ("best mean return", "best_return"),
    ("mean length", "recent_length"),
)
"""The table's rows: label and ``RunStore.summary`` key, in table order."""


def diagnostic_rows(summary: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Return the diagnostics table: current schedule values, Q statistics, recent behaviour.

    Args:
        summary: the run's summary over its last ``WINDOW`` episodes (``views.reads``).

    Returns:
        (label, text) per row of ``FIGURES``, the success rate as a percentage; no rows for
        a run without episodes.
    """
    if summary.get("recent_return") is None:
        return []
    rows = []
    for label, key in FIGURES:
        value = summary.get(key)
        text = _percent(summary[key], 1) if key == "recent_success" else format_number(value)
        rows.append((label, text))
    return rows


def action_shares(env_id: str, summary: Mapping[str, Any]) -> list[tuple[str, float, str]]:
    """Return the share of each action in the recent episodes.

    Returns:
        (action label, share from 0 to 1, share as a whole percentage) per action.
    """
    shares = summary.get("action_share") or []
    labels = action_labels(env_id, len(shares))
    return [
        (label, share, _percent(share, 0)) for label, share in zip(labels, shares, strict=False)
    ]


def _percent(share: float, digits: int) -> str:
    """Return a share from 0 to 1 as a percentage with ``digits`` decimals (``"42.5%"``)."""
    return f"{100 * share:.{digits}f}%"
