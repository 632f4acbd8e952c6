"""The Replay card's view of one episode (Dash-free): what to play, and each frame of it.

An episode of ``n`` steps plays as ``n + 1`` frames: frame 0 is the agent at its start,
frame ``k`` the agent after step ``k``, with that step's action, reward, epsilon and TD error
as its caption. The browser draws a frame from the script (``ReplayScript.to_data``): the
agent's cell and the path up to it, so stepping and playing cost no request to the store.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from app.rules import format_number
from app.views.trajectories import trajectory_options
from gridworld.numbers import parse_int
from gridworld.spec import MAX_EPISODES
from runstore import TrajectoryInfo

NEWEST = "newest"
"""The choice that follows the run's newest recorded episode (the default)."""
GREEDY = "greedy"
"""The choice of the greedy policy's rollout at the checkpoint the page shows."""
Choice = str | int
"""``NEWEST``, ``GREEDY`` or a recorded episode's number."""


def parse_choice(value: object) -> Choice:
    """Return the picker's value as a choice.

    Raises:
        ValidationError: neither ``NEWEST``, ``GREEDY`` nor an episode number (field
            ``episode``).
    """
    if value in (NEWEST, GREEDY):
        return str(value)
    return parse_int("episode", value, 1, MAX_EPISODES)


def choice_options(infos: Sequence[TrajectoryInfo]) -> list[dict[str, Any]]:
    """Return the picker's options: the newest (followed), the greedy rollout, then every
    recorded episode, newest first (labelled as the run page's trajectory card labels them).

    Args:
        infos: the run's recorded trajectories (``RunStore.trajectories``).

    Returns:
        Dropdown options (label, value).
    """
    recorded = trajectory_options(sorted(infos, key=lambda info: info.episode))[::-1]
    newest = f": {recorded[0]['label']}" if recorded else ": none recorded yet"
    return [
        {"label": f"newest recorded episode (follows the run){newest}", "value": NEWEST},
        {"label": "greedy rollout at the checkpoint shown", "value": GREEDY},
        *recorded,
    ]


def newest_episode(infos: Sequence[TrajectoryInfo]) -> int | None:
    """Return the newest recorded episode, or None when none is recorded."""
    return max((info.episode for info in infos), default=None)


@dataclass(frozen=True)
class ReplayScript:
    """Everything the browser needs to draw any frame of one episode."""

    captions: list[str]
    """One caption per frame (``steps + 1``)."""
    x: list[int]
    """The agent's column per frame (empty without a grid)."""
    y: list[int]
    """The agent's row per frame (empty without a grid)."""

    def to_data(self, figure: Mapping[str, Any] | None, traces: Mapping[str, int]) -> dict:
        """Return the script as the card's store holds it.

        Args:
            figure: the map every frame is drawn over (a figure dict), or None without a grid.
            traces: the indexes of the ``path`` and ``agent`` traces in ``figure``.

        Returns:
            JSON-safe data: ``captions``, ``x``, ``y``, ``figure``, ``path``, ``agent``.
        """
        return {"captions": self.captions, "x": self.x, "y": self.y, "figure": figure, **traces}


def replay_script(
    columns: Mapping[str, np.ndarray], labels: Sequence[str], width: int | None
) -> ReplayScript:
    """Return the frames of an episode's steps.

    Args:
        columns: the trajectory's columns (``state``, ``action``, ``reward``,
            ``next_state``, ``epsilon``, ``td_error``; one entry per step, at least one).
        labels: one label per action.
        width: the grid's width (state = row * width + column), or None without a grid.

    Returns:
        The script: frame 0 at the first step's state, frame k at step k's next state.
    """
    states = [int(s) for s in columns["state"]]
    cells = [states[0], *(int(s) for s in columns["next_state"])]

    def where(state: int) -> str:
        if width is None:
            return f"state {state}"
        row, column = divmod(state, width)
        return f"row {row}, column {column}"

    steps = len(states)
    captions = [f"start · at {where(cells[0])}"]
    for k in range(steps):
        captions.append(
            f"step {k + 1} of {steps} · {where(states[k])} · action "
            f"{labels[int(columns['action'][k])]} → {where(cells[k + 1])} · reward "
            f"{format_number(float(columns['reward'][k]))} · ε "
            f"{format_number(float(columns['epsilon'][k]))} · TD error "
            f"{format_number(float(columns['td_error'][k]))}"
        )
    if width is None:
        return ReplayScript(captions, [], [])
    rows, cols = zip(*(divmod(cell, width) for cell in cells), strict=True)
    return ReplayScript(captions, list(cols), list(rows))


def advance(trigger: str, step: object, last: object, paused: object) -> tuple[int, bool]:
    """Return the replay's next frame and whether it is paused, after a button or a tick.

    Args:
        trigger: ``"play"`` (play or pause), ``"previous"``, ``"next"``, ``"tick"`` (the
            player's timer) or ``"script"`` (a new episode: its start, paused).
        step: the frame shown (anything but a whole number counts as 0).
        last: the last frame.
        paused: whether the replay is paused (anything but False counts as paused).

    Returns:
        (frame, paused): play from the last frame starts over; a tick moves one frame on
        while playing and pauses at the end; previous and next step one frame (within
        0..last) and pause.
    """
    step, last = _whole(step), max(0, _whole(last))
    step = min(max(step, 0), last)
    if trigger == "play":
        if paused is False:
            return step, True
        return (0 if step >= last else step), last == 0
    if trigger == "tick":
        if paused is not False:
            return step, True
        nxt = min(step + 1, last)
        return nxt, nxt >= last
    if trigger in ("previous", "next"):
        return min(max(step + (1 if trigger == "next" else -1), 0), last), True
    return 0, True


def _whole(value: object) -> int:
    """Return ``value`` when it is a whole number (not a bool), else 0."""
    return value if isinstance(value, int) and not isinstance(value, bool) else 0
