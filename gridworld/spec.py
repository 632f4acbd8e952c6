"""What a run trains on and with: the run spec, its validator, and the env it builds.

``validate_run_spec`` is the one place that checks a run request; the CLI, the HTTP API and
the dashboard's form all call it, so the same bad value gives the same message everywhere.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import gymnasium as gym
from gymnasium import spaces

from .agents import DEFAULT_ALGORITHM, validate_algorithm
from .config import PRESETS, GridWorldConfig
from .errors import ErrorList, ValidationError
from .grids import grid_rows
from .hyperparams import Hyperparams, validate_hyperparams
from .kernel import DEFAULT_KERNEL, check_kernel, validate_kernel
from .numbers import parse_int
from .pace import validate_pace

GRIDWORLD_ID = "GridWorld-v0"
MAX_EPISODES = 10_000_000
MAX_SEED = 2**32 - 1
MAX_NAME = 100
NAME_ALLOWED = f"text of 1 to {MAX_NAME} characters, without control characters"
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
"""Characters that reorder the text around them (a name could hide what follows)."""
ENV_ALLOWED = (
    "a registered gymnasium env id with Discrete observations and actions,"
    " e.g. GridWorld-v0, FrozenLake-v1, FrozenLake8x8-v1, CliffWalking-v1, Taxi-v4"
)
EnvAndMap = tuple[str, str | None, tuple[str, ...] | None]
"""A run's env id, GridWorld preset and custom map (``RunSpec``'s first three fields)."""
SPEC_FIELDS = (
    "env_id",
    "preset",
    "desc",
    "episodes",
    "algorithm",
    "hyperparams",
    "seed",
    "name",
    "checkpoint_every",
    "kernel",
    "pace",
)


@dataclass(frozen=True)
class RunSpec:
    """A validated request for one training run."""

    env_id: str = GRIDWORLD_ID
    preset: str | None = "easy"
    """GridWorld preset (None with a custom ``desc`` or another env)."""
    desc: tuple[str, ...] | None = None
    """GridWorld custom text map."""
    episodes: int = 1000
    algorithm: str = DEFAULT_ALGORITHM
    """The learning algorithm (``gridworld.agents.ALGORITHMS``)."""
    hyperparams: Hyperparams = field(default_factory=Hyperparams)
    seed: int = 0
    name: str = ""
    checkpoint_every: int | None = None
    """Episodes between checkpoints (None: the trainer's default)."""
    kernel: str = DEFAULT_KERNEL
    """What plays the episodes (``gridworld.kernel.KERNELS``); both kernels play the same."""
    pace: float | None = None
    """Episodes per second the run starts at (None: full speed; ``gridworld.pace``). It
    changes no result, only when the episodes are played."""

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-safe dict that ``from_dict`` (or ``validate_run_spec``) reads back."""
        return {
            "env_id": self.env_id,
            "preset": self.preset,
            "desc": list(self.desc) if self.desc is not None else None,
            "episodes": self.episodes,
            "algorithm": self.algorithm,
            "hyperparams": self.hyperparams.to_dict(),
            "seed": self.seed,
            "name": self.name,
            "checkpoint_every": self.checkpoint_every,
            "kernel": self.kernel,
            "pace": self.pace,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RunSpec:
        """Return the spec ``to_dict`` described (validated again; a spec stored before runs
        named their algorithm is Q-learning's, one stored before they named a kernel has
        ``auto``, one stored before runs had a pace runs at full speed)."""
        return validate_run_spec(data)


def _desc(value: object) -> tuple[str, ...]:
    """Return a text map given as a list of rows or as one newline-separated string."""
    if isinstance(value, str):
        return tuple(line.strip() for line in value.strip().splitlines() if line.strip())
    if isinstance(value, list | tuple):
        return tuple(value)
    raise ValidationError("desc", value, "not a map", "a list of row strings")


def validate_name(value: object) -> str:
    """Return a run name (a rename's), trimmed.

    Raises:
        ValidationError: not text, empty, too long or holding a control character; field
            ``name`` (the rules of ``validate_run_spec``'s name).
    """
    if value is None:
        raise ValidationError("name", value, "missing", NAME_ALLOWED)
    return _name(value, "")


def _name(value: object, default: str) -> str:
    """Return a run name, trimmed; ``default`` when it is None.

    Raises:
        ValidationError: not text, empty, longer than ``MAX_NAME`` or holding a character
            that is not text to show (a control character, a lone surrogate, a
            bidirectional control); field ``name``.
    """
    if value is None:
        return default
    if not isinstance(value, str):
        raise ValidationError("name", value, "not text", NAME_ALLOWED)
    name = value.strip()
    reason = None
    if not name:
        reason = "empty"
    elif len(name) > MAX_NAME:
        reason = f"{len(name)} characters"
    for position, char in enumerate(name):
        kind = unicodedata.category(char)
        what = {"Cc": "control character", "Cs": "lone surrogate"}.get(kind)
        if char in BIDI_CONTROLS:
            what = "bidirectional control"
        if what is not None:
            reason = f"holds the {what} U+{ord(char):04X} at position {position}"
            break
    if reason is not None:
        raise ValidationError("name", value, reason, NAME_ALLOWED)
    return name


def validate_run_spec(mapping: Mapping[str, Any]) -> RunSpec:
    """Check a run request and return the spec.

    Args:
        mapping: any of ``env_id``, ``preset``, ``desc``, ``episodes``, ``algorithm``,
            ``hyperparams`` (a partial mapping), ``seed``, ``name``, ``checkpoint_every``,
            ``kernel``, ``pace`` (``gridworld.pace.validate_pace``); numbers may be numeric
            strings. Missing keys (and a None or empty ``algorithm`` or ``kernel``) take the
            ``RunSpec`` defaults.

    Returns:
        The validated spec (its env has been built once to check it).

    Raises:
        ValidationError: a bad field, with its value and what is allowed; every bad field
            at once (``ValidationErrors``, in ``SPEC_FIELDS`` order) when there are several.
    """
    if not isinstance(mapping, Mapping):
        raise ValidationError("spec", mapping, "not a mapping", "an object of run fields")
    errors = ErrorList()
    for key, value in mapping.items():
        if key not in SPEC_FIELDS:
            errors.add(ValidationError(key, value, "unknown field", ", ".join(SPEC_FIELDS)))
    no_map: EnvAndMap = (GRIDWORLD_ID, None, None)
    env_id, preset, desc = errors.check(partial(_env_and_map, mapping), no_map)
    get = mapping.get
    episodes = errors.check(
        partial(parse_int, "episodes", get("episodes", 1000), 1, MAX_EPISODES), 1
    )
    algorithm = errors.check(partial(validate_algorithm, get("algorithm")), DEFAULT_ALGORITHM)
    hyperparams = errors.check(partial(_hyperparams, get("hyperparams")), Hyperparams())
    seed = errors.check(partial(parse_int, "seed", get("seed", 0), 0, MAX_SEED), 0)
    name = errors.check(partial(_name, get("name"), f"{preset or env_id} seed {seed}"), "")
    every = errors.check(partial(_every, get("checkpoint_every")), None)
    kernel = errors.check(partial(validate_kernel, get("kernel")), DEFAULT_KERNEL)
    pace = errors.check(partial(validate_pace, get("pace")), None)
    errors.raise_any()
    spec = RunSpec(
        env_id=env_id,
        preset=preset,
        desc=desc,
        episodes=episodes,
        algorithm=algorithm,
        hyperparams=hyperparams,
        seed=seed,
        name=name,
        checkpoint_every=every,
        kernel=kernel,
        pace=pace,
    )
    env = make_env(spec)
    try:
        if kernel == "compiled":
            check_kernel(kernel, env)
    finally:
        env.close()
    return spec


def _env_and_map(mapping: Mapping[str, Any]) -> EnvAndMap:
    """Return the env id, preset and custom map of a run request.

    Raises:
        ValidationError: the env id is not a registered env's (field ``env``); a preset and a
            map together, an unknown preset or a bad map for GridWorld, or either for another
            env (field ``preset`` or ``desc``).
    """
    env_id = mapping.get("env_id") or GRIDWORLD_ID
    if not isinstance(env_id, str):
        raise ValidationError("env", env_id, "not a string", ENV_ALLOWED)
    _check_registered(env_id)
    preset, desc = mapping.get("preset"), mapping.get("desc")
    if env_id != GRIDWORLD_ID:
        if preset or desc:
            field_name = "preset" if preset else "desc"
            raise ValidationError(
                field_name,
                preset or desc,
                f"{env_id} has no GridWorld maps",
                "only with GridWorld-v0",
            )
        return env_id, None, None
    if desc is None or desc == "":
        preset = preset or "easy"
        if preset not in PRESETS:
            raise ValidationError("preset", preset, "no such preset", ", ".join(PRESETS))
        return env_id, preset, None
    if preset:
        raise ValidationError(
            "preset", preset, "given together with a custom map", "a preset or a desc"
        )
    rows = _desc(desc)
    GridWorldConfig.from_map(rows)
    return env_id, None, rows


def _hyperparams(value: Any) -> Hyperparams:
    """Return the hyperparameters of a run request (a partial mapping; None: the defaults).

    Raises:
        ValidationError: see ``validate_hyperparams``.
    """
    if isinstance(value, Hyperparams):
        return value
    return validate_hyperparams(value or {})


def _every(value: object) -> int | None:
    """Return the episodes between checkpoints (None when not given: the trainer's default).

    Raises:
        ValidationError: not a whole number from 1 to ``MAX_EPISODES``.
    """
    if value is None or value == "":
        return None
    return parse_int("checkpoint_every", value, 1, MAX_EPISODES)


def make_env(spec: RunSpec) -> gym.Env:
    """Build the environment a spec trains on.

    Returns:
        The gymnasium env (with the wrappers ``gymnasium.make`` adds).

    Raises:
        ValidationError: the env id is unknown, cannot be built here, or its observation
            or action space is not a Discrete space starting at 0 (field ``env``), so a
            Q-table could not index it.
    """
    kwargs: dict[str, Any] = {}
    if spec.env_id == GRIDWORLD_ID:
        kwargs = {"desc": list(spec.desc)} if spec.desc is not None else {"preset": spec.preset}
    _check_registered(spec.env_id)
    try:
        env = gym.make(spec.env_id, **kwargs)
    except (gym.error.Error, ImportError, TypeError) as exc:
        raise ValidationError("env", spec.env_id, f"cannot be made ({exc})", ENV_ALLOWED) from None
    try:
        table_shape(env)
    except ValidationError:
        env.close()
        raise
    return env


def _check_registered(env_id: str) -> None:
    """Refuse an env id gymnasium has not registered (field ``env``).

    Checked before ``gym.make``, which warns about an out-of-date id (Taxi-v3) before it
    raises: catching that warning would swap the process-wide warning filters, which is not
    safe while other threads (the dashboard) run.

    Raises:
        ValidationError: not registered; the message lists the family's registered versions.
    """
    if env_id in gym.registry:
        return
    family = env_id.rsplit("-v", 1)[0]
    versions = sorted(name for name in gym.registry if name.rsplit("-v", 1)[0] == family)
    known = f"; registered versions: {', '.join(versions)}" if versions else ""
    raise ValidationError(
        "env", env_id, f"cannot be made (not a registered environment{known})", ENV_ALLOWED
    )


def table_shape(env: gym.Env) -> tuple[int, int]:
    """Return the shape of the Q-table that learns ``env``.

    Args:
        env: the environment (``gymnasium.make`` gives it its spec's id).

    Returns:
        (number of states, number of actions).

    Raises:
        ValidationError: the observation or action space is not a Discrete space starting
            at 0 (field ``env``), so a Q-table could not index it.
    """
    sizes = []
    for kind, space in (("observation", env.observation_space), ("action", env.action_space)):
        if not isinstance(space, spaces.Discrete):
            reason = f"its {kind} space is {space}, not Discrete, so a Q-table cannot index it"
        elif space.start != 0:
            reason = f"its {kind} space {space} does not start at 0, so a Q-table cannot index it"
        else:
            sizes.append(int(space.n))
            continue
        env_id = env.spec.id if env.spec is not None else type(env.unwrapped).__name__
        raise ValidationError("env", env_id, reason, ENV_ALLOWED)
    return sizes[0], sizes[1]


def env_config(spec: RunSpec) -> dict[str, Any]:
    """Return what a run records about its env: sizes, and the grid where there is one.

    Args:
        spec: the run spec whose env is described.

    Returns:
        ``n_states``, ``n_actions`` and ``grid``: a ``GridWorldConfig.to_dict()`` for
        GridWorld maps and toy-text grids (FrozenLake, CliffWalking: ``grids.grid_rows``),
        else None.
    """
    env = make_env(spec)
    env.close()
    n_states, n_actions = table_shape(env)
    config, rows = getattr(env.unwrapped, "config", None), grid_rows(env)
    grid = None
    if isinstance(config, GridWorldConfig):
        grid = config.to_dict()
    elif rows is not None:
        grid = GridWorldConfig.from_map(rows).to_dict()
    return {"n_states": n_states, "n_actions": n_actions, "grid": grid}
