"""Grid world layouts: a frozen config, built from a text map or a named preset."""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from .errors import MapError, ValidationError
from .numbers import to_number

Cell = tuple[int, int]
"""A (row, column) position, row 0 at the top."""

MAX_SIDE = 100
"""Largest width or height of a grid."""
MAX_STEPS = 100_000
"""Largest per-episode step limit."""

MAP_CHARS = {"S": "start", "G": "goal", ".": "floor", "#": "wall", "T": "trap"}

PRESET_MAPS: dict[str, dict[str, Any]] = {
    "easy": {
        "desc": ("S....", ".....", "..#..", ".....", "....G"),
        "slip": 0.0,
        "max_steps": 100,
    },
    "medium": {
        "desc": (
            "S...#...",
            ".##.#.T.",
            "...T....",
            ".#....#.",
            ".#.##.#.",
            "...T....",
            ".#....#T",
            "...#...G",
        ),
        "slip": 0.0,
        "max_steps": 200,
    },
    "hard": {
        "desc": (
            "S....#......",
            ".##..#..T...",
            "..T.....##..",
            ".#..T.#.....",
            ".#.##...T.#.",
            "...T..#.....",
            ".T...##..T..",
            "...#....#...",
            ".#...T.....T",
            "..T.#..##...",
            ".#.....T..#.",
            "...#.T.....G",
        ),
        "slip": 0.2,
        "max_steps": 300,
    },
}
PRESETS = tuple(PRESET_MAPS)
"""The preset names, easiest first."""


@dataclass(frozen=True)
class GridWorldConfig:
    """Everything that defines one grid world.

    Moving into a wall or off the grid leaves the agent where it is. Goals and traps end the
    episode. With ``slip`` > 0 the agent moves at right angles to the chosen direction with
    probability ``slip`` (half to each side), like FrozenLake's ice. An episode is truncated
    after ``max_steps`` steps.

    The config checks itself on construction (see ``check``), however it was built.

    Raises:
        ValidationError: a field is out of range or a cell lies off the grid or on another.
        MapError: a goal cannot be reached from the start.
    """

    width: int
    height: int
    start: Cell
    goals: tuple[Cell, ...]
    walls: frozenset[Cell] = field(default_factory=frozenset)
    traps: frozenset[Cell] = field(default_factory=frozenset)
    slip: float = 0.0
    step_reward: float = -0.01
    goal_reward: float = 1.0
    trap_reward: float = -1.0
    max_steps: int = 100

    @classmethod
    def from_map(cls, desc: Sequence[str], **overrides: Any) -> GridWorldConfig:
        """Build a config from a text map such as ``["S..#", ".T..", "...G"]``.

        Args:
            desc: rows of ``S`` (start, exactly one), ``G`` (goal, one or more), ``.`` (floor),
                ``#`` (wall) and ``T`` (trap).
            **overrides: any other field (``slip``, rewards, ``max_steps``).

        Returns:
            The config.

        Raises:
            MapError: the map is empty, ragged, has an unknown character, no start or two
                starts, no goal, or a goal the start cannot reach; the message names the
                row and column, counted from 1 as in the text.
        """
        rows = _check_rows(desc)
        cells: dict[str, list[Cell]] = {name: [] for name in MAP_CHARS.values()}
        for r, row in enumerate(rows):
            for c, char in enumerate(row):
                if char not in MAP_CHARS:
                    raise MapError(
                        list(rows),
                        f"unknown character {char!r} at {_place(r, c)}",
                    )
                cells[MAP_CHARS[char]].append((r, c))
        starts = cells["start"]
        if not starts:
            raise MapError(list(rows), "no start (S) in the map")
        if len(starts) > 1:
            (r1, c1), (r2, c2) = starts[:2]
            raise MapError(
                list(rows),
                f"two starts, at {_place(r1, c1)} and {_place(r2, c2)}",
            )
        if not cells["goal"]:
            raise MapError(list(rows), "no goal (G) in the map")
        return cls(
            width=len(rows[0]),
            height=len(rows),
            start=starts[0],
            goals=tuple(cells["goal"]),
            walls=frozenset(cells["wall"]),
            traps=frozenset(cells["trap"]),
            **overrides,
        )

    @classmethod
    def from_preset(cls, name: str, **overrides: Any) -> GridWorldConfig:
        """Return the named preset: ``easy`` (5x5), ``medium`` (8x8), ``hard`` (12x12, slippery).

        Raises:
            ValidationError: unknown preset name (field ``preset``).
        """
        if name not in PRESET_MAPS:
            raise ValidationError("preset", name, "no such preset", ", ".join(PRESETS))
        preset = PRESET_MAPS[name]
        settings = {k: v for k, v in preset.items() if k != "desc"}
        return cls.from_map(preset["desc"], **{**settings, **overrides})

    def __post_init__(self) -> None:
        self.check()

    def check(self) -> None:
        """Check the numbers, the cells, and that every goal is reachable from the start.

        Raises:
            ValidationError: a size, the slip, a reward or ``max_steps`` is out of range, or
                a cell lies off the grid or on top of another kind of cell.
            MapError: a goal cannot be reached from the start.
        """
        for name in ("width", "height"):
            size = getattr(self, name)
            if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= MAX_SIDE:
                raise ValidationError(
                    name, size, "out of range", f"an integer from 1 to {MAX_SIDE}"
                )
        if isinstance(self.slip, bool) or not (
            isinstance(self.slip, int | float) and 0.0 <= self.slip <= 1.0
        ):
            raise ValidationError("slip", self.slip, "out of range", "a number, 0 <= slip <= 1")
        for name in ("step_reward", "goal_reward", "trap_reward"):
            to_number(name, getattr(self, name), "a finite number")
        if (
            isinstance(self.max_steps, bool)
            or not isinstance(self.max_steps, int)
            or not 1 <= self.max_steps <= MAX_STEPS
        ):
            raise ValidationError(
                "max_steps", self.max_steps, "out of range", f"an integer from 1 to {MAX_STEPS}"
            )
        self._check_cells()
        reachable = self._reachable()
        for r, c in self.goals:
            if (r, c) not in reachable:
                raise MapError(
                    self.to_desc(),
                    f"the goal at {_place(r, c)} cannot be reached from the start",
                )

    def _check_cells(self) -> None:
        """Raise ValidationError for a cell off the grid or shared by two kinds of cell."""
        kinds = [("start", [self.start]), ("goals", list(self.goals))]
        kinds += [("walls", sorted(self.walls)), ("traps", sorted(self.traps))]
        if not self.goals:
            raise ValidationError("goals", self.goals, "no goal", "at least one goal cell")
        taken: dict[Cell, str] = {}
        allowed = f"distinct (row, column) cells with 0 <= row < {self.height}"
        allowed += f" and 0 <= column < {self.width}"
        for name, cells in kinds:
            for cell in cells:
                r, c = cell
                if not (0 <= r < self.height and 0 <= c < self.width):
                    raise ValidationError(
                        name, cell, f"row {r}, column {c} is off the grid", allowed
                    )
                if cell in taken:
                    raise ValidationError(
                        name, cell, f"row {r}, column {c} is also in {taken[cell]}", allowed
                    )
                taken[cell] = name

    def _reachable(self) -> set[Cell]:
        """Return the cells the start reaches without crossing a wall or a trap."""
        seen = {self.start}
        queue = deque([self.start])
        while queue:
            r, c = queue.popleft()
            if (r, c) in self.traps or (r, c) in self.goals:
                continue
            for dr, dc in ((-1, 0), (0, 1), (1, 0), (0, -1)):
                nxt = (r + dr, c + dc)
                if (
                    0 <= nxt[0] < self.height
                    and 0 <= nxt[1] < self.width
                    and nxt not in self.walls
                    and nxt not in seen
                ):
                    seen.add(nxt)
                    queue.append(nxt)
        return seen

    def state_of(self, cell: Cell) -> int:
        """Return the state number of a (row, column) cell: cells are numbered row by row."""
        return cell[0] * self.width + cell[1]

    def cell_of(self, state: int) -> Cell:
        """Return the (row, column) cell of a state number (``state_of``'s inverse)."""
        row, column = divmod(state, self.width)
        return row, column

    def cell_kind(self, cell: Cell) -> str:
        """Return what is at ``cell``: "start", "goal", "wall", "trap" or "floor"."""
        if cell == self.start:
            return "start"
        if cell in self.goals:
            return "goal"
        if cell in self.walls:
            return "wall"
        if cell in self.traps:
            return "trap"
        return "floor"

    def to_desc(self) -> list[str]:
        """Return the text map of this config (the inverse of ``from_map``)."""
        symbol = {kind: char for char, kind in MAP_CHARS.items()}
        return [
            "".join(symbol[self.cell_kind((r, c))] for c in range(self.width))
            for r in range(self.height)
        ]

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-safe dict that ``from_dict`` turns back into this config."""
        data = asdict(self)
        data.update(
            desc=self.to_desc(),
            start=list(self.start),
            goals=[list(g) for g in self.goals],
            walls=sorted(list(w) for w in self.walls),
            traps=sorted(list(t) for t in self.traps),
        )
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GridWorldConfig:
        """Return the config that ``to_dict`` described."""
        settings = {
            k: data[k]
            for k in ("slip", "step_reward", "goal_reward", "trap_reward", "max_steps")
            if k in data
        }
        return cls.from_map(data["desc"], **settings)


def _place(row: int, column: int) -> str:
    """Return where a map cell is, as a person counts in the text map: ``row 1, column 1``
    is the first character of the first line."""
    return f"row {row + 1}, column {column + 1}"


def _check_rows(desc: Sequence[str]) -> list[str]:
    """Return the map's rows as strings, or raise MapError for an empty or ragged map."""
    if isinstance(desc, str) or not isinstance(desc, Sequence):
        raise MapError(desc, "the map must be a list of row strings")
    rows = list(desc)
    if not rows or not rows[0]:
        raise MapError(rows, "the map is empty")
    for r, row in enumerate(rows):
        if not isinstance(row, str):
            raise MapError(rows, f"row {r + 1} is not a string")
        if len(row) != len(rows[0]):
            raise MapError(
                rows,
                f"ragged rows: row {r + 1} has {len(row)} columns, row 1 has {len(rows[0])}",
            )
    if len(rows) > MAX_SIDE or len(rows[0]) > MAX_SIDE:
        size = f"{len(rows)} rows of {len(rows[0])} columns"
        raise MapError(rows, f"{size}; at most {MAX_SIDE} rows of {MAX_SIDE} columns")
    return rows
