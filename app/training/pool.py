"""Worker processes: start runs, keep at most N training at once, reap the dead.

A ``TrainingPool`` spawns one process per run (``multiprocessing`` spawn context, target
``worker.worker_main``). Runs beyond the concurrency limit wait as ``queued`` and start when
a slot frees. A reaper thread wakes as soon as a worker exits: a worker that died without
recording its end (SIGKILL, segfault) leaves its run ``crashed``. ``shutdown()`` sends every
worker SIGTERM, on which it checkpoints and records ``paused``.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import socket
import threading
import time
from collections import deque
from multiprocessing.connection import wait
from multiprocessing.process import BaseProcess
from types import TracebackType

from app.rules import Action, Conflict, check, pending_end
from gridworld.spec import RunSpec, env_config
from runstore import RunStore

from .worker import LoopSettings, worker_main

log = logging.getLogger(__name__)

STALE_AFTER_S = 15.0
"""A ``running`` run whose heartbeat is older than this has lost its worker."""

_SPAWN = multiprocessing.get_context("spawn")


def create_run(store: RunStore, spec: RunSpec) -> int:
    """Record a new run for ``spec`` in the store, status ``queued``.

    Args:
        store: the run store.
        spec: a validated run spec.

    Returns:
        The new run's id.
    """
    return store.create_run(
        name=spec.name,
        env_id=spec.env_id,
        env_config=env_config(spec),
        hyperparams=spec.hyperparams.to_dict(),
        seed=spec.seed,
        target_episodes=spec.episodes,
        spec=spec.to_dict(),
    )


def prepare_resume(store: RunStore, run_id: int) -> bool:
    """Resume the run in the store, as ``app.rules`` allows it.

    A live run with a pending pause or stop has that request cancelled (its worker carries
    on). Any other resumable run is marked ``queued`` with a request for ``running``, which
    overrides a stale pause/stop request; the worker that trains it next fulfils it.

    Args:
        store: the run store.
        run_id: the run to resume.

    Returns:
        True when the run now needs a new worker, False when its own worker carries on.

    Raises:
        RunNotFound: no such run.
        Conflict: the run's status does not allow a resume (``app.rules``' message).
    """
    run = store.get_run(run_id)
    check(run, Action.RESUME)
    store.request_status(run_id, "running")
    if pending_end(run) is not None:
        return False
    store.set_status(run_id, "queued")
    return True


def spawn_worker(
    store_url: str, run_id: int, *, settings: LoopSettings | None = None, daemon: bool = True
) -> BaseProcess:
    """Start a worker process that trains ``run_id`` from its latest checkpoint.

    Args:
        store_url: the run store's URL.
        run_id: the run to train.
        settings: loop timing knobs passed to the worker.
        daemon: daemonic workers get SIGTERM (and so pause) when this process exits.

    Returns:
        The started process.
    """
    process = _SPAWN.Process(
        target=worker_main,
        args=(store_url, run_id, settings),
        name=f"gridlab-run-{run_id}",
        daemon=daemon,
    )
    process.start()
    return process


def start_run(store_url: str, spec: RunSpec) -> int:
    """Create a run for ``spec`` and start a worker process for it right away.

    The process is not tracked by any pool (no concurrency limit); a crash shows once
    ``mark_stale_runs`` runs. Applications use ``TrainingPool.submit``.

    Args:
        store_url: the run store's URL.
        spec: a validated run spec.

    Returns:
        The new run's id.
    """
    store = RunStore(store_url)
    try:
        run_id = create_run(store, spec)
    finally:
        store.close()
    spawn_worker(store_url, run_id, daemon=False)
    return run_id


def _pid_alive(pid: int) -> bool:
    """Return whether a process with this id exists on this machine."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class TrainingPool:
    """Runs training workers, at most ``max_workers`` at once, and reaps them."""

    def __init__(
        self,
        store_url: str,
        max_workers: int | None = None,
        *,
        settings: LoopSettings | None = None,
        adopt: bool = True,
        reap_seconds: float = 0.5,
    ) -> None:
        """Start the reaper thread and, with ``adopt``, the runs left queued in the store.

        Args:
            store_url: the run store's URL.
            max_workers: concurrency limit (default: ``os.cpu_count()``).
            settings: loop timing knobs passed to every worker.
            adopt: take over the store's queued runs and mark runs whose worker process on
                this machine is gone as crashed.
            reap_seconds: longest the reaper sleeps between checks.
        """
        self.store_url = store_url
        self.max_workers = max(1, max_workers or os.cpu_count() or 1)
        self.settings = settings
        self._store = RunStore(store_url)
        self._processes: dict[int, BaseProcess] = {}
        self._queue: deque[int] = deque()
        self._lock = threading.RLock()
        self._closing = threading.Event()
        self._reap_seconds = reap_seconds
        if adopt:
            self._adopt()
        self._reaper = threading.Thread(
            target=self._reap_forever, name="gridlab-reaper", daemon=True
        )
        self._reaper.start()

    def __enter__(self) -> TrainingPool:
        """Return the pool (``shutdown()`` runs on exit)."""
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Pause every worker and stop the reaper."""
        self.shutdown()

    # -- public API -------------------------------------------------------------------

    def submit(self, spec: RunSpec) -> int:
        """Create a run for ``spec``; start it now if a slot is free, else queue it.

        Args:
            spec: a validated run spec.

        Returns:
            The new run's id.

        Raises:
            Conflict: the pool is shut down.
        """
        with self._lock:
            self._check_open()
            run_id = create_run(self._store, spec)
            self._queue.append(run_id)
            self._fill()
        return run_id

    def resume(self, run_id: int) -> None:
        """Continue a paused, stopped, crashed or failed run from its latest checkpoint.

        A live run with a pending pause or stop keeps its worker; the request is cancelled.

        Args:
            run_id: the run to resume.

        Raises:
            RunNotFound: no such run.
            Conflict: ``app.rules`` refuses the resume, the worker that just ended the run
                has not exited yet, or the pool is shut down.
        """
        with self._lock:
            self._check_open()
            run = self._store.get_run(run_id)
            check(run, Action.RESUME)
            if not run.is_live and run_id in self._processes:
                raise Conflict(f"run {run_id}'s worker has not exited yet; try again")
            if prepare_resume(self._store, run_id):
                self._queue.append(run_id)
                self._fill()

    def running(self) -> list[int]:
        """Return the ids of the runs that have a live worker process in this pool."""
        with self._lock:
            return sorted(self._processes)

    def queued(self) -> list[int]:
        """Return the ids of the runs waiting for a free slot, in start order."""
        with self._lock:
            return list(self._queue)

    def shutdown(self, timeout: float = 4.0) -> None:
        """Pause every worker (checkpoint + ``paused``) and stop the reaper.

        Queued runs stay ``queued`` in the store; the next pool adopts them. A worker that
        has not exited ``timeout`` seconds after SIGTERM is killed and marked crashed (its
        run resumes from its last checkpoint).

        Args:
            timeout: seconds to wait for the workers to pause.
        """
        with self._lock:
            if self._closing.is_set():
                return
            self._closing.set()
            self._queue.clear()
            processes = dict(self._processes)
        for process in processes.values():
            if process.is_alive():
                process.terminate()  # SIGTERM: the worker checkpoints and pauses
        deadline = time.monotonic() + timeout
        for process in processes.values():
            process.join(max(0.0, deadline - time.monotonic()))
        for run_id, process in processes.items():
            if process.is_alive():
                process.kill()
                process.join()
                self._mark_crashed(run_id, f"worker did not pause within {timeout:g} s; killed")
        self._reaper.join()
        with self._lock:
            self._reap()
        self._store.close()

    # -- internals --------------------------------------------------------------------

    def _check_open(self) -> None:
        """Raise if the pool was shut down."""
        if self._closing.is_set():
            raise Conflict("the training pool is shut down")

    def _adopt(self) -> None:
        """Queue the store's queued runs (oldest first); mark orphans here as crashed."""
        host = socket.gethostname()
        for run in reversed(self._store.list_runs()):
            if run.status == "queued":
                self._queue.append(run.id)
            elif (
                run.status == "running"
                and run.host == host
                and run.pid is not None
                and not _pid_alive(run.pid)
            ):
                self._mark_crashed(run.id, f"worker process {run.pid} is gone")
        self._fill()

    def _fill(self) -> None:
        """Start queued runs while slots are free (caller holds the lock)."""
        while self._queue and len(self._processes) < self.max_workers:
            run_id = self._queue.popleft()
            self._processes[run_id] = spawn_worker(self.store_url, run_id, settings=self.settings)

    def _reap_forever(self) -> None:
        """Reaper thread: wake when a worker exits (or periodically), reap, refill."""
        while not self._closing.is_set():
            with self._lock:
                sentinels = [p.sentinel for p in self._processes.values()]
            wait(sentinels, timeout=self._reap_seconds)
            with self._lock:
                if self._closing.is_set():
                    return
                try:
                    self._reap()
                    self._fill()
                except Exception:
                    log.exception("reaping training workers failed")

    def _reap(self) -> None:
        """Forget exited workers; a run one left live is marked crashed (caller holds lock)."""
        for run_id, process in list(self._processes.items()):
            if process.is_alive():
                continue
            process.join()
            del self._processes[run_id]
            code = process.exitcode
            how = f"killed by signal {-code}" if code is not None and code < 0 else f"code {code}"
            self._mark_crashed(run_id, f"worker process {process.pid} exited ({how})")

    def _mark_crashed(self, run_id: int, reason: str) -> None:
        """Mark the run crashed if it is still recorded as live."""
        if self._store.get_run(run_id).is_live:
            self._store.set_status(
                run_id,
                "crashed",
                error=f"{reason} without recording its end; resume continues from the"
                " latest checkpoint",
            )
