"""Training a claimed run in the terminal's foreground, with a progress bar (CLI ``train``,
``resume``)."""

from __future__ import annotations

import sys
from dataclasses import dataclass

from tqdm import tqdm

from runstore import Claim, RunStore

from .settings import LoopSettings
from .signals import StopFlag
from .trainer import Trainer


@dataclass(frozen=True)
class Outcome:
    """How a foreground run ended."""

    status: str | None
    """The run's final status, or None when the lease was lost to another worker."""
    interrupted: bool
    """Ctrl-C or SIGTERM ended it (it is paused, with a checkpoint)."""


def train_in_foreground(
    store: RunStore, claim: Claim, *, settings: LoopSettings | None = None
) -> Outcome:
    """Train the claimed run here, drawing a progress bar on stderr.

    Ctrl-C and SIGTERM pause the run with a checkpoint: the person who started it in this
    terminal asked it to stop, so it goes to no other worker until someone resumes it.

    Args:
        store: the run store.
        claim: this process's claim on the run.
        settings: loop timing knobs.

    Returns:
        The run's final status and whether a signal ended it.
    """
    run = store.get_run(claim.run_id)
    flag = StopFlag()
    flag.install()
    with tqdm(
        total=run.target_episodes,
        initial=run.episodes_done,
        unit="ep",
        file=sys.stderr,
        dynamic_ncols=True,
        desc=f"run {claim.run_id}",
    ) as bar:

        def progress(done: int, mean_return: float) -> None:
            bar.update(done - bar.n)
            bar.set_postfix({"mean return": f"{mean_return:.3f}"}, refresh=False)

        status = Trainer(
            store,
            claim,
            settings=settings,
            should_stop=flag,
            stop_status="paused",
            on_progress=progress,
        ).run()
    return Outcome(status, flag.signalled)
