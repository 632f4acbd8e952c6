"""The run store: runs, episodes, rollups, parameter changes, checkpoints and claims in SQL.

It knows nothing of gridworld, Dash or Flask; it is the only channel between the dashboard
and the training workers.
"""

from .batches import join_columns
from .episodes import MAX_EPISODE_LIMIT
from .errors import (
    BatchError,
    CheckpointNotFound,
    ClaimRefused,
    ExperimentNotFound,
    InvalidQuery,
    LeaseLost,
    RunHasForks,
    RunNotFound,
    SchemaVersionError,
    StoreError,
)
from .exploits import Exploit
from .jobs import HEARTBEAT_SECONDS, LEASE_SECONDS
from .records import (
    EPISODE_FIELDS,
    EVENT_KINDS,
    EXPERIMENT_METHODS,
    EXPERIMENT_STATUSES,
    LIVE_STATUSES,
    METRICS,
    RELEASE_STATUSES,
    STATUSES,
    Checkpoint,
    CheckpointInfo,
    Claim,
    Control,
    EpisodeRecord,
    Experiment,
    Owner,
    ParamChange,
    Run,
    RunEvent,
    RunSummary,
    Series,
)
from .series import MAX_POINTS
from .store import RunStore

__all__ = [
    "EPISODE_FIELDS",
    "EVENT_KINDS",
    "EXPERIMENT_METHODS",
    "EXPERIMENT_STATUSES",
    "HEARTBEAT_SECONDS",
    "LEASE_SECONDS",
    "LIVE_STATUSES",
    "MAX_EPISODE_LIMIT",
    "MAX_POINTS",
    "METRICS",
    "RELEASE_STATUSES",
    "STATUSES",
    "BatchError",
    "Checkpoint",
    "CheckpointInfo",
    "CheckpointNotFound",
    "Claim",
    "ClaimRefused",
    "Control",
    "EpisodeRecord",
    "Experiment",
    "ExperimentNotFound",
    "Exploit",
    "InvalidQuery",
    "LeaseLost",
    "Owner",
    "ParamChange",
    "Run",
    "RunEvent",
    "RunHasForks",
    "RunNotFound",
    "RunStore",
    "RunSummary",
    "SchemaVersionError",
    "Series",
    "StoreError",
    "join_columns",
]
