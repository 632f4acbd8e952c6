"""What the PBT page draws, read from the store (no Dash): the members' curves, the lineage
(their exploits) and the learned schedule along the ancestry of the best member.

The ancestry of a member at episode ``e`` is itself back to its last exploit before
``e``, then the member it copied, from that exploit's source episode back, and so on to
episode 0: the hyperparameters it learned with are each segment's member's own there. The
best member is the one with the highest mean return over its last interval.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app.experiments.scoring import window_mean
from runstore import Exploit, Run, RunStore

CURVE_POINTS = 300
"""Buckets of each member's curve (a decimated window: the page's cost is the run's)."""


@dataclass(frozen=True)
class Segment:
    """A stretch of an ancestry: ``member``'s own episodes ``start + 1`` to ``end``."""

    member: int
    start: int
    end: int


@dataclass(frozen=True)
class PbtView:
    """The population as the PBT page draws it."""

    members: list[Run]
    """The members, by number."""
    curves: dict[int, dict[str, list[Any]]]
    """Each member's decimated return series: ``episode`` and ``mean``."""
    exploits: list[Exploit]
    parameters: list[str]
    """The hyperparameters of the space, in its order."""
    histories: dict[int, list[tuple[int, dict[str, Any]]]]
    """Each member's hyperparameters from each episode on: (first episode, values)."""
    best: int | None
    """The member with the best mean return over its last interval (None: no episodes)."""
    ancestry: list[Segment]


def pbt_view(store: RunStore, experiment_id: int) -> PbtView:
    """Return the PBT page's data for the experiment.

    Raises:
        ExperimentNotFound: no such experiment.
    """
    experiment = store.experiments.get(experiment_id)
    members = store.experiments.runs(experiment_id)
    exploits = store.exploits.of_experiment(experiment_id)
    curves: dict[int, dict[str, list[Any]]] = {}
    for run in members:
        series = store.series(run.id, "return", points=CURVE_POINTS)
        curves[run.id] = {"episode": series.episode, "mean": series.mean}
    interval = int(experiment.options.get("interval") or 1)
    best = best_member(store, members, interval)
    end = next((run.episodes_done for run in members if run.id == best), 0)
    return PbtView(
        members=members,
        curves=curves,
        exploits=exploits,
        parameters=list(experiment.space),
        histories={run.id: history(store, run) for run in members},
        best=best,
        ancestry=ancestry(best, end, exploits) if best is not None else [],
    )


def best_member(store: RunStore, members: Sequence[Run], interval: int) -> int | None:
    """Return the member with the highest mean return over its last ``interval`` episodes
    (ties: the lower id); None when no member has episodes."""
    scores = {}
    for run in members:
        if run.episodes_done:
            start = max(1, run.episodes_done - interval + 1)
            value = window_mean(store, run.id, start, run.episodes_done)
            if not math.isnan(value):
                scores[run.id] = value
    return max(sorted(scores), key=lambda member: scores[member]) if scores else None


def history(store: RunStore, run: Run) -> list[tuple[int, dict[str, Any]]]:
    """Return the run's hyperparameters from each episode on: its spec's from episode 1,
    then the values after every applied change (several at one episode: one entry)."""
    values = dict(run.hyperparams)
    found = [(1, dict(values))]
    for change in store.param_changes(run.id):
        if change.applied_episode is None:
            continue
        values[change.param] = change.new_value
        if found[-1][0] == change.applied_episode:
            found[-1] = (change.applied_episode, dict(values))
        else:
            found.append((change.applied_episode, dict(values)))
    return found


def ancestry(member: int, end: int, exploits: Sequence[Exploit]) -> list[Segment]:
    """Return the ancestry of ``member`` at episode ``end``, oldest segment first."""
    segments: list[Segment] = []
    upto = end
    while True:
        copies = [x for x in exploits if x.run_id == member and x.episode < upto]
        if not copies:
            segments.append(Segment(member, 0, upto))
            return segments[::-1]
        last = max(copies, key=lambda exploit: exploit.episode)
        segments.append(Segment(member, last.episode, upto))
        member, upto = last.source_run_id, last.source_episode


def value_at(steps: Sequence[tuple[int, Mapping[str, Any]]], episode: int, name: str) -> Any:
    """Return parameter ``name`` at ``episode`` from a ``history`` (its last step at or
    before the episode)."""
    found = steps[0][1]
    for first, values in steps:
        if first > episode:
            break
        found = values
    return found.get(name)
