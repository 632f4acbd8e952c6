"""A run's lineage as the run page shows it: where it was forked from, its tree of forks,
and the "forked from run X at episode N" marker on its curves. Pure of Dash."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from app.figures.markers import Mark, Markers, MarkerStyle, episode_markers
from app.rules import format_number
from runstore import Run, RunStore

FORK_STYLE = MarkerStyle("#6f42c1", "solid", "⑂")
"""The fork marker: a purple solid line where the run's own episodes begin."""


@dataclass(frozen=True)
class TreeRow:
    """One run of a lineage tree, as a line of the lineage card."""

    run_id: int
    depth: int
    """0 for the root, 1 for its forks, ..."""
    text: str
    current: bool
    """The run whose page this is."""


def forked_from(run: Run) -> str | None:
    """Return "forked from run X at episode N" for a fork, None for a run of its own."""
    if run.parent_id is None:
        return None
    return f"forked from run {run.parent_id} at episode {format_number(run.fork_episode)}"


def tree_rows(store: RunStore, run: Run) -> list[TreeRow]:
    """Return the rows of the run's whole lineage tree, root first, forks under their
    parent (empty: the run has no parent and no forks).

    Raises:
        RunNotFound: no such run.
    """
    tree = store.lineage.tree(run.id)
    if len(tree) == 1:
        return []
    depth: dict[int, int] = {}
    rows = []
    for member in tree:
        depth[member.id] = 0 if member.parent_id is None else depth[member.parent_id] + 1
        where = f" · from episode {format_number(member.fork_episode)}" if member.parent_id else ""
        text = f"run {member.id} · {member.name} · {member.status}{where}"
        rows.append(TreeRow(member.id, depth[member.id], text, member.id == run.id))
    return rows


def fork_markers(run: Run, *, x_of_episode: Mapping[str, Sequence[float]] | None = None) -> Markers:
    """Return the marker at a fork's first own episode's boundary ("forked from run X at
    episode N"), or no marker for a run of its own."""
    text = forked_from(run)
    if text is None or run.fork_episode is None:
        return [], []
    mark = Mark(run.fork_episode, f"run {run.parent_id}", text, FORK_STYLE)
    return episode_markers([mark], x_of_episode=x_of_episode)
