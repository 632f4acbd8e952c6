"""GridWorld: a grid with walls, traps and goals, as a gymnasium toy-text environment."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from enum import IntEnum
from types import MappingProxyType
from typing import Any, cast

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from .config import Cell, GridWorldConfig
from .errors import ValidationError

Transition = tuple[float, int, float, bool]
Table = Mapping[int, Mapping[int, tuple[Transition, ...]]]
"""An env's ``P``: state to action to its outcomes."""
"""(probability, next state, reward, terminated), the toy-text convention."""


class Action(IntEnum):
    """The four moves."""

    UP = 0
    RIGHT = 1
    DOWN = 2
    LEFT = 3


MOVES: dict[int, Cell] = {
    Action.UP: (-1, 0),
    Action.RIGHT: (0, 1),
    Action.DOWN: (1, 0),
    Action.LEFT: (0, -1),
}
ARROWS = ("↑", "→", "↓", "←")

COLOURS = {
    "floor": (236, 240, 245),
    "wall": (52, 58, 64),
    "trap": (220, 53, 69),
    "goal": (25, 135, 84),
    "start": (13, 110, 253),
}
AGENT_COLOUR = (255, 193, 7)
CELL_PIXELS = 16


class GridWorldEnv(gym.Env[int, int]):
    """
    ## Description
    The agent walks a grid from the start (`S`) to a goal (`G`), around walls (`#`) and away
    from traps (`T`). On a slippery grid (`slip` > 0) a move goes sideways with probability
    `slip`, half to each side, like FrozenLake's ice.

    ## Action Space
    `Discrete(4)`: 0 up, 1 right, 2 down, 3 left.

    ## Observation Space
    `Discrete(height * width)`: the state is `row * width + column`.

    ## Rewards
    `goal_reward` on reaching a goal, `trap_reward` on stepping on a trap, `step_reward` on
    every other step (defaults 1, -1, -0.01).

    ## Episode End
    Terminated on a goal or a trap. Truncated after `config.max_steps` steps: the limit is
    part of the map's config (presets differ), so the environment applies it itself rather
    than through `max_episode_steps` in `register()`, which is one number for every map.
    (`gymnasium.make(..., max_episode_steps=n)` still adds a `TimeLimit` on top.)
    `info["is_success"]` is True exactly when the step reached a goal.

    ## Arguments
    `gymnasium.make("GridWorld-v0", preset="medium")`, `desc=["S..", ".#G"]` or
    `config=GridWorldConfig(...)`; with none of them the `easy` preset. `render_mode`:
    `"ansi"` or `"rgb_array"`.

    ## Version History
    * v0: first version.
    """

    # gym.Env declares metadata as an instance attribute, so ClassVar would clash with it.
    metadata: dict[str, Any] = {"render_modes": ["ansi", "rgb_array"], "render_fps": 4}  # noqa: RUF012

    def __init__(
        self,
        config: GridWorldConfig | None = None,
        preset: str | None = None,
        desc: Sequence[str] | None = None,
        render_mode: str | None = None,
    ) -> None:
        choices = {"config": config, "preset": preset, "desc": desc}
        given = [name for name, value in choices.items() if value is not None]
        if len(given) > 1:
            raise ValidationError(
                given[1],
                choices[given[1]],
                f"given together with {given[0]}",
                "only one of config, preset and desc",
            )
        if config is None:
            config = (
                GridWorldConfig.from_map(desc)
                if desc is not None
                else GridWorldConfig.from_preset(preset or "easy")
            )
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ValidationError(
                "render_mode", render_mode, "not supported", "None, 'ansi' or 'rgb_array'"
            )
        self.config = config
        self.render_mode = render_mode
        self.nrow, self.ncol = config.height, config.width
        n_states = self.nrow * self.ncol
        # Discrete is typed as a space of numpy integers; it contains Python ints as well,
        # which is what this env takes and returns.
        self.observation_space = cast(spaces.Space[int], spaces.Discrete(n_states))
        self.action_space = cast(spaces.Space[int], spaces.Discrete(len(Action)))
        self.start_state = self.to_state(config.start)
        self.goal_states = frozenset(self.to_state(goal) for goal in config.goals)
        self.initial_state_distrib = np.zeros(n_states)
        self.initial_state_distrib[self.start_state] = 1.0
        self.P: dict[int, dict[int, list[Transition]]] = {  # the env's own, as gymnasium's
            s: {a: list(outcomes) for a, outcomes in actions.items()}
            for s, actions in transition_table(config).items()
        }
        self.s = self.start_state
        self.steps = 0
        self.lastaction: int | None = None

    def to_state(self, cell: Cell) -> int:
        """Return the state number of a (row, column) cell."""
        return self.config.state_of(cell)

    def to_cell(self, state: int) -> Cell:
        """Return the (row, column) cell of a state number."""
        return self.config.cell_of(state)

    def step(self, action: int) -> tuple[int, float, bool, bool, dict[str, Any]]:
        """Take one move; return (state, reward, terminated, truncated, info)."""
        transitions = self.P[self.s][action]
        if len(transitions) == 1:
            _, s, r, terminated = transitions[0]
        else:
            u = self.np_random.random()
            for outcome in transitions:
                u -= outcome[0]
                if u < 0:
                    break
            _, s, r, terminated = outcome
        self.s = s
        self.lastaction = action
        self.steps += 1
        truncated = not terminated and self.steps >= self.config.max_steps
        return int(s), float(r), terminated, truncated, {"is_success": s in self.goal_states}

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[int, dict[str, Any]]:
        """Put the agent on the start; return (state, info)."""
        super().reset(seed=seed)
        self.s = self.start_state
        self.steps = 0
        self.lastaction = None
        return int(self.s), {"is_success": False}

    def render(self) -> str | np.ndarray | None:
        """Return the grid as text (``ansi``) or as an RGB image (``rgb_array``)."""
        if self.render_mode == "ansi":
            return self._render_text()
        if self.render_mode == "rgb_array":
            return self._render_rgb()
        return None

    def _render_text(self) -> str:
        """Return the map with the agent's cell bracketed and the last action above it."""
        lines = []
        if self.lastaction is not None:
            lines.append(f"  ({Action(self.lastaction).name.title()})")
        agent = self.to_cell(self.s)
        for r, row in enumerate(self.config.to_desc()):
            cells = [f"[{ch}]" if (r, c) == agent else f" {ch} " for c, ch in enumerate(row)]
            lines.append("".join(cells))
        return "\n".join(lines) + "\n"

    def _render_rgb(self) -> np.ndarray:
        """Return an RGB image: one coloured square per cell, the agent as a yellow dot."""
        image = np.zeros((self.nrow * CELL_PIXELS, self.ncol * CELL_PIXELS, 3), dtype=np.uint8)
        for r in range(self.nrow):
            for c in range(self.ncol):
                colour = COLOURS[self.config.cell_kind((r, c))]
                image[
                    r * CELL_PIXELS : (r + 1) * CELL_PIXELS, c * CELL_PIXELS : (c + 1) * CELL_PIXELS
                ] = colour
        r, c = self.to_cell(self.s)
        q = CELL_PIXELS // 4
        image[
            r * CELL_PIXELS + q : (r + 1) * CELL_PIXELS - q,
            c * CELL_PIXELS + q : (c + 1) * CELL_PIXELS - q,
        ] = AGENT_COLOUR
        return image


@functools.lru_cache(maxsize=64)
def transition_table(config: GridWorldConfig) -> Table:
    """Return the grid's ``P``: state to action to its outcomes (probability, next state,
    reward, terminated), same-state outcomes merged. Built once per config and shared by
    its envs (a run's validation and its worker build the same env), so it is read-only:
    mappings that refuse changes, outcomes in tuples; each env holds a copy in gymnasium's
    own types (dicts of lists: 50 us, against 3.5 ms to build it)."""
    return MappingProxyType(
        {
            s: MappingProxyType({a: _transitions(config, s, a) for a in range(len(Action))})
            for s in range(config.width * config.height)
        }
    )


def _move(config: GridWorldConfig, cell: Cell, action: int) -> Cell:
    """Return where ``action`` from ``cell`` leads when it does not slip."""
    dr, dc = MOVES[action]
    r, c = cell[0] + dr, cell[1] + dc
    if 0 <= r < config.height and 0 <= c < config.width and (r, c) not in config.walls:
        return (r, c)
    return cell


def _transitions(config: GridWorldConfig, state: int, action: int) -> tuple[Transition, ...]:
    """Return the outcomes of ``action`` in ``state``, same-state outcomes merged."""
    cell = config.cell_of(state)
    kind = config.cell_kind(cell)
    if kind in ("goal", "trap", "wall"):
        return ((1.0, state, 0.0, True),)
    outcomes: dict[int, float] = {}
    sideways = ((action - 1) % 4, (action + 1) % 4)
    choices = [(action, 1.0 - config.slip)] + [(a, config.slip / 2) for a in sideways]
    for move, prob in choices:
        if prob > 0:
            nxt = config.state_of(_move(config, cell, move))
            outcomes[nxt] = outcomes.get(nxt, 0.0) + prob
    result = []
    for nxt, prob in outcomes.items():
        nxt_kind = config.cell_kind(config.cell_of(nxt))
        if nxt_kind == "goal":
            result.append((prob, nxt, config.goal_reward, True))
        elif nxt_kind == "trap":
            result.append((prob, nxt, config.trap_reward, True))
        else:
            result.append((prob, nxt, config.step_reward, False))
    return tuple(result)
