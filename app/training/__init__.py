"""Training orchestration: the episode loop of a claimed run, and the workers that claim runs.

This package imports neither Dash nor Flask, so spawned workers stay light.
"""

from .checkpoints import checkpoint_interval
from .jobs import claim_new_run, create_run
from .settings import LoopSettings
from .signals import StopFlag
from .slots import WorkerPool
from .trainer import Trainer

__all__ = [
    "LoopSettings",
    "StopFlag",
    "Trainer",
    "WorkerPool",
    "checkpoint_interval",
    "claim_new_run",
    "create_run",
]
