"""The run store: runs, episodes, rollups, parameter changes and checkpoints in SQL.

It knows nothing of gridworld, Dash or Flask; it is the only channel between the dashboard
and the training workers.
"""

from .errors import (
    BatchError,
    CheckpointNotFound,
    InvalidQuery,
    RunNotFound,
    SchemaVersionError,
    StoreError,
)
from .records import (
    EPISODE_FIELDS,
    LIVE_STATUSES,
    METRICS,
    STATUSES,
    Checkpoint,
    CheckpointInfo,
    Control,
    ParamChange,
    Run,
    Series,
)
from .store import MAX_EPISODE_LIMIT, MAX_POINTS, RunStore

__all__ = [
    "EPISODE_FIELDS",
    "LIVE_STATUSES",
    "MAX_EPISODE_LIMIT",
    "MAX_POINTS",
    "METRICS",
    "STATUSES",
    "BatchError",
    "Checkpoint",
    "CheckpointInfo",
    "CheckpointNotFound",
    "Control",
    "InvalidQuery",
    "ParamChange",
    "Run",
    "RunNotFound",
    "RunStore",
    "SchemaVersionError",
    "Series",
    "StoreError",
]
