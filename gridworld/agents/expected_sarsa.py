"""Expected SARSA (Sutton & Barto, 2nd ed., section 6.6): the expectation over A'."""

from __future__ import annotations

from .base import TabularAgent


class ExpectedSarsaAgent(TabularAgent):
    """``Q(S,A) += alpha * (R + gamma * sum_a pi(a|S') Q(S',a) - Q(S,A))``, pi the
    epsilon-greedy policy the agent acts with; no bootstrap at a terminal.

    Under that policy every action has probability ``epsilon / n``, and the ``k`` actions
    tied at the row's maximum share the greedy ``1 - epsilon`` equally (the random
    tie-break picks each with ``1 / k``). All of them hold the maximum, so the expectation
    is ``epsilon * mean_a Q(S',a) + (1 - epsilon) * max_a Q(S',a)`` whatever ``k`` is: the
    cached row sum and maximum give it without a scan. ``epsilon`` is the current
    (decayed) value, the one ``act`` uses. The loop is Q-learning's: choose, take, update.
    """

    algorithm = "expected_sarsa"
    label = "Expected SARSA"

    def _bootstrap(self, next_state: int, next_action: int | None) -> float:
        """Return ``sum_a pi(a|S') Q(S',a)`` under the current epsilon-greedy policy
        (``next_action`` is not used)."""
        epsilon = self.epsilon
        mean = self._row_sum[next_state] / self.n_actions
        return epsilon * mean + (1.0 - epsilon) * self._row_max[next_state]
