"""The lease keeper: a thread that renews a worker's claim on its run while it trains."""

from __future__ import annotations

import logging
import threading
from types import TracebackType

from runstore import Claim, RunStore, StoreError

log = logging.getLogger(__name__)


class Heartbeat:
    """Renews ``claim``'s lease every ``store.heartbeat_seconds`` until the block ends.

    Used as a context manager around the training loop. When a renewal finds the claim no
    longer the run's owner (the lease expired and another worker took the run), ``lost``
    is set and the thread ends; the loop checks it and stops writing.
    """

    def __init__(self, store: RunStore, claim: Claim) -> None:
        """Prepare the thread (``__enter__`` starts it).

        Args:
            store: the run store (its ``heartbeat_seconds`` is the renewal period).
            claim: the claim whose lease is kept.
        """
        self.store = store
        self.claim = claim
        self.lost = threading.Event()
        """Set once a renewal found the lease lost."""
        self._done = threading.Event()
        self._thread = threading.Thread(
            target=self._beat, name=f"gridlab-heartbeat-{claim.run_id}", daemon=True
        )

    def __enter__(self) -> Heartbeat:
        """Start renewing; return the heartbeat."""
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop renewing and wait for the thread."""
        self._done.set()
        self._thread.join()

    def _beat(self) -> None:
        """The thread: renew periodically; stop when told or when the lease is lost."""
        while not self._done.wait(self.store.heartbeat_seconds):
            try:
                if not self.store.renew_lease(self.claim):
                    self.lost.set()
                    return
            except StoreError as exc:  # the database may be back before the lease ends
                log.warning("run %s: renewing the lease failed: %s", self.claim.run_id, exc)
