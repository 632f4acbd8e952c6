"""The run store: runs, episodes, rollups, parameter changes and checkpoints in SQL.

It knows nothing of gridworld, Dash or Flask; it is the only channel between the dashboard
and the training workers.
"""

from .episodes import MAX_EPISODE_LIMIT
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
    EpisodeRecord,
    ParamChange,
    Run,
    RunSummary,
    Series,
)
from .series import MAX_POINTS
from .store import RunStore

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
    "EpisodeRecord",
    "InvalidQuery",
    "ParamChange",
    "Run",
    "RunNotFound",
    "RunStore",
    "RunSummary",
    "SchemaVersionError",
    "Series",
    "StoreError",
]
