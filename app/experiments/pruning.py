"""Pruning a run of an experiment: its objective reported to its Optuna trial at each
checkpoint, and the pruner's answer (``Trainer``'s ``on_checkpoint``)."""

from __future__ import annotations

import logging
import math

from runstore import Experiment, RunStore

from . import study
from .scoring import ThresholdScan, score

log = logging.getLogger(__name__)


class Pruning:
    """Reports one run's objective to its trial at each checkpoint and asks the pruner."""

    def __init__(self, store: RunStore, experiment: Experiment, run_id: int) -> None:
        """Prepare to report for run ``run_id`` of ``experiment``."""
        self.store = store
        self.experiment = experiment
        self.run_id = run_id
        self.threshold = experiment.options.get("threshold")
        self.scan = None
        if experiment.objective == "episodes_to_threshold" and self.threshold is not None:
            self.scan = ThresholdScan(store, run_id, float(self.threshold))
        base = experiment.base_spec
        self.pruner = study.make_pruner(
            experiment.options["pruner"],
            len(experiment.seeds),
            base["episodes"],
            base["checkpoint_every"],
        )
        self.reported: set[int] | None = None
        """The steps its trial has values at (read with the trial, then kept here)."""

    def __call__(self, episode: int) -> str | None:
        """Report the objective at ``episode``; return ``pruned`` if the pruner prunes the
        run, else None (``Trainer``'s ``on_checkpoint``).

        A study that fails to answer never stops a run: the error is logged, it trains on.
        """
        try:
            return "pruned" if self._report(episode) else None
        except Exception:
            log.exception("run %s: reporting to the pruner failed; it trains on", self.run_id)
            return None

    def value(self, episode: int) -> float:
        """Return the run's objective over its first ``episode`` episodes."""
        if self.scan is not None:
            return self.scan.upto(episode)
        return score(self.store, self.run_id, self.experiment.objective, self.threshold, episode)

    def _report(self, episode: int) -> bool:
        """Report under the study lock; return the pruner's answer."""
        value = self.value(episode)
        if math.isnan(value):
            return False  # nothing to compare at this step (a checkpoint without evaluation)
        url = self.store.url
        with study.study_lock(url):
            opened = study.load(url, str(self.experiment.study_name), self.pruner)
            frozen = study.trials_by_run(opened).get(self.run_id)
            if frozen is None:
                return False  # its launcher has not attached it yet (PostgreSQL)
            if self.reported is None:
                self.reported = set(frozen.intermediate_values)
            trial = study.live_trial(opened, frozen)
            if episode not in self.reported:  # a resumed run passes its checkpoints again
                trial.report(value, episode)
                self.reported.add(episode)
            return trial.should_prune()
