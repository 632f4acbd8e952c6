"""The agent a fork starts with: its parent's checkpoint, carried into the fork's settings.

What carries over is everything the checkpoint holds: the Q-table, epsilon and alpha as they
had decayed, the agent's random generator, the environment's random generator and the
trainer's counters. So a fork with unchanged settings plays exactly the episodes its parent
played after the checkpoint. Changed hyperparameters take effect as a live change would
(``TabularAgent.set_hyperparams``: a changed epsilon or alpha replaces the decayed value).
A changed algorithm keeps the values: into Double Q-learning both tables start as the
parent's Q (so their mean, what it shows, is the parent's table); out of it, the new table
is the mean (Q1 + Q2) / 2 the parent showed and acted on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gymnasium as gym
import numpy as np

from gridworld.agents import DoubleQAgent, make_agent
from gridworld.optimality import Optimality
from gridworld.spec import RunSpec, table_shape
from runstore import Checkpoint


@dataclass(frozen=True)
class CarriedAgent:
    """A fork's starting checkpoint: what ``RunStore.lineage.fork`` saves for it."""

    q: np.ndarray
    agent_state: dict[str, Any]
    evaluation: dict[str, float] | None


def checkpoint_hyperparams(checkpoint: Checkpoint) -> dict[str, Any]:
    """Return the hyperparameters in effect at a checkpoint (its agent's), as a dict."""
    return dict(checkpoint.agent_state.get("hyperparams") or {})


def carry(checkpoint: Checkpoint, algorithm: str, spec: RunSpec, env: gym.Env) -> CarriedAgent:
    """Return the parent's checkpoint as the fork's starting agent.

    Args:
        checkpoint: the parent's checkpoint (from ``RunStore.load_checkpoint``).
        algorithm: the parent's algorithm (the checkpoint's agent).
        spec: the fork's validated spec (its algorithm and hyperparameters).
        env: the fork's environment (same table shape as the parent's), for the
            evaluation of the carried table.

    Returns:
        The Q-table, agent state (with the trainer's counters) and evaluation to save.

    Raises:
        ValueError: the checkpoint does not fit the table shape of ``env``.
    """
    n_states, n_actions = table_shape(env)
    state = dict(checkpoint.agent_state)
    trainer = state.pop("trainer", None)
    parent = make_agent(algorithm, n_states, n_actions)
    parent.load_state_dict({**state, "q": checkpoint.q})
    carried = parent.state_dict()
    carried["algorithm"] = spec.algorithm
    if spec.algorithm == DoubleQAgent.algorithm and "q1" not in carried:
        carried["q1"] = carried["q2"] = carried["q"].tolist()
    elif spec.algorithm != DoubleQAgent.algorithm:
        carried.pop("q1", None)
        carried.pop("q2", None)
    agent = make_agent(spec.algorithm, n_states, n_actions, parent.hyperparams)
    agent.load_state_dict(carried)
    agent.set_hyperparams(spec.hyperparams)
    out = agent.state_dict()
    q = out.pop("q")
    if trainer is not None:
        out["trainer"] = trainer
    optimality = Optimality.for_env(env)
    evaluation = None if optimality is None else optimality.score(q, spec.hyperparams.gamma)
    return CarriedAgent(q, out, evaluation)
