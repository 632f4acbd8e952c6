"""Training kernels: what plays a run's episodes, a chunk at a time.

Two kernels play the same episodes. ``python`` is ``gridworld.episode.run_episode`` in a
loop: every env, and the reference. ``compiled`` is one numba-compiled loop over the env's
toy-text transition table (GridWorld, FrozenLake, CliffWalking, Taxi: see
``gridworld.kernel.model``) for all four algorithms: the same random draws in the same order
(the agent's generator itself, and gymnasium's per-reset ``PCG64(SeedSequence(seed))``
stream), the same arithmetic, so the same ``EpisodeStats``, agent state and env generator,
on slippery maps too. Either records the steps of the episodes a chunk names (``record``:
``gridworld.trajectory``) identically, and a chunk that names none pays nothing for it. A
run names one of ``KERNELS``; ``auto`` (the default) is ``compiled`` wherever the env has
such a table.
"""

from __future__ import annotations

import gymnasium as gym

from ..agents import TabularAgent
from ..errors import ValidationError
from .batch import EpisodeBatch
from .model import Model, table_model
from .runners import CompiledRunner, PythonRunner

KERNELS = ("auto", "python", "compiled")
"""What a run's ``kernel`` field accepts."""
DEFAULT_KERNEL = "auto"
"""The kernel of a run that names none: compiled where the env has a table, else python."""
KERNELS_ALLOWED = "auto (compiled where the env has a transition table), python or compiled"
"""What the ``kernel`` field accepts, in words."""
COMPILED_ALLOWED = (
    "auto or python for this env (compiled needs a toy-text transition table: GridWorld-v0,"
    " FrozenLake, CliffWalking, Taxi)"
)

Runner = PythonRunner | CompiledRunner


def validate_kernel(value: object) -> str:
    """Return the kernel ``value`` names; None or empty text name the default.

    Raises:
        ValidationError: not one of ``KERNELS``; field ``kernel``.
    """
    kernel = DEFAULT_KERNEL if value is None or value == "" else value
    if kernel not in KERNELS:
        reason = "unknown kernel" if isinstance(value, str) else "not text"
        raise ValidationError("kernel", value, reason, KERNELS_ALLOWED)
    return str(kernel)


def check_kernel(kernel: str, env: gym.Env) -> Model | None:
    """Return the table model the kernel plays ``env`` with (None: the Python loop).

    Args:
        kernel: one of ``KERNELS``.
        env: the env the run trains on.

    Returns:
        The env's model for ``auto`` and ``compiled``, when it has one; None otherwise.

    Raises:
        ValidationError: ``compiled`` for an env without a table the compiled loop plays.
    """
    model = None if kernel == "python" else table_model(env)
    if kernel == "compiled" and model is None:
        env_id = env.spec.id if env.spec is not None else type(env.unwrapped).__name__
        reason = f"{env_id} has no transition table the compiled kernel can play"
        raise ValidationError("kernel", kernel, reason, COMPILED_ALLOWED)
    return model


def make_runner(env: gym.Env, agent: TabularAgent, kernel: str = DEFAULT_KERNEL) -> Runner:
    """Return the kernel that plays ``env`` with ``agent``.

    Args:
        env: the env.
        agent: the learner (any of ``gridworld.agents``).
        kernel: one of ``KERNELS``.

    Returns:
        A ``CompiledRunner`` where ``kernel`` and the env allow it, else a ``PythonRunner``.

    Raises:
        ValidationError: ``compiled`` for an env without a table (see ``check_kernel``).
    """
    model = check_kernel(kernel, env)
    if model is None:
        return PythonRunner(env, agent)
    return CompiledRunner(env, agent, model)


__all__ = [
    "DEFAULT_KERNEL",
    "KERNELS",
    "KERNELS_ALLOWED",
    "CompiledRunner",
    "EpisodeBatch",
    "Model",
    "PythonRunner",
    "Runner",
    "check_kernel",
    "make_runner",
    "table_model",
    "validate_kernel",
]
