"""The textbook's step-by-step episode loops, through an agent's public ``act`` and
``update``: what every agent's ``play`` must equal draw for draw."""

from __future__ import annotations

import gymnasium as gym

from gridworld.agents import TabularAgent


def off_policy_episode(env: gym.Env, agent: TabularAgent, seed: int) -> tuple:
    """Play one episode by Q-learning's box (6.5; 6.6 and 6.7 alike): choose A from S, take
    it, update, repeat."""
    state, _ = env.reset(seed=seed)
    total = abs_td = 0.0
    counts = [0] * agent.n_actions
    terminated = truncated = False
    while not (terminated or truncated):
        action = agent.act(state)
        next_state, reward, terminated, truncated, _ = env.step(action)
        abs_td += abs(agent.update(state, action, reward, next_state, terminated))
        total += reward
        counts[action] += 1
        state = next_state
    agent.end_episode()
    return total, abs_td, counts, truncated


def sarsa_episode(env: gym.Env, agent: TabularAgent, seed: int) -> tuple:
    """Play one episode by SARSA's box (6.4): choose A from S; take A, choose A' from S'
    (none at a terminal), update, carry A' over. A truncated step chooses A' and ends."""
    state, _ = env.reset(seed=seed)
    action = agent.act(state)
    total = abs_td = 0.0
    counts = [0] * agent.n_actions
    while True:
        next_state, reward, terminated, truncated, _ = env.step(action)
        next_action = None if terminated else agent.act(next_state)
        abs_td += abs(agent.update(state, action, reward, next_state, terminated, next_action))
        total += reward
        counts[action] += 1
        if terminated or truncated:
            agent.end_episode()
            return total, abs_td, counts, truncated
        state, action = next_state, next_action
