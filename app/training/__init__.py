"""Training orchestration: the episode loop of a claimed run, and the workers that claim runs.

This package imports neither Dash nor Flask, so spawned workers stay light.
"""

from .checkpoints import checkpoint_interval
from .jobs import claim_new_run, create_run
from .slots import WorkerPool
from .trainer import LoopSettings, Trainer
from .worker import StopFlag, train

__all__ = [
    "LoopSettings",
    "StopFlag",
    "Trainer",
    "WorkerPool",
    "checkpoint_interval",
    "claim_new_run",
    "create_run",
    "train",
]
