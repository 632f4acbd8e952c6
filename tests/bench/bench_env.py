"""Benchmark: GridWorld's raw step rate against FrozenLake's, and ``run_episode`` against a bare
Q-learning loop that records nothing.

Everything runs in this process. (a) Environment steps/s of ``gymnasium.make("GridWorld-v0",
preset=p)`` for the presets easy, medium and hard, and of ``gymnasium.make("FrozenLake-v1")``,
each stepped with the same pre-drawn random actions and reset whenever an episode ends; the
figure compared is gridworld_medium / frozenlake (no target: printed for reference). (b)
``gridworld.episode.run_episode`` with a ``QLearningAgent`` against a bare textbook Q-learning
loop (list Q-table, epsilon-greedy with random tie-breaks, the same decays) on GridWorld medium
with the same hyperparameters and seed. The bare loop draws its random numbers in the same
order as the agent, so both play identical episodes (checked: equal step counts) and differ
only in what ``run_episode`` records (TD errors, action counts, table statistics). Target:
``run_episode`` episodes/s >= 0.9 x bare. Each side's best of N repetitions counts, and the
repetitions are interleaved so that load changes hit both sides alike.

    .venv/bin/python tests/bench/bench_env.py --size full

Prints one line per measurement and ends with one JSON line of figures.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable

import gymnasium as gym
import numpy as np

import gridworld  # noqa: F401  (registers GridWorld-v0)
from gridworld.agents import QLearningAgent
from gridworld.episode import SEED_BOUND, run_episode
from gridworld.hyperparams import Hyperparams

SIZES = {"tiny": (5_000, 200, 1), "full": (300_000, 15_000, 5)}
"""--size: (random steps per env case, Q-learning episodes per side, repetitions)."""
ENV_CASES: dict[str, tuple[str, dict[str, str]]] = {
    "gridworld_easy": ("GridWorld-v0", {"preset": "easy"}),
    "gridworld_medium": ("GridWorld-v0", {"preset": "medium"}),
    "gridworld_hard": ("GridWorld-v0", {"preset": "hard"}),
    "frozenlake": ("FrozenLake-v1", {}),
}
"""Env case name: (env id, gymnasium.make keyword arguments)."""
EPISODE_ENV = ("GridWorld-v0", {"preset": "medium"})
"""The env that run_episode and the bare loop learn on."""
EPISODE_TARGET = 0.9
"""run_episode episodes/s must be at least this fraction of the bare loop's."""
SEED = 0


def step_rate(env_id: str, kwargs: dict[str, str], actions: list[int]) -> float:
    """Step a fresh env through ``actions``, resetting whenever an episode ends.

    Args:
        env_id: the gymnasium id.
        kwargs: keyword arguments for ``gymnasium.make``.
        actions: the actions to take, one per step.

    Returns:
        Seconds taken by the stepping loop (resets included, ``make`` excluded).
    """
    env = gym.make(env_id, **kwargs)
    try:
        env.reset(seed=SEED)
        step, reset = env.step, env.reset
        start = time.perf_counter()
        for action in actions:
            _, _, terminated, truncated, _ = step(action)
            if terminated or truncated:
                reset()
        return time.perf_counter() - start
    finally:
        env.close()


def recorded_episodes(episodes: int) -> tuple[int, float]:
    """Learn for ``episodes`` episodes with ``run_episode`` and a ``QLearningAgent``.

    Args:
        episodes: how many episodes to play.

    Returns:
        (environment steps, seconds of the episode loop).
    """
    env_id, kwargs = EPISODE_ENV
    env = gym.make(env_id, **kwargs)
    try:
        agent = QLearningAgent(
            int(env.observation_space.n),
            int(env.action_space.n),
            hyperparams=Hyperparams(),
            seed=SEED,
        )
        steps = 0
        start = time.perf_counter()
        for _ in range(episodes):
            steps += run_episode(env, agent).length
        return steps, time.perf_counter() - start
    finally:
        env.close()


def bare_episodes(episodes: int) -> tuple[int, float]:
    """Learn for ``episodes`` episodes on the benchmark's env with ``bare_q_learning``.

    Returns:
        (environment steps, seconds of the episode loop).
    """
    env_id, kwargs = EPISODE_ENV
    env = gym.make(env_id, **kwargs)
    try:
        return bare_q_learning(env, Hyperparams(), episodes, SEED)
    finally:
        env.close()


def bare_q_learning(env: gym.Env, hp: Hyperparams, episodes: int, seed: int) -> tuple[int, float]:
    """Learn for ``episodes`` episodes with textbook Q-learning, recording nothing.

    The Q-table is a list of lists and every random number is drawn in the agent's order
    (env seed, exploration, uniform action, tie-break), so with the agent's seed and
    hyperparameters the episodes equal ``run_episode``'s: the strictest baseline there is.

    Args:
        env: the environment (Discrete observations and actions).
        hp: the hyperparameters.
        episodes: how many episodes to play.
        seed: the generator's seed.

    Returns:
        (environment steps, seconds of the episode loop).
    """
    n_actions = int(env.action_space.n)
    q = [[0.0] * n_actions for _ in range(int(env.observation_space.n))]
    rng = np.random.default_rng(seed)
    rand, integers = rng.random, rng.integers
    alpha, gamma, epsilon = hp.alpha, hp.gamma, hp.epsilon
    step, reset = env.step, env.reset
    steps = 0
    start = time.perf_counter()
    for _ in range(episodes):
        state, _ = reset(seed=int(integers(SEED_BOUND)))
        done = False
        while not done:
            row = q[state]
            if rand() < epsilon:
                action = int(rand() * n_actions)
            else:
                best = max(row)
                if row.count(best) == 1:
                    action = row.index(best)
                else:
                    ties = [a for a, value in enumerate(row) if value == best]
                    action = ties[int(rand() * len(ties))]
            next_state, reward, terminated, truncated, _ = step(action)
            target = reward if terminated else reward + gamma * max(q[next_state])
            row[action] += alpha * (target - row[action])
            state = next_state
            done = terminated or truncated
            steps += 1
        epsilon = max(hp.epsilon_min, epsilon * hp.epsilon_decay)
        alpha = max(hp.alpha_min, alpha * hp.alpha_decay)
    return steps, time.perf_counter() - start


def best_of(repeats: int, sides: dict[str, Callable[[], float]]) -> dict[str, float]:
    """Run every side ``repeats`` times, interleaved, and keep each side's fastest time.

    Args:
        repeats: repetitions per side.
        sides: name to a function returning seconds.

    Returns:
        Name to its smallest seconds.
    """
    times: dict[str, list[float]] = {name: [] for name in sides}
    for _ in range(repeats):
        for name, measure in sides.items():
            times[name].append(measure())
    return {name: min(values) for name, values in times.items()}


def main() -> None:
    """Measure both comparisons at the chosen size; print figures and the JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="tiny")
    args = parser.parse_args()
    n_steps, episodes, repeats = SIZES[args.size]
    figures: dict[str, float | int | str] = {
        "size": args.size,
        "env_steps": n_steps,
        "episodes": episodes,
        "repeats": repeats,
    }
    gym.logger.min_level = 40

    actions = np.random.default_rng(SEED).integers(4, size=n_steps).tolist()
    seconds = best_of(
        repeats,
        {
            case: lambda env_id=env_id, kwargs=kwargs: step_rate(env_id, kwargs, actions)
            for case, (env_id, kwargs) in ENV_CASES.items()
        },
    )
    for case, secs in seconds.items():
        rate = n_steps / secs
        print(f"{case}: {rate:,.0f} steps/s (random actions, {n_steps:,} steps)")
        figures[f"{case}_steps_per_s"] = round(rate, 1)
    env_ratio = seconds["frozenlake"] / seconds["gridworld_medium"]
    print(f"gridworld_medium / frozenlake steps/s: ratio {env_ratio:.3f} (no target)")
    figures["gridworld_medium_vs_frozenlake_ratio"] = round(env_ratio, 3)

    runs: dict[str, list[tuple[int, float]]] = {"recorded": [], "bare": []}
    for _ in range(repeats):  # interleaved, so load changes hit both sides alike
        runs["bare"].append(bare_episodes(episodes))
        runs["recorded"].append(recorded_episodes(episodes))
    bare_steps, bare_s = min(runs["bare"], key=lambda r: r[1])
    rec_steps, rec_s = min(runs["recorded"], key=lambda r: r[1])
    if bare_steps != rec_steps:
        raise RuntimeError(f"the loops diverged: bare {bare_steps} steps, recorded {rec_steps}")
    bare_eps, rec_eps = episodes / bare_s, episodes / rec_s
    ratio = rec_eps / bare_eps
    print(
        f"gridworld_medium Q-learning, {episodes:,} episodes ({rec_steps:,} steps, identical):"
        f" bare {bare_eps:,.0f} episodes/s ({bare_steps / bare_s:,.0f} steps/s),"
        f" run_episode {rec_eps:,.0f} episodes/s ({rec_steps / rec_s:,.0f} steps/s)"
    )
    verdict = "met" if ratio >= EPISODE_TARGET else "MISSED"
    print(f"run_episode / bare: ratio {ratio:.3f} (target >= {EPISODE_TARGET}: {verdict})")
    figures["q_learning_steps"] = rec_steps
    figures["bare_episodes_per_s"] = round(bare_eps, 1)
    figures["run_episode_episodes_per_s"] = round(rec_eps, 1)
    figures["run_episode_vs_bare_ratio"] = round(ratio, 3)
    figures["run_episode_vs_bare_target"] = EPISODE_TARGET
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
