"""The RL world: GridWorld environment, configs, hyperparameters, Q-learning agent, planning.

Importing this package registers ``GridWorld-v0`` with gymnasium. It knows nothing of storage
or the web.
"""

from gymnasium.envs.registration import register, registry

from .agent import NonFiniteQError, QLearningAgent
from .config import PRESETS, GridWorldConfig
from .env import GridWorldEnv
from .episode import EpisodeStats, run_episode
from .errors import MapError, ValidationError
from .hyperparams import HYPERPARAM_RANGES, Hyperparams, validate_hyperparams
from .planning import evaluate_policy, optimality, value_iteration
from .spec import RunSpec, env_config, make_env, validate_run_spec

ENV_ID = "GridWorld-v0"

if ENV_ID not in registry:
    register(id=ENV_ID, entry_point="gridworld.env:GridWorldEnv")

__all__ = [
    "ENV_ID",
    "HYPERPARAM_RANGES",
    "PRESETS",
    "EpisodeStats",
    "GridWorldConfig",
    "GridWorldEnv",
    "Hyperparams",
    "MapError",
    "NonFiniteQError",
    "QLearningAgent",
    "RunSpec",
    "ValidationError",
    "env_config",
    "evaluate_policy",
    "make_env",
    "optimality",
    "run_episode",
    "validate_hyperparams",
    "validate_run_spec",
    "value_iteration",
]
