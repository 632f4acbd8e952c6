"""RunStore: the run store's API over SQLite or PostgreSQL.

Each method opens one transaction and hands it to the topic module that does the work:
``runs``, ``jobs`` (claims, leases, fences; with ``events`` and ``revisions``), ``episodes``
(with ``batches`` and ``rollups``), ``series``, ``control``, ``checkpoints`` and ``export``.
Reading episodes, series, summaries and exports is ``store_reads.EpisodeReads``'s, which
``RunStore`` inherits: a fork's read through ``lineage`` (its parent's rows up to the fork;
``RunStore.lineage`` makes forks). Every write that changes a run bumps the
store's revision in its transaction; a worker's writes pass its ``claim`` and are fenced on
it (``LeaseLost``: nothing was written).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any

from sqlalchemy import Connection

from . import (
    batches,
    control,
    episodes,
    events,
    jobs,
    packs,
    revisions,
    runs,
    summaries,
    trajectories,
)
from .checkpoint_store import CheckpointMethods
from .engine import make_engine
from .errors import LeaseLost
from .experiment_store import Experiments
from .exploit_store import Exploits
from .jobs import HEARTBEAT_SECONDS, LEASE_SECONDS
from .lineage_store import Lineage
from .manage_store import Manage
from .migrate import prepare_schema
from .names_store import CheckpointNames
from .records import (
    Claim,
    Control,
    Owner,
    ParamChange,
    Run,
    RunEvent,
)
from .store_reads import EpisodeReads
from .trajectories import TrajectoryBatch


class RunStore(EpisodeReads, CheckpointMethods):
    """Every run, episode, parameter change, checkpoint and claim, in one SQL database.

    Safe to share between threads; hand it to another process and it travels as its URL
    and settings (the other process opens its own engine). Every method given a run id
    raises ``RunNotFound`` for an unknown one; every write given the owner's ``claim`` is
    fenced on it and raises ``LeaseLost`` (nothing written) when it no longer holds the run.
    """

    def __init__(
        self,
        url: str,
        lease_seconds: float = LEASE_SECONDS,
        heartbeat_seconds: float = HEARTBEAT_SECONDS,
    ) -> None:
        """Open (and if needed create or upgrade) the store at ``url``.

        Args:
            url: ``sqlite:///path/to/file.sqlite`` (created if missing) or
                ``postgresql+psycopg://user@host:port/db``.
            lease_seconds: how long the claims this store makes or renews last.
            heartbeat_seconds: how often its workers should renew them (less than that).

        Raises:
            SchemaVersionError: the database holds a newer schema version.
            InvalidQuery: not ``0 < heartbeat_seconds < lease_seconds``.
            StoreError: the URL is invalid or the database cannot be opened.
        """
        self.url = url
        self.lease_seconds, self.heartbeat_seconds = jobs.settings(lease_seconds, heartbeat_seconds)
        self._engine = make_engine(url)
        self._rollup_upsert = packs.upsert_statement(self._engine.dialect.name)
        self._insert_episodes = episodes.upsert_statement(self._engine.dialect.name)
        try:
            prepare_schema(self._engine, url)
        except BaseException:
            self._engine.dispose()
            raise
        self.experiments = Experiments(self)
        """Experiments (sweeps) and their trials' runs."""
        self.lineage = Lineage(self)
        """Forks at checkpoints and their trees (a fork reads its parent's episodes)."""
        self.exploits = Exploits(self)
        """Population-based training's exploits (its lineage)."""
        self.manage = Manage(self)
        """Names, tags, notes, archiving and deleting of runs."""
        self.names = CheckpointNames(self)
        """Names of checkpoints (asked of a run's worker, or given to the latest)."""

    def __reduce__(self) -> tuple[type[RunStore], tuple[str, float, float]]:
        """Pickle as the URL and settings: the unpickled store opens its own engine."""
        return type(self), (self.url, self.lease_seconds, self.heartbeat_seconds)

    def __repr__(self) -> str:
        return f"RunStore({self.url!r})"

    def close(self) -> None:
        """Release the store's database connections."""
        self._engine.dispose()

    def _write(
        self, run_id: int | None = None, claim: Claim | None = None
    ) -> AbstractContextManager[Connection]:
        """Return a write transaction context that changes run ``run_id`` (see ``jobs.writing``)."""
        return jobs.writing(self._engine, run_id, claim, self.lease_seconds)

    # -- runs -------------------------------------------------------------------------

    def create_run(
        self,
        *,
        name: str,
        env_id: str,
        env_config: Mapping[str, Any],
        hyperparams: Mapping[str, Any],
        seed: int,
        target_episodes: int,
        spec: Mapping[str, Any],
        auto_resume: bool = False,
        owner: Owner | None = None,
    ) -> int:
        """Record a new run, ``queued``; return its id.

        With ``owner`` the run is created already claimed by it, in the same transaction
        (so no other worker takes it first): its claim is ``Claim(id, 1, owner.label)``.
        ``auto_resume``: a worker takes the run over once its owner's lease ended.
        """
        fields = {
            "name": name,
            "env_id": env_id,
            "env_config": env_config,
            "hyperparams": hyperparams,
            "seed": seed,
            "target_episodes": target_episodes,
            "spec": spec,
            "auto_resume": bool(auto_resume),
        }
        with self._write() as conn:
            return jobs.create(conn, fields, owner, self.lease_seconds)

    def get_run(self, run_id: int) -> Run:
        """Return the run with id ``run_id``, with its effective status (a run whose
        owner's lease ended reads ``crashed``).
        """
        with self._read() as conn:
            return runs.fetch(conn, run_id)

    def list_runs(self, experiment_id: int | None = None) -> list[Run]:
        """Return every run (or every run of experiment ``experiment_id``), newest first,
        with its effective status."""
        with self._read() as conn:
            return runs.list_all(conn, experiment_id)

    def delete_run(self, run_id: int) -> None:
        """Delete a run with everything recorded for it (its worker's next write fails).

        Raises:
            RunHasForks: runs were forked from it (delete them first).
        """
        self.manage.delete(run_id)

    def set_status(
        self,
        run_id: int,
        status: str,
        *,
        error: str | None = None,
        pid: int | None = None,
        host: str | None = None,
        claim: Claim | None = None,
    ) -> None:
        """Record a run's new status (``running`` stamps the start, pid and host; the
        others but ``queued`` stamp ``finished_at``; a request it settles is cleared).
        With ``claim``: the owner's write (not ``running``: it lets go, as ``release``).
        Without: a control write, which leaves the run without an owner.

        Raises:
            InvalidQuery: unknown status.
            ClaimRefused: no claim, and a live worker holds the run.
        """
        with self._write(run_id, claim) as conn:
            jobs.set_status(conn, run_id, status, error, pid, host, claimed=claim is not None)

    def add_warning(self, run_id: int, warning: str, *, claim: Claim | None = None) -> None:
        """Append a warning to the run (shown by the dashboard, kept with the run)."""
        with self._write(run_id, claim) as conn:
            runs.add_warning(conn, run_id, warning)

    # -- claims and leases ------------------------------------------------------------

    def claim_next(self, owner: Owner) -> Claim | None:
        """Claim the oldest claimable run for ``owner``: a queued one, or an ``auto_resume``
        one whose owner's lease ended (a 'crashed' event, then 'resumed' or 'claimed').
        Return the claim, or None (then it was a read, whatever the number of runs)."""
        with self._read() as conn:
            if not jobs.has_claimable(conn):
                return None
        with self._write() as conn:
            return jobs.claim_next(conn, owner, self.lease_seconds)

    def claim_run(self, run_id: int, owner: Owner) -> Claim:
        """Claim this run for ``owner``: queued, paused, stopped, failed or crashed (also
        a run whose owner's lease ended).

        Raises:
            ClaimRefused: it is finished, or a live worker holds it (the message says).
        """
        with self._write(run_id) as conn:
            return jobs.claim_run(conn, run_id, owner, self.lease_seconds)

    def renew_lease(self, claim: Claim) -> bool:
        """Extend the claim's lease and heartbeat; return False if it no longer holds the run."""
        try:
            with self._write(claim.run_id, claim):
                return True
        except LeaseLost:
            return False

    def release(
        self, claim: Claim, status: str, *, error: str | None = None, event: str | None = None
    ) -> None:
        """Let go of the run with its last status: finished, paused, stopped, error, or
        queued (back in the queue); ``event="interrupted"`` records a graceful stop.

        Raises:
            InvalidQuery: another status or event.
        """
        with self._write(claim.run_id, claim) as conn:
            jobs.release(conn, claim, status, error, event)

    def requeue(self, run_id: int) -> None:
        """Put a paused, stopped, failed or crashed run back in the queue for a worker to
        claim (clears its error and requests); a queued run stays queued.

        Raises:
            ClaimRefused: it is finished, or a live worker holds it.
        """
        with self._write(run_id) as conn:
            jobs.requeue(conn, run_id)

    def events(self, run_id: int) -> list[RunEvent]:
        """Return the run's claimed/resumed/interrupted/crashed events, oldest first."""
        with self._read() as conn:
            return events.query(conn, run_id)

    def revision(self) -> int:
        """Return the store's revision: it grows with every write and every lease that
        ends, and costs one lookup (an idle page polls it)."""
        with self._read() as conn:
            return revisions.current(conn)

    def run_revision(self, run_id: int) -> int:
        """Return the run's revision (``Run.revision``): it grows with every change of it."""
        with self._read() as conn:
            return revisions.of_run(conn, run_id)

    # -- episodes ---------------------------------------------------------------------

    def append_episodes(
        self,
        run_id: int,
        rows: Sequence[Mapping[str, Any]],
        *,
        claim: Claim | None = None,
        steps: TrajectoryBatch | None = None,
    ) -> None:
        """Write a batch of consecutive episodes (dicts keyed by ``EPISODE_FIELDS``, the
        first right after the run's last) with their rollups, the run's progress and its
        heartbeat (with ``claim``: its lease renewed), and the trajectories of some of
        them (``steps``; see ``trajectories``), in one transaction.

        Raises:
            BatchError: a gap, a duplicate, a missing field or a non-finite value (the
                message names the episode and field), or a trajectory that is not of the
                batch's episodes; nothing of the batch is written.
        """
        if rows:
            self._append(run_id, batches.columns_of(run_id, rows), claim, steps)

    def append_columns(
        self,
        run_id: int,
        columns: Mapping[str, Any],
        *,
        claim: Claim | None = None,
        steps: TrajectoryBatch | None = None,
    ) -> None:
        """Write a batch of consecutive episodes given as columns, as ``append_episodes``
        writes rows (with the trajectories ``steps``): each of ``EPISODE_FIELDS`` to its
        values in episode order (numpy arrays, or sequences; ``action_counts`` a 2-d array
        of one row per episode, or one sequence per episode). The arrays must not change
        until it returns.

        Raises:
            BatchError: as ``append_episodes``; nothing of the batch is written.
        """
        if any(len(values) for values in columns.values()):
            self._append(run_id, batches.checked_columns(run_id, columns), claim, steps)

    def _append(
        self,
        run_id: int,
        columns: batches.Columns,
        claim: Claim | None,
        steps: TrajectoryBatch | None,
    ) -> None:
        """Write a checked batch and its trajectories (both checked before the write lock
        is taken) in one transaction."""
        recorded = (
            [] if steps is None else trajectories.encoded_rows(run_id, columns["episode"], steps)
        )
        episodes.ready_to_pack()
        with self._write(run_id, claim) as conn:
            episodes.append(
                conn, run_id, columns, insert=self._insert_episodes, upsert=self._rollup_upsert
            )
            summaries.advance(conn, run_id, columns)
            if steps is not None:
                trajectories.write(conn, run_id, recorded, steps.keep_last)

    def truncate_episodes(
        self, run_id: int, after_episode: int, *, claim: Claim | None = None
    ) -> None:
        """Delete the run's episodes after ``after_episode`` (and later checkpoints and
        trajectories), and rebuild the rollup blocks they touched from the episodes that
        remain."""
        episodes.ready_to_pack()
        with self._write(run_id, claim) as conn:
            episodes.truncate(conn, run_id, after_episode)
            summaries.rebuild(conn, run_id)
            trajectories.truncate(conn, run_id, after_episode)

    # -- control rows -----------------------------------------------------------------

    def request_params(
        self, run_id: int, changes: Mapping[str, Any], source: str
    ) -> list[ParamChange]:
        """Queue hyperparameter changes (name to value, validated by the caller) asked by
        ``source`` ("ui", "api" or "cli") for the run's worker's next episode; return the
        pending change rows.

        Raises:
            InvalidQuery: unknown source or no changes.
        """
        with self._write(run_id) as conn:
            return control.request_params(conn, run_id, changes, source)

    def take_pending_params(
        self, run_id: int, episode: int, *, claim: Claim | None = None
    ) -> list[ParamChange]:
        """Mark the run's pending changes applied at ``episode`` and fold them into its
        current parameters; return them (oldest first; a later change to the same
        parameter wins)."""
        with self._write(run_id, claim) as conn:
            return control.take_pending_params(conn, run_id, episode)

    def param_changes(self, run_id: int) -> list[ParamChange]:
        """Return every parameter change of the run, oldest first."""
        with self._read() as conn:
            return control.param_changes(conn, run_id)

    def request_status(self, run_id: int, status: str) -> None:
        """Ask the run's worker to move to ``status`` ("running", "paused" or "stopped").

        Raises:
            InvalidQuery: a status that cannot be requested.
        """
        with self._write(run_id) as conn:
            control.request_status(conn, run_id, status)

    def poll_control(self, run_id: int) -> Control:
        """Return the requested status, the number of pending changes and the requested
        checkpoint's name, in one query."""
        with self._read() as conn:
            return control.poll(conn, run_id)
