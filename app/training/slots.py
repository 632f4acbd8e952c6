"""Worker slots: processes that claim runs from the store's queue and train them, one by one.

A ``WorkerPool`` spawns ``slots`` processes (``multiprocessing`` spawn context, target
``slot_main``). Each loops: claim the oldest claimable run (``RunStore.claim_next``), train
it, repeat; with nothing to claim it looks again after ``IDLE_SECONDS``. No run belongs to
a slot by being its child: the store's claim and lease say who trains what, so any number
of pools, on any machines, can work one store. The pool replaces a slot that exits while
it is open (one whose lease was lost, or that was killed). ``shutdown()`` first closes the
pool's ``ClaimGate`` and waits for claims in flight to land, then sends every slot SIGTERM,
on which it checkpoints its run and puts it back to ``queued`` (recording an
``interrupted`` event) for the next worker.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import wait
from multiprocessing.process import BaseProcess
from types import TracebackType
from typing import Literal

from app.experiments.hooks import NO_HOOKS, experiment_hooks
from runstore import Claim, Owner, RunStore, StoreError

from .settings import LoopSettings
from .signals import StopFlag
from .trainer import Trainer

log = logging.getLogger(__name__)

IDLE_SECONDS = 0.2
"""How long an idle slot waits before it looks for a claimable run again."""
RETRY_SECONDS = 1.0
"""How long a slot waits before it tries a store that failed to answer again."""
RESPAWN_SECONDS = 1.0
"""A slot that exits is replaced no sooner than this after it started (no restart storm)."""
MAX_SLOTS = 1024
"""The most slots one pool runs (``--slots``)."""
SHUTDOWN_SECONDS = 10.0
"""How long ``shutdown`` waits for the slots to checkpoint and exit before killing them."""

CLAIM_SETTLE_SECONDS = 5.0
"""How long ``shutdown`` waits for claims in flight to land before it signals the slots."""

_SPAWN = multiprocessing.get_context("spawn")


class ClaimGate:
    """Shared by a pool and its slots: claims pass it, and closing it ends claiming.

    Without it shutdown races on SQLite: a slot whose claim waits on the write lock while
    another slot puts its run back in the queue claims that run the moment it is queued,
    only to put it back again (an extra ``resumed``/``interrupted`` pair in its history).
    """

    def __init__(self, slots: int) -> None:
        """Create an open gate for ``slots`` slots, none of them claiming."""
        self._closed = _SPAWN.Event()
        self._claiming = _SPAWN.Array("b", slots)

    def claim(
        self, slot: int, claim_next: Callable[[], Claim | None]
    ) -> Claim | Literal[False] | None:
        """Run ``claim_next`` for slot ``slot`` unless the gate is closed.

        The slot marks itself claiming before it looks at the gate, so ``close`` either
        sees the mark or the slot sees the gate closed: no claim slips past a close.

        Returns:
            ``claim_next()``'s claim (or ``None``), or ``False`` once the gate is closed.
        """
        self._claiming[slot] = 1
        try:
            return False if self._closed.is_set() else claim_next()
        finally:
            self._claiming[slot] = 0

    def close(self, alive: Callable[[int], bool], timeout: float) -> None:
        """Close the gate; return once no live slot is inside a claim (or after ``timeout``).

        Args:
            alive: whether slot ``index`` is still running (a killed slot's mark is ignored).
            timeout: the longest wait, in seconds.
        """
        self._closed.set()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not any(self._claiming[i] and alive(i) for i in range(len(self._claiming))):
                return
            time.sleep(0.01)


def slot_main(
    store_url: str,
    settings: LoopSettings | None = None,
    idle_seconds: float = IDLE_SECONDS,
    gate: ClaimGate | None = None,
    slot: int = 0,
) -> None:
    """Entry point of a slot process: claim a run, train it, repeat until told to stop.

    SIGTERM, SIGINT (Ctrl-C in the terminal reaches the whole process group) and the death
    of the parent process end the current run with a checkpoint, back to ``queued``, and
    then the loop; a closed ``gate`` ends the loop before its next claim. A lost lease ends
    the process quietly (one log line). A run that fails unexpectedly is recorded as
    ``error`` (its traceback logged) and the slot goes on with the next one; a store that
    cannot be reached is tried again after ``RETRY_SECONDS``.

    Args:
        store_url: the run store's URL (each process opens its own engine).
        settings: loop timing knobs of the trainer.
        idle_seconds: how long to wait when there is nothing to claim.
        gate: the pool's claim gate (``None``: a gate of this slot's own, never closed).
        slot: this slot's index at the gate.
    """
    gate = gate or ClaimGate(slot + 1)
    flag = StopFlag(watch_parent=True)
    flag.install()
    store = RunStore(store_url)
    owner = Owner.here()
    try:
        while not flag():
            try:
                claim = gate.claim(slot, lambda: store.claim_next(owner))
            except StoreError as exc:
                log.warning("claiming a run failed: %s; trying again", exc)
                time.sleep(RETRY_SECONDS)
                continue
            if claim is False:
                return  # the pool is shutting down: nothing more to claim
            if claim is None:
                time.sleep(idle_seconds)
                continue
            hooks = NO_HOOKS
            try:
                hooks = experiment_hooks(store, claim)
                trainer = Trainer(
                    store,
                    claim,
                    settings=settings,
                    should_stop=flag,
                    on_checkpoint=hooks.on_checkpoint,
                )
                if trainer.run() is None:
                    return  # the lease was lost: this process is not to be trusted with runs
            except Exception:  # recorded as the run's error; the slot serves the next run
                log.exception("run %s failed", claim.run_id)
            hooks.after_run()
    finally:
        store.close()


class WorkerPool:
    """``slots`` slot processes working the store's queue, and a thread that keeps them up."""

    def __init__(
        self,
        store_url: str,
        slots: int | None = None,
        *,
        settings: LoopSettings | None = None,
        idle_seconds: float = IDLE_SECONDS,
    ) -> None:
        """Start the slot processes and their supervisor thread.

        Args:
            store_url: the run store's URL.
            slots: how many runs this pool trains at once (default: ``os.cpu_count()``).
            settings: loop timing knobs passed to every slot.
            idle_seconds: how long an idle slot waits before it looks again.
        """
        self.store_url = store_url
        self.slots = max(1, slots or os.cpu_count() or 1)
        self.settings = settings
        self.idle_seconds = idle_seconds
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._gate = ClaimGate(self.slots)
        self._processes = [self._spawn(index) for index in range(self.slots)]
        self._supervisor = threading.Thread(
            target=self._supervise, name="gridlab-slots", daemon=True
        )
        self._supervisor.start()

    def __enter__(self) -> WorkerPool:
        """Return the pool (``shutdown()`` runs on exit)."""
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop every slot gracefully."""
        self.shutdown()

    def pids(self) -> list[int]:
        """Return the process ids of the slots alive now."""
        with self._lock:
            return [p.pid for p in self._processes if p.pid is not None and p.is_alive()]

    def wait(self) -> None:
        """Block until ``shutdown`` (or a signal's exception, such as KeyboardInterrupt)."""
        self._closing.wait()

    def shutdown(self, timeout: float = SHUTDOWN_SECONDS) -> None:
        """Stop every slot: each checkpoints its run and puts it back to ``queued``.

        Claiming ends first (idle slots exit), so no slot takes up a run another one has
        just put back; then the slots still training get SIGTERM. A slot still alive
        ``timeout`` seconds after SIGTERM is killed; its run reads ``crashed`` once its
        lease expires and resumes from its last checkpoint.

        Args:
            timeout: seconds to wait for the slots to exit.
        """
        with self._lock:
            if self._closing.is_set():
                return
            self._closing.set()
            processes = list(self._processes)
        self._supervisor.join()
        self._gate.close(lambda index: processes[index].is_alive(), CLAIM_SETTLE_SECONDS)
        for process in processes:
            if process.is_alive():
                process.terminate()  # SIGTERM: the slot checkpoints and requeues its run
        deadline = time.monotonic() + timeout
        for process in processes:
            process.join(max(0.0, deadline - time.monotonic()))
        for process in processes:
            if process.is_alive():
                log.warning(
                    "slot process %s did not stop within %g s; killed", process.pid, timeout
                )
                process.kill()
                process.join()

    def _spawn(self, index: int) -> BaseProcess:
        """Start slot ``index``'s process; return it."""
        process = _SPAWN.Process(
            target=slot_main,
            args=(self.store_url, self.settings, self.idle_seconds, self._gate, index),
            name="gridlab-slot",
            daemon=True,
        )
        process.start()
        return process

    def _supervise(self) -> None:
        """Supervisor thread: wake when a slot exits (or periodically) and replace it."""
        started = [time.monotonic()] * len(self._processes)
        while not self._closing.is_set():
            with self._lock:
                sentinels = [p.sentinel for p in self._processes if p.exitcode is None]
            wait(sentinels, timeout=0.25)
            with self._lock:
                if self._closing.is_set():
                    return
                for index, process in enumerate(self._processes):
                    if process.is_alive() or time.monotonic() - started[index] < RESPAWN_SECONDS:
                        continue
                    log.warning(
                        "slot process %s exited with code %s; starting another",
                        process.pid,
                        process.exitcode,
                    )
                    self._processes[index] = self._spawn(index)
                    started[index] = time.monotonic()
