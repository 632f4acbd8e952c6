"""What a worker does for a run of an experiment: report to the pruner at each checkpoint,
and move the experiment on once the run has ended.

A run of its own gets ``NO_HOOKS`` (one read of the run to tell). Optuna loads only in a
worker that trains a run of an experiment with a study.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from runstore import Claim, RunStore

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunHooks:
    """The callbacks a worker gives the trainer of one run, and what it calls afterwards."""

    on_checkpoint: Callable[[int], str | None] | None = None
    """``Trainer``'s ``on_checkpoint``: the status to end the run with at this episode
    (``pruned`` by a pruner, ``queued`` after a PBT exploit), or None."""
    after_run: Callable[[], None] = field(default=lambda: None)
    """Called once the run has been released (whatever its status)."""


NO_HOOKS = RunHooks()


def experiment_hooks(store: RunStore, claim: Claim) -> RunHooks:
    """Return the hooks for the claimed run.

    Returns:
        ``NO_HOOKS`` for a run of its own or of an experiment without a study; a PBT
        member's decisions at its interval boundaries; else the pruner's report (in a
        sweep with a pruner) and ``progress.advance`` after the run.
    """
    run = store.get_run(claim.run_id)
    if run.experiment_id is None:
        return NO_HOOKS
    experiment = store.experiments.get(run.experiment_id)
    if experiment.method == "pbt":
        from .pbt_member import PbtMember

        return RunHooks(PbtMember(store, experiment, claim))
    if experiment.study_name is None:
        return NO_HOOKS
    from .progress import advance  # Optuna loads here: only for a run of such an experiment
    from .pruning import Pruning

    def after_run() -> None:
        try:
            advance(store, experiment.id)
        except Exception:  # the run is released already; the next run to end tries again
            log.exception("experiment %s: telling its study failed", experiment.id)

    pruning = None
    if experiment.options.get("pruner", "none") != "none":
        pruning = Pruning(store, experiment, run.id)
    return RunHooks(pruning, after_run)
