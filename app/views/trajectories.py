"""A run's recorded trajectories as data: what was recorded, the choice of one, and its
steps as the people reading them want them (states as row and column on grids, actions by
name). The run page's card, the CSV/JSON downloads and the API share these.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from app.figures.policy import action_labels
from app.figures.policy_map import map_rows
from app.rules import format_number
from gridworld.trajectory import DEFAULT_POLICY, RecordPolicy
from runstore import Run, TrajectoryInfo, TrajectoryRecord


@dataclass(frozen=True)
class StepView:
    """How one run's steps are shown: its action labels and its grid's width (None: the
    states are not the cells of a grid)."""

    actions: tuple[str, ...]
    width: int | None

    @classmethod
    def of(cls, run: Run) -> StepView:
        """Return the view of ``run``'s steps (its env's action labels and grid).

        Returns:
            The view.
        """
        config = run.env_config or {}
        n_states, n_actions = int(config.get("n_states") or 0), int(config.get("n_actions") or 0)
        rows = map_rows(run.env_id, config, n_states) if n_states else None
        return cls(action_labels(run.env_id, n_actions), len(rows[0]) if rows else None)

    def cell(self, state: int) -> str:
        """Return a state as people read it: ``(row, column)`` from 0 on a grid, else its
        number."""
        if self.width is None:
            return str(state)
        row, column = divmod(state, self.width)
        return f"({row}, {column})"

    def action(self, action: int) -> str:
        """Return an action's label (``a<n>`` past the labels known)."""
        return self.actions[action] if 0 <= action < len(self.actions) else f"a{action}"

    def steps(self, record: TrajectoryRecord) -> Iterator[dict[str, Any]]:
        """Yield the record's steps as plain values: ``step`` (from 1), ``state`` and
        ``next_state`` numbers and their cells, ``action`` and its name, ``reward``,
        ``epsilon``, ``td_error`` and ``q`` (one value per action)."""
        columns = {name: values.tolist() for name, values in record.columns.items()}
        for i, (state, action, next_state) in enumerate(
            zip(columns["state"], columns["action"], columns["next_state"], strict=True)
        ):
            yield {
                "step": i + 1,
                "state": state,
                "cell": self.cell(state),
                "action": action,
                "action_name": self.action(action),
                "reward": columns["reward"][i],
                "next_state": next_state,
                "next_cell": self.cell(next_state),
                "epsilon": columns["epsilon"][i],
                "td_error": columns["td_error"][i],
                "q": columns["q"][i],
            }


def trajectory_options(infos: Sequence[TrajectoryInfo]) -> list[dict[str, Any]]:
    """Return the episode picker's options: ``episode 1,000 · every (37 steps)``, by episode.

    Returns:
        Dropdown options whose values are the episodes.
    """
    return [
        {
            "label": f"episode {format_number(info.episode)} · {info.kind}"
            f" ({_steps_text(info.length, info.steps)})",
            "value": info.episode,
        }
        for info in infos
    ]


def _steps_text(length: int, steps: int) -> str:
    """Return ``37 steps``, or ``first 1,000 of 4,210 steps`` for a cut episode."""
    if steps < length:
        return f"first {format_number(steps)} of {format_number(length)} steps"
    return f"{format_number(length)} step{'s' if length != 1 else ''}"


def policy_text(run: Run, policy: RecordPolicy = DEFAULT_POLICY) -> str:
    """Return what the run records, in words, with its own stride and the bound."""
    shown = policy.describe(run.fork_episode or 0, run.target_episodes)
    return (
        f"Recorded step by step: the first {shown['first']} episodes, every"
        f" {format_number(shown['every'])}th, and the last {shown['last']} of every"
        f" {format_number(shown['window'])} and of the run (only the newest kept); up to"
        f" {format_number(shown['max_steps'])} steps each, at most"
        f" {shown['max_trajectories']} trajectories per run."
    )


def step_table(view: StepView, record: TrajectoryRecord) -> list[dict[str, Any]]:
    """Return the card's rows: each step's values as text, one ``q<i>`` field per action.

    Returns:
        One row per step.
    """
    rows = []
    for step in view.steps(record):
        row = {
            "step": step["step"],
            "state": step["cell"],
            "action": step["action_name"],
            "reward": format_number(step["reward"]),
            "next_state": step["next_cell"],
            "epsilon": format_number(step["epsilon"]),
            "td_error": format_number(step["td_error"]),
        }
        row.update({f"q{a}": format_number(value) for a, value in enumerate(step["q"])})
        rows.append(row)
    return rows


def step_columns(view: StepView, n_actions: int) -> list[dict[str, Any]]:
    """Return the step table's column definitions (a Q column per action, by label)."""
    fixed = [
        ("step", "step", 80),
        ("state", "state", 100),
        ("action", "action", 90),
        ("reward", "reward", 90),
        ("next_state", "next state", 110),
        ("epsilon", "ε", 80),
        ("td_error", "TD error", 100),
    ]
    defs = [
        {"field": field, "headerName": header, "width": width} for field, header, width in fixed
    ]
    defs += [
        {"field": f"q{a}", "headerName": f"Q({view.action(a)})", "width": 95}
        for a in range(n_actions)
    ]
    defs[0]["pinned"] = "left"
    return defs
