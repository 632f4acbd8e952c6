"""The lease keeper: a thread that renews a worker's claim on its run while it trains."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from runstore import Claim, RunStore, StoreError

log = logging.getLogger(__name__)


@contextmanager
def heartbeat(store: RunStore, claim: Claim, lost: threading.Event) -> Iterator[None]:
    """Renew ``claim``'s lease every ``store.heartbeat_seconds`` until the block ends.

    Args:
        store: the run store.
        claim: the claim whose lease is kept.
        lost: set (and the renewals end) once a renewal finds the claim no longer the
            run's owner: its lease expired and another worker took the run, or the run
            was deleted. The training loop checks it and stops writing.

    Yields:
        Nothing; the thread runs while the block does.
    """
    done = threading.Event()

    def beat() -> None:
        while not done.wait(store.heartbeat_seconds):
            try:
                if not store.renew_lease(claim):
                    lost.set()
                    return
            except StoreError as exc:  # the database may be back before the lease ends
                log.warning("run %s: renewing the lease failed: %s", claim.run_id, exc)

    thread = threading.Thread(target=beat, name=f"gridlab-heartbeat-{claim.run_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()
