"""A bounded, thread-safe store of computed values keyed by what they were computed from.

The experiment page keeps what it read and computed of each run (and each group) under the
runs' revisions, which move with every write to a run: a key names its inputs exactly, so a
kept value is never stale, and the least recently used ones go first once it is full.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

Value = TypeVar("Value")


class Kept(Generic[Value]):
    """Up to ``size`` values, least recently used out first."""

    def __init__(self, size: int) -> None:
        """Keep at most ``size`` values."""
        self.size = size
        self._values: OrderedDict[Hashable, Value] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], Value]) -> Value:
        """Return the value kept under ``key``, or compute, keep and return it.

        ``compute`` runs outside the lock: two threads missing the same key both compute it
        (the same value), and neither waits for the other.
        """
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key]
        value = compute()
        with self._lock:
            self._values[key] = value
            while len(self._values) > self.size:
                self._values.popitem(last=False)
        return value
