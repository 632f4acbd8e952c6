"""The grid of a toy-text env whose states are the cells of a grid, as a GridWorld text map.

FrozenLake keeps its map as ``desc`` (``S F H G``); CliffWalking as a ``shape`` with a cliff
along the bottom row between its start and its goal (the bottom-right cell). Either becomes
rows of ``MAP_CHARS`` (``S G . # T``: holes and the cliff are traps), so one drawing serves
every grid. An env whose states are not one per cell (Taxi: 500 states over a 5×5 map) has
no such grid.
"""

from __future__ import annotations

import functools
import logging

import gymnasium as gym
import numpy as np

log = logging.getLogger(__name__)

TOY_TEXT_CHARS = {"S": "S", "F": ".", "H": "T", "G": "G"}
"""FrozenLake's map characters as GridWorld's."""


def grid_rows(env: gym.Env) -> list[str] | None:
    """Return the text map of ``env`` when its states are the cells of a grid.

    Args:
        env: a toy-text env (wrappers included); state = row * width + column.

    Returns:
        Rows of ``S G . T`` (as ``GridWorldConfig.from_map`` reads them), or None when the
        env has no grid whose cells are its states.
    """
    base = env.unwrapped
    n_states = getattr(env.observation_space, "n", None)
    desc = getattr(base, "desc", None)
    if desc is not None:
        rows = ["".join(char.decode() for char in row) for row in np.asarray(desc)]
        if len(rows) * len(rows[0]) == n_states and set("".join(rows)) <= set(TOY_TEXT_CHARS):
            return ["".join(TOY_TEXT_CHARS[char] for char in row) for row in rows]
        return None
    shape, cliff = getattr(base, "shape", None), getattr(base, "_cliff", None)
    start = getattr(base, "start_state_index", None)
    if shape is None or cliff is None or start is None or int(np.prod(shape)) != n_states:
        return None
    height, width = shape
    cells = np.where(np.asarray(cliff, dtype=bool), "T", ".").astype("<U1")
    cells[divmod(int(start), width)] = "S"
    cells[height - 1, width - 1] = "G"
    return ["".join(row) for row in cells]


@functools.lru_cache(maxsize=32)
def grid_rows_of(env_id: str) -> tuple[str, ...] | None:
    """Return ``grid_rows`` of the env ``env_id`` makes (made once per id), or None when it
    has no grid or cannot be made here."""
    try:
        env = gym.make(env_id)
    except (gym.error.Error, ImportError, TypeError) as exc:
        log.info("no grid for %s: %s", env_id, exc)
        return None
    try:
        rows = grid_rows(env)
    finally:
        env.close()
    return tuple(rows) if rows is not None else None
