"""SARSA (Sutton & Barto, 2nd ed., section 6.4): on-policy TD control."""

from __future__ import annotations

from .base import TabularAgent


class SarsaAgent(TabularAgent):
    """``Q(S,A) += alpha * (R + gamma * Q(S',A') - Q(S,A))``, A' chosen in S' by the
    epsilon-greedy behaviour policy before the update; no bootstrap at a terminal.

    The loop is the textbook's: choose A from S; then take A, observe R and S', choose A'
    from S', update, and carry A' over as the next step's action. At a terminal S' no A' is
    chosen (nothing to bootstrap on, no random draw). A truncated step (a time limit) is not
    a terminal: A' is chosen in S' as always and the update bootstraps on Q(S',A'); the
    episode then ends, so that A' is never taken (the next episode chooses its own first
    action in its start state).
    """

    algorithm = "sarsa"
    label = "SARSA"

    def _bootstrap(self, next_state: int, next_action: int | None) -> float:
        """Return ``Q(S',A')``, A' the action the behaviour policy chose in S'.

        Raises:
            ValueError: no ``next_action`` was given (``update`` needs one unless the step
                terminated).
        """
        if next_action is None:
            raise ValueError("SARSA bootstraps on Q(S', A'): give next_action unless terminated")
        return self._table[next_state][next_action]

    def learn(
        self,
        state: int,
        action: int,
        reward: float,
        next_state: int,
        terminated: bool,
        truncated: bool,
    ) -> tuple[float, int | None]:
        """Choose A' in S' (unless S' is terminal), then update on it.

        Returns:
            (the TD error, A' or None when the episode ended).

        Raises:
            NonFiniteQError: the update would make a Q-value NaN or infinite.
        """
        next_action = None if terminated else self.act(next_state)
        td_error = self.update(state, action, reward, next_state, terminated, next_action)
        return td_error, None if truncated else next_action
