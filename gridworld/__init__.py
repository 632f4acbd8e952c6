"""The RL world: GridWorld environment, configs, hyperparameters, Q-learning agent, planning.

Importing this package registers ``GridWorld-v0`` with gymnasium. It knows nothing of storage
or the web.
"""

from gymnasium.envs.registration import register, registry

from .config import PRESETS, GridWorldConfig
from .errors import MapError, ValidationError
from .hyperparams import Hyperparams, validate_hyperparams

ENV_ID = "GridWorld-v0"

if ENV_ID not in registry:
    register(id=ENV_ID, entry_point="gridworld.env:GridWorldEnv")

__all__ = [
    "ENV_ID",
    "PRESETS",
    "GridWorldConfig",
    "Hyperparams",
    "MapError",
    "ValidationError",
    "validate_hyperparams",
]
