"""Tabular TD control agents: Q-learning, SARSA, Expected SARSA and Double Q-learning.

Each is its textbook update (Sutton & Barto, 2nd ed., sections 6.4 to 6.7) over a shared
base (``TabularAgent``: the table, epsilon-greedy acting with random tie-breaks, the
schedules, the episode loop and the checkpoint round trip). A run names its algorithm by
one of ``ALGORITHMS``; ``make_agent`` builds it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ..errors import ValidationError
from ..hyperparams import Hyperparams
from .base import BIT_GENERATORS, NonFiniteQError, TabularAgent, generator_from_state
from .double_q import DoubleQAgent
from .expected_sarsa import ExpectedSarsaAgent
from .q_learning import QLearningAgent
from .sarsa import SarsaAgent

AGENTS: dict[str, type[TabularAgent]] = {
    agent.algorithm: agent
    for agent in (QLearningAgent, SarsaAgent, ExpectedSarsaAgent, DoubleQAgent)
}
"""Algorithm name to agent class, in ``ALGORITHMS`` order."""
ALGORITHMS = tuple(AGENTS)
"""The algorithms a run may name: q_learning, sarsa, expected_sarsa, double_q."""
DEFAULT_ALGORITHM = "q_learning"
"""The algorithm of a run that names none (and of every run stored before runs named one)."""
ALGORITHM_LABELS = {name: agent.label for name, agent in AGENTS.items()}
"""Algorithm name to the name pages show (``Q-learning``, ``SARSA``...)."""
ALGORITHMS_ALLOWED = ", ".join(ALGORITHMS)
"""What the ``algorithm`` field accepts, in words."""


def validate_algorithm(value: object) -> str:
    """Return the algorithm ``value`` names; None or empty text name the default.

    Raises:
        ValidationError: not text, or not one of ``ALGORITHMS``; field ``algorithm``.
    """
    if value is None or value == "":
        return DEFAULT_ALGORITHM
    if not isinstance(value, str):
        raise ValidationError("algorithm", value, "not text", ALGORITHMS_ALLOWED)
    if value not in AGENTS:
        raise ValidationError("algorithm", value, "unknown algorithm", ALGORITHMS_ALLOWED)
    return value


def make_agent(
    algorithm: str,
    n_states: int,
    n_actions: int,
    hyperparams: Hyperparams | None = None,
    seed: int | np.random.Generator | None = None,
) -> TabularAgent:
    """Return a new agent of ``algorithm`` with zero tables.

    Args:
        algorithm: one of ``ALGORITHMS``.
        n_states: number of discrete states.
        n_actions: number of discrete actions.
        hyperparams: the learning settings (defaults when None).
        seed: a seed or a generator for the agent's random choices.

    Returns:
        The agent.

    Raises:
        ValidationError: ``algorithm`` is not one of ``ALGORITHMS``.
    """
    return AGENTS[validate_algorithm(algorithm)](n_states, n_actions, hyperparams, seed)


def algorithm_label(spec: Mapping[str, Any] | None) -> str:
    """Return the name pages show for the algorithm of a stored run spec.

    Args:
        spec: a ``RunSpec.to_dict()`` as stored (one without ``algorithm`` is Q-learning's).

    Returns:
        Its label; an algorithm this version does not know is shown as it is stored.
    """
    name = (spec or {}).get("algorithm") or DEFAULT_ALGORITHM
    return ALGORITHM_LABELS.get(name, str(name))


__all__ = [
    "AGENTS",
    "ALGORITHMS",
    "ALGORITHM_LABELS",
    "BIT_GENERATORS",
    "DEFAULT_ALGORITHM",
    "DoubleQAgent",
    "ExpectedSarsaAgent",
    "NonFiniteQError",
    "QLearningAgent",
    "SarsaAgent",
    "TabularAgent",
    "algorithm_label",
    "generator_from_state",
    "make_agent",
    "validate_algorithm",
]
