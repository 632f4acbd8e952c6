"""The RL world: GridWorld environment, configs, hyperparameters, tabular agents, planning.

Importing this package registers ``GridWorld-v0`` with gymnasium. It knows nothing of storage
or the web.
"""

from gymnasium.envs.registration import register, registry

from .agents import ALGORITHMS, NonFiniteQError, QLearningAgent, TabularAgent, make_agent
from .config import PRESETS, GridWorldConfig
from .env import GridWorldEnv
from .episode import EpisodeStats, run_episode
from .errors import MapError, ValidationError
from .hyperparams import HYPERPARAM_RANGES, Hyperparams, validate_hyperparams
from .optimality import Optimality, time_limit
from .planning import evaluate_policy, optimal_q, value_iteration
from .spec import GRIDWORLD_ID, RunSpec, env_config, make_env, validate_run_spec

if GRIDWORLD_ID not in registry:
    register(id=GRIDWORLD_ID, entry_point="gridworld.env:GridWorldEnv")

__all__ = [
    "ALGORITHMS",
    "HYPERPARAM_RANGES",
    "PRESETS",
    "EpisodeStats",
    "GridWorldConfig",
    "GridWorldEnv",
    "Hyperparams",
    "MapError",
    "NonFiniteQError",
    "Optimality",
    "QLearningAgent",
    "RunSpec",
    "TabularAgent",
    "ValidationError",
    "env_config",
    "evaluate_policy",
    "make_agent",
    "make_env",
    "optimal_q",
    "run_episode",
    "time_limit",
    "validate_hyperparams",
    "validate_run_spec",
    "value_iteration",
]
