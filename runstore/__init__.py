"""The run store: runs, episodes, rollups, parameter changes, checkpoints and claims in SQL.

It knows nothing of gridworld, Dash or Flask; it is the only channel between the dashboard
and the training workers.
"""

from .batches import join_columns
from .blocks import BLOCK
from .checkpoint_names import Naming
from .episodes import MAX_EPISODE_LIMIT
from .errors import (
    BatchError,
    CheckpointNameRefused,
    CheckpointNotFound,
    ClaimRefused,
    ExperimentNotFound,
    InvalidQuery,
    LeaseLost,
    NamedCheckpointNotFound,
    RunHasForks,
    RunNotFound,
    SchemaVersionError,
    StoreError,
    TrajectoryNotFound,
)
from .exploits import Exploit
from .jobs import HEARTBEAT_SECONDS, LEASE_SECONDS
from .records import (
    CHECKPOINT_NAME_LENGTH,
    EPISODE_FIELDS,
    EVENT_KINDS,
    EXPERIMENT_METHODS,
    EXPERIMENT_STATUSES,
    LIVE_STATUSES,
    METRICS,
    RELEASE_STATUSES,
    STATUSES,
    TRAJECTORY_KINDS,
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
from .trajectories import (
    TrajectoryBatch,
    TrajectoryInfo,
    TrajectoryRecord,
    finite_or_none,
    ring_drops,
)

__all__ = [
    "BLOCK",
    "CHECKPOINT_NAME_LENGTH",
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
    "TRAJECTORY_KINDS",
    "BatchError",
    "Checkpoint",
    "CheckpointInfo",
    "CheckpointNameRefused",
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
    "NamedCheckpointNotFound",
    "Naming",
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
    "TrajectoryBatch",
    "TrajectoryInfo",
    "TrajectoryNotFound",
    "TrajectoryRecord",
    "finite_or_none",
    "join_columns",
    "ring_drops",
]
