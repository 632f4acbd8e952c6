"""The byte format of one trajectory: its step columns, in one exact compressed blob.

A trajectory is a few named columns of equal length (one value per step), integer or float,
one value per step or a row of values per step (a 2-D column, e.g. a state's Q-values).
Each column is stored in the narrowest dtype that holds its values (float64 for floats:
nothing is rounded), split into byte planes (every value's first byte, then every second
byte, ...: neighbouring values share their high bytes, which compress well), and the
planes of every column are compressed together, once. A trajectory is short (at most a thousand
steps), so one stream costs a fraction of a column-by-column encoding (``blocks``, whose
choices per plane pay off over a run's long columns). The blob is a 4-byte header length, a
JSON header naming each column with its dtype and width (and ``"frame": "zstd"``), then the
planes in one zstd frame (``frames``); a header without ``frame`` (a trajectory stored before
zstd) is followed by a deflate (zlib) stream, which reads as ever.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Mapping

import numpy as np

from . import blocks, frames
from .errors import BatchError

HEADER = blocks.LENGTHS
"""The header length's struct."""


def encode(columns: Mapping[str, np.ndarray]) -> tuple[int, bytes]:
    """Return (steps, the blob) of a trajectory's columns.

    Args:
        columns: name to a 1-D or 2-D int or float array, every one with one entry (or row)
            per step.

    Returns:
        The number of steps and the bytes ``decode`` turns back into exactly the columns.

    Raises:
        BatchError: no columns, columns of different lengths, or one that is not a 1-D or
            2-D int or float array.
    """
    if not columns:
        raise BatchError("a trajectory has no columns")
    arrays = {name: np.asarray(values) for name, values in columns.items()}
    lengths = {len(array) for array in arrays.values()}
    if len(lengths) != 1:
        raise BatchError(f"a trajectory's columns differ in length ({sorted(lengths)})")
    planes, described = [], []
    for name, array in arrays.items():
        if array.ndim not in (1, 2) or array.dtype.kind not in "iuf":
            raise BatchError(f"trajectory column {name!r} is not a 1-D or 2-D array of numbers")
        flat = array.ravel()
        wide = array.dtype.kind == "f"
        dtype = blocks.FLOAT if wide else blocks.narrowest(flat.astype(np.int64))
        stored = np.ascontiguousarray(flat, dtype=dtype)
        planes.append(stored.view(np.uint8).reshape(len(stored), dtype.itemsize).T.tobytes())
        described.append([name, dtype.str, array.shape[1] if array.ndim == 2 else 0])
    header = json.dumps({"columns": described, "frame": "zstd"}).encode()
    body = frames.compress(b"".join(planes))
    return lengths.pop(), HEADER.pack(len(header)) + header + body


def decode(blob: bytes, steps: int) -> dict[str, np.ndarray]:
    """Return the columns of a blob from ``encode`` of ``steps`` steps.

    Returns:
        Name to an int64 or float64 array (2-D ones [steps, width]), in stored order.
    """
    (size,) = HEADER.unpack_from(blob)
    offset = HEADER.size + size
    header = json.loads(blob[HEADER.size : offset])
    inflate = frames.decompress if header.get("frame") == "zstd" else zlib.decompress
    data = inflate(blob[offset:])
    columns, at = {}, 0
    for name, dtype_text, width in header["columns"]:
        dtype = np.dtype(dtype_text)
        count = steps * max(width, 1)
        nbytes = count * dtype.itemsize
        planes = np.frombuffer(data, np.uint8, nbytes, at).reshape(dtype.itemsize, count)
        at += nbytes
        values = planes.T.copy().view(dtype).reshape(count)
        wide = values if dtype == blocks.FLOAT else values.astype(np.int64)
        columns[name] = wide.reshape(steps, width) if width else wide
    return columns
