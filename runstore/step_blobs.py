"""The byte format of one trajectory: its step columns, each an exact compressed blob.

A trajectory is a few named columns of equal length (one value per step), integer or float,
one value per step or a row of values per step (a 2-D column, e.g. a state's Q-values).
Each column is encoded as ``blocks.encode`` encodes an episode field (a constant column is
one value; nothing is rounded), a 2-D one column of the rows by column of the values, end
to end. The blob is a 4-byte header length, a JSON header naming each column with its codec,
width and byte size, then the columns' blobs in that order.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

import numpy as np

from . import blocks
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
    lengths = {len(np.asarray(values)) for values in columns.values()}
    if len(lengths) != 1:
        raise BatchError(f"a trajectory's columns differ in length ({sorted(lengths)})")
    parts, described = [], []
    for name, values in columns.items():
        array = np.asarray(values)
        if array.ndim not in (1, 2) or array.dtype.kind not in "iuf":
            raise BatchError(f"trajectory column {name!r} is not a 1-D or 2-D array of numbers")
        codec = "float" if array.dtype.kind == "f" else "int"
        width = 0 if array.ndim == 1 else array.shape[1]
        blob = blocks.encode(codec, (array.T.ravel() if width else array).tolist())
        described.append([name, codec, width, len(blob)])
        parts.append(blob)
    header = json.dumps({"columns": described}).encode()
    return lengths.pop(), HEADER.pack(len(header)) + header + b"".join(parts)


def decode(blob: bytes, steps: int) -> dict[str, np.ndarray]:
    """Return the columns of a blob from ``encode`` of ``steps`` steps.

    Returns:
        Name to an int64 or float64 array (2-D ones [steps, width]), in stored order.
    """
    (size,) = HEADER.unpack_from(blob)
    offset = HEADER.size + size
    columns = {}
    for name, codec, width, length in json.loads(blob[HEADER.size : offset])["columns"]:
        part = blob[offset : offset + length]
        offset += length
        count = steps * max(width, 1)
        if codec == "float":
            values = blocks.decode_array(part, count)
        else:
            values = np.asarray(blocks.decode(codec, part, count), np.int64)
        columns[name] = values.reshape(width, steps).T.copy() if width else values
    return columns
