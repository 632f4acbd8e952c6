"""Training orchestration: worker processes that train stored runs, and the pool that runs them.

This package imports neither Dash nor Flask, so spawned workers stay light.
"""

from .pool import (
    STALE_AFTER_S,
    TrainingPool,
    create_run,
    prepare_resume,
    spawn_worker,
    start_run,
)
from .worker import LoopSettings, Trainer, checkpoint_interval, train, worker_main

__all__ = [
    "STALE_AFTER_S",
    "LoopSettings",
    "Trainer",
    "TrainingPool",
    "checkpoint_interval",
    "create_run",
    "prepare_resume",
    "spawn_worker",
    "start_run",
    "train",
    "worker_main",
]
