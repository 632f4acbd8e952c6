"""An experiment's runs over one window with the same bucket edges, and its group curves.

Every run is read over episodes 1 .. the longest target with the same bucket width
(``experiment_reads.run_rows``), so bucket ``k`` holds episodes ``k*b+1 .. (k+1)*b`` of every
run and a group's runs stack into one matrix (NaN where a run has not got to yet). A read
costs ``GROUP_POINTS`` buckets per run and metric, whatever the runs' length, and only the
runs that moved since the last read are read again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial

import numpy as np

from app.stats.bands import group_band
from app.stats.records import Band
from app.views.experiment_groups import Group
from app.views.experiment_reads import CURVE_METRICS, run_rows
from app.views.kept import Kept
from runstore import Run, RunStore

GROUP_POINTS = 150
"""Buckets over the longest target: a chart of five groups with bands stays a few dozen KB."""
_BANDS: Kept[Band] = Kept(1024)
"""Group bands computed lately, by their rows' contents, centre and band."""


@dataclass(frozen=True)
class Aligned:
    """An experiment's runs over one window, one row per run and one column per bucket."""

    bucket: int
    """Episodes per bucket: column ``k`` holds episodes ``k*bucket+1 .. (k+1)*bucket``."""
    run_ids: tuple[int, ...]
    """The runs, in row order."""
    matrices: Mapping[str, np.ndarray]
    """Metric (``CURVE_METRICS``) → float array [runs, buckets], NaN where a run has no
    value (not got there yet, or not evaluated yet)."""

    @property
    def buckets(self) -> int:
        """Return the number of columns."""
        return next(iter(self.matrices.values())).shape[1] if self.matrices else 0

    def starts(self) -> np.ndarray:
        """Return the first episode of each bucket."""
        return np.arange(self.buckets) * self.bucket + 1

    def rows(self, metric: str, runs: Sequence[Run]) -> np.ndarray:
        """Return the matrix rows of ``metric`` for ``runs`` (each one of ``run_ids``)."""
        index = {run_id: row for row, run_id in enumerate(self.run_ids)}
        return self.matrices[metric][[index[run.id] for run in runs]]


def window_end(runs: Sequence[Run]) -> int:
    """Return the window's last episode: the longest target (or progress) among ``runs``."""
    return max([1, *(max(run.target_episodes, run.episodes_done) for run in runs)])


def read_aligned(store: RunStore, runs: Sequence[Run], points: int = GROUP_POINTS) -> Aligned:
    """Read every curve metric of ``runs`` over one window with shared bucket edges.

    Args:
        store: the run store.
        runs: the runs (an experiment's).
        points: buckets over the window (its bucket width is the smallest nice one that fits).

    Returns:
        The runs' matrices of every ``CURVE_METRICS`` metric.

    Raises:
        RunNotFound: a run that moved was deleted meanwhile.
    """
    end = window_end(runs)
    read = [run_rows(store, run, end, points) for run in runs]
    bucket = read[0].bucket if read else 1
    width = (end - 1) // bucket + 1
    matrices = {
        metric: np.array([one.rows[metric] for one in read]).reshape(-1, width)
        for metric in CURVE_METRICS
    }
    return Aligned(bucket, tuple(run.id for run in runs), matrices)


@dataclass(frozen=True)
class GroupCurve:
    """One group's curve of one metric."""

    group: Group
    band: Band
    """Centre and band edges per bucket."""
    seeds: np.ndarray
    """The group's runs' rows [runs, buckets] (the thin per-seed lines)."""


def group_curves(
    aligned: Aligned, groups: Sequence[Group], metric: str, centre: str, band: str
) -> list[GroupCurve]:
    """Return each group's curve of ``metric`` with ``centre`` and ``band``
    (``app.stats``: ``CENTRES``, ``BANDS``).

    A group's band is kept under its rows' contents: the groups whose runs did not move
    since the last refresh are not bootstrapped again.
    """
    curves = []
    for group in groups:
        rows = aligned.rows(metric, group.runs)
        digest = hashlib.blake2b(rows.tobytes(), digest_size=16).digest()
        key = (rows.shape, digest, centre, band)
        found = _BANDS.get(key, partial(group_band, rows, centre, band))
        curves.append(GroupCurve(group, found, rows))
    return curves
