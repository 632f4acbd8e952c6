"""A training run's checkpoints: when they fall due, what they hold, and restoring the latest.

A checkpoint holds the Q-table, the agent's state (epsilon, alpha, its random generator),
the environment's random generator and the trainer's counters, so a run restored from it
plays exactly the episodes an uninterrupted run would have played.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

import gymnasium as gym
import numpy as np

from gridworld.agents import TabularAgent, generator_from_state
from gridworld.optimality import Optimality
from gridworld.plateau import Plateau
from gridworld.spec import RunSpec
from runstore import Claim, RunStore

Evaluate = Callable[[np.ndarray], Mapping[str, float]] | None
"""Scores a checkpoint's Q-table (its evaluation figures); None: not evaluated."""
SaveCheckpoint = Callable[[int, np.ndarray, Mapping[str, Any], Evaluate, str | None], None]
"""Saves the run's checkpoint: (episode, Q-table, agent state, how to evaluate it or None,
name or None); a trainer's writer evaluates it on its own thread."""
MAX_CHECKPOINTS = 200
"""Default checkpoint interval keeps a run at about this many checkpoints."""
MIN_CHECKPOINT_EVERY = 100
"""Default checkpoint interval never goes below this many episodes."""
MIN_CHECKPOINT_SECONDS = 0.1
"""With the default interval, a due checkpoint is skipped when the last one is more recent
than this: a fast run would otherwise spend a third of its time checkpointing, and a crash
still replays at most this long or one interval, whichever is longer."""
EVALUATION_BUDGET = 0.05
"""Checkpoint evaluations may take at most this share of the run's time; beyond it a
checkpoint is saved without one (the final checkpoint is always evaluated)."""


def checkpoint_interval(spec: RunSpec) -> int:
    """Return how many episodes lie between two checkpoints of a run.

    Args:
        spec: the run's spec; its ``checkpoint_every`` wins when set.

    Returns:
        ``spec.checkpoint_every``, else an interval that keeps the run at about
        ``MAX_CHECKPOINTS`` checkpoints and never below ``MIN_CHECKPOINT_EVERY`` episodes
        (the trainer then also skips a due checkpoint less than ``MIN_CHECKPOINT_SECONDS``
        after the last one).
    """
    if spec.checkpoint_every:
        return spec.checkpoint_every
    return max(MIN_CHECKPOINT_EVERY, math.ceil(spec.episodes / MAX_CHECKPOINTS))


def checkpoint_stop(episode: int, every: int, fixed: bool, rate: float | None, wait: float) -> int:
    """Return the episode the chunk after ``episode`` must stop at for a checkpoint.

    Args:
        episode: the last episode played.
        every: ``checkpoint_interval``.
        fixed: the spec sets the interval: every due checkpoint is taken.
        rate: episodes per second of the last chunk (None before the first).
        wait: seconds until a checkpoint may follow the last (``MIN_CHECKPOINT_SECONDS``
            after it); with the default interval those due sooner are skipped.

    Returns:
        The next due episode or, with the default interval, the first one due after
        ``wait`` at ``rate``.
    """
    ahead = 0
    if not fixed and rate is not None:
        ahead = max(0, int(wait * rate))
    return ((episode + ahead) // every + 1) * every


@dataclass(frozen=True)
class Counters:
    """The trainer's own counters, saved with every checkpoint."""

    episode: int
    """The last episode the agent has learned from."""
    env_steps: int
    """Environment steps over all those episodes."""
    wall_time: float
    """Seconds of training so far."""
    plateau: Plateau
    """The plateau watch."""


def saved_plateau(agent_state: Mapping[str, Any]) -> Plateau | None:
    """Return the plateau watch a checkpoint's agent state holds (None if it holds none)."""
    saved = (agent_state.get("trainer") or {}).get("plateau")
    return Plateau(**saved) if isinstance(saved, dict) else None


class Checkpoints:
    """Saves one run's checkpoints (fenced on its claim) and restores its latest one."""

    def __init__(self, store: RunStore, claim: Claim, agent: TabularAgent, env: gym.Env) -> None:
        """Prepare checkpointing of ``agent`` and ``env`` for the claimed run.

        Args:
            store: the run store.
            claim: the worker's claim on the run (every save is fenced on it).
            agent: the agent whose table and state are saved.
            env: the environment whose random generator is saved.
        """
        self.store = store
        self.claim = claim
        self.agent = agent
        self.env = env
        self.save_checkpoint: SaveCheckpoint = self._save_now
        """Writes the claimed run's checkpoint (episode, Q-table, agent state, how to
        evaluate it, name): through the store now, or a trainer's writer (in order with its
        episodes, evaluated on the writer's thread)."""
        self.optimality = Optimality.for_env(env)
        self.last_episode = 0
        """The episode of the latest checkpoint saved or restored."""
        self.evaluation_seconds = 0.0
        self.env_rng_restored = False
        """Whether ``restore`` gave the env the random generator of a checkpoint."""

    def restore(self) -> Counters | None:
        """Load the latest checkpoint into the agent and the env (the store is only read).

        Returns:
            The trainer's counters at that checkpoint, or None when the run has none.
        """
        run_id = self.claim.run_id
        if not self.store.checkpoints(run_id):
            return None
        checkpoint = self.store.load_checkpoint(run_id, "latest")
        state = dict(checkpoint.agent_state)
        extras = state.pop("trainer")
        self.agent.load_state_dict({**state, "q": checkpoint.q})
        if extras["env_rng"] is not None:
            self.env.unwrapped.np_random = generator_from_state(extras["env_rng"])
            self.env_rng_restored = True
        self.last_episode = checkpoint.episode
        return Counters(
            checkpoint.episode,
            extras["env_steps"],
            extras["wall_time"],
            Plateau(**extras["plateau"]),
        )

    def save(self, counters: Counters, *, final: bool = False, name: str | None = None) -> None:
        """Save the Q-table, the agent's state and ``counters`` at ``counters.episode``.

        A checkpoint is evaluated against the env's optimal values (when it has a model)
        while evaluations stay within ``EVALUATION_BUDGET`` of the run's time; a final or
        named one always is.

        Args:
            counters: the trainer's counters now.
            final: the run ends here; always evaluate.
            name: the checkpoint's name (one its worker was asked for), or None.

        Raises:
            LeaseLost: the claim is no longer the run's owner (nothing is saved).
        """
        state: dict[str, Any] = self.agent.state_dict()
        q = state.pop("q")
        state["trainer"] = {
            "env_rng": self._env_rng(),
            "env_steps": counters.env_steps,
            "wall_time": counters.wall_time,
            "plateau": asdict(counters.plateau),
        }
        due = final or name is not None
        due = due or self.evaluation_seconds <= EVALUATION_BUDGET * counters.wall_time
        evaluate = self._evaluate if self.optimality is not None and due else None
        self.save_checkpoint(counters.episode, q, state, evaluate, name)
        self.last_episode = counters.episode

    def _evaluate(self, q: np.ndarray) -> Mapping[str, float]:
        """Return a Q-table's evaluation against the env's optimal values (counting its
        time against ``EVALUATION_BUDGET``)."""
        assert self.optimality is not None  # only asked for when the env has a model
        started = time.perf_counter()
        figures = self.optimality.score(q, self.agent.hyperparams.gamma)
        self.evaluation_seconds += time.perf_counter() - started
        return figures

    def _save_now(
        self,
        episode: int,
        q: np.ndarray,
        agent_state: Mapping[str, Any],
        evaluate: Evaluate,
        name: str | None,
    ) -> None:
        """Save a checkpoint through the store at once, evaluated first (``SaveCheckpoint``)."""
        evaluation = None if evaluate is None else evaluate(q)
        self.store.save_checkpoint(
            self.claim.run_id, episode, q, agent_state, evaluation, name, claim=self.claim
        )

    def _env_rng(self) -> dict[str, Any] | None:
        """Return the state of the environment's random generator (None before any reset)."""
        generator = getattr(self.env.unwrapped, "_np_random", None)
        return None if generator is None else generator.bit_generator.state

    def changes_to_replay(self) -> list[tuple[int, dict[str, Any]]]:
        """Return the parameter changes applied after the latest checkpoint restored (or
        saved), to re-apply on time.

        Returns:
            (episode, changes) pairs in episode order: the changes the lost episodes saw,
            applied again at the same episodes so that the stamps stay true.
        """
        by_episode: dict[int, dict[str, Any]] = {}
        for change in self.store.param_changes(self.claim.run_id):
            if change.applied_episode is not None and change.applied_episode > self.last_episode:
                by_episode.setdefault(change.applied_episode, {})[change.param] = change.new_value
        return sorted(by_episode.items())
