"""Training an experiment here (CLI ``sweep``): local worker slots, one progress bar over the
whole sweep's episodes, until every run of it has ended."""

from __future__ import annotations

import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from tqdm import tqdm

from app.training import WorkerPool
from runstore import Experiment, Run, RunStore

from .progress import ENDED, advance

POLL_SECONDS = 0.5
"""How often the progress bar reads the experiment's runs."""


@dataclass(frozen=True)
class SweepOutcome:
    """How the experiment's runs ended (or that Ctrl-C stopped the sweep first)."""

    statuses: dict[str, int]
    """How many runs ended in each status."""
    interrupted: bool


def is_done(experiment: Experiment, runs: Sequence[Run]) -> bool:
    """Return whether the experiment launched all it will and every run of it has ended."""
    return experiment.status != "running" and all(run.status in ENDED for run in runs)


def train_experiment_here(store: RunStore, experiment_id: int, slots: int) -> SweepOutcome:
    """Train the experiment's runs with ``slots`` local worker slots, drawing a progress bar
    over all of its episodes on stderr, until every run has ended.

    The slots are ordinary workers: they take any queued run of the store, and workers
    elsewhere may take this experiment's runs. Ctrl-C (KeyboardInterrupt) stops the slots:
    their runs are checkpointed and go back to the queue.

    Returns:
        The runs' final statuses, and whether Ctrl-C ended the sweep.
    """
    experiment = store.experiments.get(experiment_id)
    episodes = int(experiment.base_spec["episodes"])
    total = (experiment.budget or 0) * len(experiment.seeds) * episodes
    pool = WorkerPool(store.url, slots)
    try:
        with tqdm(
            total=total,
            unit="ep",
            file=sys.stderr,
            dynamic_ncols=True,
            desc=f"experiment {experiment_id}",
        ) as bar:
            while True:
                experiment = store.experiments.get(experiment_id)
                runs = store.experiments.runs(experiment_id)
                bar.update(_episodes(runs) - bar.n)
                bar.set_postfix(Counter(run.status for run in runs), refresh=False)
                if is_done(experiment, runs):
                    return SweepOutcome(dict(Counter(run.status for run in runs)), False)
                if experiment.status == "running" and all(run.status in ENDED for run in runs):
                    advance(store, experiment_id)  # its last run's worker did not get to it
                time.sleep(POLL_SECONDS)
    except KeyboardInterrupt:
        runs = store.experiments.runs(experiment_id)
        return SweepOutcome(dict(Counter(run.status for run in runs)), True)
    finally:
        pool.shutdown()


def _episodes(runs: Sequence[Run]) -> int:
    """Return the sweep's episodes done: an ended run counts whole (a pruned one too)."""
    return sum(run.target_episodes if run.status in ENDED else run.episodes_done for run in runs)
