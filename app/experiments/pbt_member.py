"""A PBT member's worker at an interval boundary (``Trainer``'s ``on_checkpoint``).

The member has just checkpointed at the boundary episode ``e``. Its worker then:

1. waits until every live member (``queued`` or ``running``, by its lease: a dead worker's
   member reads ``crashed`` within seconds and is not waited for) has played ``e``
   episodes, or ``sync_seconds`` have passed: the ranking compares members at the same
   boundary, and a slow or stuck member does not stall the population for longer;
2. ranks the members that reached ``e`` (each has its checkpoint there) by their mean
   return over episodes ``e - K + 1`` to ``e``;
3. if it is in the bottom quantile, draws a source from the top one and a perturbed
   setting (``pbt``), with a generator seeded by the experiment's seed, the member's
   number and ``e``, and records the exploit (``RunStore.exploits.record``): one
   transaction, fenced on its claim, serialised per experiment, that rewrites its
   checkpoint at ``e`` to the source's table and stamps the new parameters at ``e + 1``;
4. ends the run as ``queued`` after an exploit: the next claim restores that checkpoint
   with the same code path as any resume, so the member continues at ``e + 1`` exactly
   as the lineage says, whichever worker takes it (and after a crash too).

Why the member goes on as the same run rather than a child run: every member stays one
run with episodes 1 to N (its curve, its page, its export are whole), a population of P
stays P runs however many intervals it has, and the lineage lives in ``exploits``
(member, episode, source, source episode) with nothing copied; a child run per exploit
would multiply the runs by the intervals and put each member's history behind a chain of
parent links. The member's own table at ``e`` is replaced by the one it continued from;
its episodes up to ``e`` stay as they were.
"""

from __future__ import annotations

import logging
import math
import time
from typing import Any

import numpy as np

from gridworld.spec import RunSpec
from runstore import Claim, Experiment, LeaseLost, Run, RunStore

from .pbt import explore, select_source
from .space import parse_space

log = logging.getLogger(__name__)

POLL_SECONDS = 0.2
"""How often a member waiting at a boundary reads the others' progress."""
OWN_STATE = ("rng", "episode", "hyperparams", "trainer")
"""Checkpoint state a member keeps when it copies a table: its own random generators and
counters (its randomness stays its own), and its hyperparameters, which the stamped
changes then move to the new ones, as on any resume."""
WAITED_FOR = ("queued", "running")


class PbtMember:
    """Decides one member's exploits at its interval boundaries."""

    def __init__(self, store: RunStore, experiment: Experiment, claim: Claim) -> None:
        """Prepare the decisions of the claimed member of ``experiment``."""
        self.store = store
        self.experiment = experiment
        self.claim = claim
        self.run_id = claim.run_id
        base = RunSpec.from_dict(experiment.base_spec)
        self.seed = base.seed
        self.space = parse_space(experiment.space, experiment.method, base)
        self.interval = int(experiment.options["interval"])
        self.sync_seconds = float(experiment.options["sync_seconds"])

    def __call__(self, episode: int) -> str | None:
        """Decide at ``episode``; return ``queued`` after an exploit (the next claim
        restores the rewritten checkpoint), else None (it trains on).

        A decision that fails (other than a lost lease) never stops the member: the error
        is logged and it trains on as it is.
        """
        if episode % self.interval:
            return None
        try:
            return self._decide(episode)
        except LeaseLost:
            raise
        except Exception:
            log.exception(
                "run %s: the PBT decision at %s failed; it trains on", self.run_id, episode
            )
            return None

    def _decide(self, episode: int) -> str | None:
        """Wait for the population, rank it, and exploit if this member is at the bottom."""
        runs = self._wait(episode)
        scores = self._scores(runs, episode)
        if self.run_id not in scores:
            return None
        trial = next(run.trial for run in runs if run.id == self.run_id) or 0
        rng = np.random.default_rng(np.random.SeedSequence([self.seed, trial, episode]))
        source = select_source(self.run_id, scores, rng)
        if source is None:
            return None
        exploit = self._exploit(source, episode, rng)
        return "queued" if exploit else None

    def _wait(self, episode: int) -> list[Run]:
        """Wait until no live member is behind ``episode``, or ``sync_seconds`` passed.

        Returns:
            The experiment's runs as last read.
        """
        deadline = time.monotonic() + self.sync_seconds
        while True:
            runs = self.store.experiments.runs(self.experiment.id)
            behind = [
                run for run in runs if run.status in WAITED_FOR and run.episodes_done < episode
            ]
            if not behind or time.monotonic() >= deadline:
                return runs
            time.sleep(POLL_SECONDS)

    def _scores(self, runs: list[Run], episode: int) -> dict[int, float]:
        """Return the mean return over the last interval of every member with a
        checkpoint at ``episode`` (a member with no episodes there is left out)."""
        from .scoring import window_mean  # scipy loads here, under the trainer's heartbeat

        scores = {}
        start = episode - self.interval + 1
        for run in runs:
            if run.episodes_done < episode:
                continue
            if episode not in {info.episode for info in self.store.checkpoints(run.id)}:
                continue
            value = window_mean(self.store, run.id, start, episode)
            if not math.isnan(value):
                scores[run.id] = value
        return scores

    def _exploit(self, source: int, episode: int, rng: np.random.Generator) -> bool:
        """Copy the source's checkpoint at ``episode`` with explored parameters; return
        whether the member's checkpoint now holds it (recorded now or before)."""
        copied = self.store.load_checkpoint(source, episode)
        own = self.store.load_checkpoint(self.run_id, episode)
        old: dict[str, Any] = dict(own.agent_state["hyperparams"])
        new = {**copied.agent_state["hyperparams"]}
        new.update(explore(new, self.space, rng))
        state = {**copied.agent_state, **{key: own.agent_state[key] for key in OWN_STATE}}
        fields = {
            "experiment_id": self.experiment.id,
            "run_id": self.run_id,
            "episode": episode,
            "source_run_id": source,
            "source_episode": episode,
            "old_params": old,
            "new_params": new,
        }
        changes = {name: value for name, value in new.items() if old.get(name) != value}
        exploit = self.store.exploits.record(
            fields, copied.q, state, copied.evaluation, changes, claim=self.claim
        )
        if exploit is not None:
            log.info(
                "run %s: copied run %s at episode %s", self.run_id, source, exploit.source_episode
            )
        return exploit is not None
