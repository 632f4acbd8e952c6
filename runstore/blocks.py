"""Episode blocks: the byte format of a run's episodes, a thousand at a time, field by field.

A block holds up to ``BLOCK`` consecutive episodes of one run; each of their fields is one
blob, so a series reads one field of a block without the others. A blob starts with a kind
byte and a dtype byte:

- ``c`` (constant): every value is the same; the blob holds it once (``alpha`` and ``gamma``
  most of a run, ``epsilon`` once at its floor).
- ``Z``: the values in the narrowest dtype that holds them all (float64 for floats), split
  into byte planes (every value's first byte, then every second byte, ...). Neighbouring
  values share their sign, exponent and high bytes, whose planes compress well; planes that
  would shrink by less than a fifth (a float's low mantissa bytes, mostly noise) are kept
  as they are, which makes reading them a copy. A mask byte says which planes are kept
  raw; they come first, then one zstd frame (``frames``) of the others.
- ``P`` (palette: floats of at most ``PALETTE_MOST`` distinct values, such as a grid's
  returns): a byte giving their number less one, the values in the order they first appear,
  then one zstd frame of each value's index among them (a byte each).
- ``z`` and ``p``: as ``Z`` and ``P`` with a deflate (zlib) stream instead of the frame, as
  blocks were written before zstd (by schema 11 and earlier); they read as ever, and are
  never written.
- ``d`` (integers that never decrease, such as ``env_steps``): the first value, then the
  differences, encoded again.
- ``f`` (floats of codec ``rising`` whose bit patterns never decrease, such as a run's wall
  times): the patterns as 64-bit integers, encoded as ``d``. A rising clock's low mantissa
  bytes are noise as planes, but its steps between neighbours take a few bits each.

Nothing is rounded: every float reads back bit for bit (the sign of a zero too), every
integer as written. ``action_counts`` (a list of integers per episode, lists of any length)
is two encoded columns: the lengths, then the values end to end.
"""

from __future__ import annotations

import functools
import struct
import zlib
from collections.abc import Callable, Sequence
from itertools import accumulate
from typing import Any

import numpy as np

from . import frames

BLOCK = 1000
"""Episodes per block: block ``k`` of a run holds episodes ``k*BLOCK+1 .. (k+1)*BLOCK``."""
CONSTANT, PACKED, PALETTE, DELTA, RISING = b"c", b"Z", b"P", b"d", b"f"
DEFLATED = {b"z": PACKED, b"p": PALETTE}
"""The kinds written before zstd, each to the kind it is but for its deflate stream."""
INT_TYPES = tuple(
    np.dtype(code) for code in ("<u1", "<i1", "<u2", "<i2", "<u4", "<i4", "<u8", "<i8")
)
FLOAT = np.dtype("<f8")
TYPES = {dtype.char.encode(): dtype for dtype in (*INT_TYPES, FLOAT)}
"""The dtypes a blob may use, by the byte that names them."""
LENGTHS = struct.Struct("<I")
RAW_SHARE = 0.8
"""A byte plane is compressed only if that takes it below this share of its size: reading a
raw plane is a copy, and decompressing costs more than a fifth of a plane saves."""
PALETTE_MOST = 64
"""The most distinct values a float column's palette holds: a few (a grid's returns, its
mean absolute TD errors) take a fifth of the bytes of packed planes and a third of the
time; past this, the planes win."""
NOISE_BITS, PATTERN_BITS = 7.2, 6.5
"""Entropies (bits of information per byte, of 8) that decide most planes without
compressing them: above ``NOISE_BITS`` a plane is noise (raw); below ``PATTERN_BITS`` it
compresses well. A plane in between may still repeat patterns the compressor finds (a
counter's low bytes): it is compressed on trial. (Both were tuned with zlib, before zstd.)"""


CODECS = ("float", "rising", "int", "lists")
"""What a column holds: floats, floats that mostly rise (a clock), integers, or lists of
integers."""


def encode(codec: str, values: Sequence[Any]) -> bytes:
    """Return the blob of one column.

    Args:
        codec: one of ``CODECS``.
        values: the column's values (floats, 64-bit integers or lists of them: a sequence
            of sequences, or a 2-d array of one row per value).

    Returns:
        Bytes that ``decode`` turns back into exactly ``values``.

    Raises:
        OverflowError: an integer does not fit in 64 bits (``batches`` refuses those first).
    """
    if codec == "float":
        return _pack(np.asarray(values, dtype=FLOAT))
    if codec == "rising":
        floats = np.ascontiguousarray(values, dtype=FLOAT)
        bits = floats.view(np.int64)
        return RISING + _encode_ints(bits) if _rises(bits) else _pack(floats)
    if codec == "int":
        return _encode_ints(np.asarray(values, dtype=np.int64))
    if isinstance(values, np.ndarray):
        lengths = _encode_ints(np.full(len(values), values.shape[1], dtype=np.int64))
        flat = _encode_ints(values.astype(np.int64, copy=False).ravel())
    else:
        lengths = _encode_ints(np.asarray([len(value) for value in values], dtype=np.int64))
        flat = _encode_ints(
            np.asarray([item for value in values for item in value], dtype=np.int64)
        )
    return LENGTHS.pack(len(lengths)) + lengths + flat


def decode(codec: str, blob: bytes, count: int) -> list[Any]:
    """Return the ``count`` values of a blob from ``encode`` (Python floats, ints or lists)."""
    if codec != "lists":
        return _decode(blob, count).tolist()
    (size,) = LENGTHS.unpack_from(blob)
    lengths = _decode(blob[LENGTHS.size : LENGTHS.size + size], count).tolist()
    flat = _decode(blob[LENGTHS.size + size :], sum(lengths)).tolist()
    ends = accumulate(lengths)
    return [flat[end - length : end] for end, length in zip(ends, lengths, strict=True)]


def decode_array(blob: bytes, count: int) -> np.ndarray:
    """Return the ``count`` values of a float or int blob as a float64 array (for sums)."""
    return _decode(blob, count).astype(FLOAT, copy=False)


def _encode_ints(array: np.ndarray) -> bytes:
    """Return the blob of an int64 array: differences if it never decreases, else packed."""
    if _rises(array):
        # np.diff wraps around past 64 bits, and so does the cumulative sum that undoes it
        return DELTA + array[:1].tobytes() + _pack(np.diff(array))
    return _pack(array)


def _rises(array: np.ndarray) -> bool:
    """Return whether an int64 array never decreases and ends above where it starts."""
    return len(array) > 1 and array[0] != array[-1] and bool((array[1:] >= array[:-1]).all())


def _pack(array: np.ndarray) -> bytes:
    """Return the constant, palette or packed blob of a float64 or int64 array."""
    dtype = FLOAT if array.dtype == FLOAT else narrowest(array)
    array = np.ascontiguousarray(array, dtype=dtype)
    from . import compiled  # here, not above: only a process that writes loads numba

    if dtype == FLOAT and len(array):
        distinct, indexes = compiled.palette(array.view(np.uint64), PALETTE_MOST)
        if len(distinct) == 1:
            return _constant(dtype, distinct.tobytes())
        if len(distinct):
            packed = frames.compress(indexes.tobytes())
            return (
                PALETTE
                + dtype.char.encode()
                + bytes([len(distinct) - 1])
                + distinct.tobytes()
                + packed
            )
    planes, entropies, same = compiled.split_planes(array.view(np.uint8), dtype.itemsize)
    if same and len(array):  # compared as bytes: -0.0 is not 0.0
        return _constant(dtype, array[:1].tobytes())
    raw = [
        bits > NOISE_BITS
        or (bits > PATTERN_BITS and len(frames.compress(plane)) > RAW_SHARE * len(plane))
        for bits, plane in zip(entropies.tolist(), planes, strict=True)
    ]
    mask = sum(1 << i for i, kept in enumerate(raw) if kept)
    kept = planes[[i for i, r in enumerate(raw) if r]].tobytes()
    rest = planes[[i for i, r in enumerate(raw) if not r]].tobytes()
    packed = frames.compress(rest) if rest else b""
    return PACKED + dtype.char.encode() + bytes([mask]) + kept + packed


def _constant(dtype: np.dtype, value: bytes) -> bytes:
    """Return the blob of a column whose every value is ``value`` (its bytes, of ``dtype``)."""
    return CONSTANT + dtype.char.encode() + value


def _decode(blob: bytes, count: int) -> np.ndarray:
    """Return the ``count`` values of a blob from ``_encode_ints`` or ``_pack``: float64 or
    int64."""
    kind = blob[:1]
    if kind == RISING:
        return _decode(blob[1:], count).view(FLOAT)
    if kind == DELTA:
        first = np.frombuffer(blob, np.int64, 1, 1)
        steps = _decode(blob[9:], count - 1) if count > 1 else first[:0]
        return np.cumsum(np.concatenate((first, steps)))
    dtype = TYPES[blob[1:2]]
    inflate = zlib.decompress if kind in DEFLATED else frames.decompress
    kind = DEFLATED.get(kind, kind)
    if kind == CONSTANT:
        array = np.full(count, np.frombuffer(blob, dtype, 1, 2)[0])
    elif kind == PALETTE:
        size = blob[2] + 1
        distinct = np.frombuffer(blob, dtype, size, 3)
        indexes = np.frombuffer(inflate(blob[3 + size * dtype.itemsize :]), np.uint8)
        array = distinct[indexes]
    else:
        array = _unpack(blob, dtype, count, inflate)
    return array if dtype == FLOAT else array.astype(np.int64)


def _unpack(
    blob: bytes, dtype: np.dtype, count: int, inflate: Callable[[bytes], bytes]
) -> np.ndarray:
    """Return the ``count`` values of a packed blob (kind, dtype and mask bytes first) whose
    compressed planes ``inflate`` restores."""
    if not count:
        return np.zeros(0, dtype)
    kept, order = _layout(blob[2], dtype.itemsize)
    end = 3 + kept * count
    data = blob[3:end] if kept == dtype.itemsize else blob[3:end] + inflate(blob[end:])
    planes = np.frombuffer(data, np.uint8).reshape(dtype.itemsize, count)
    if order is not None:
        planes = planes[order]
    return planes.T.copy().view(dtype).reshape(count)


@functools.cache
def _layout(mask: int, itemsize: int) -> tuple[int, list[int] | None]:
    """Return how many planes a mask keeps raw, and where each plane lies among the raw
    ones followed by the packed ones (None: in order)."""
    raw = [i for i in range(itemsize) if mask >> i & 1]
    stored = raw + [i for i in range(itemsize) if i not in raw]
    order = [stored.index(i) for i in range(itemsize)]
    return len(raw), None if order == list(range(itemsize)) else order


def narrowest(array: np.ndarray) -> np.dtype:
    """Return the narrowest integer dtype that holds every value of an int64 array."""
    if not len(array):
        return INT_TYPES[0]
    from . import compiled  # as in ``_pack``

    low, high = compiled.int_range(np.ascontiguousarray(array, dtype=np.int64))
    return next(dtype for dtype, least, most in _INT_BOUNDS if least <= low and high <= most)


_INT_BOUNDS = [(dtype, int(np.iinfo(dtype).min), int(np.iinfo(dtype).max)) for dtype in INT_TYPES]
"""Each of ``INT_TYPES`` with its least and greatest value, narrowest first."""
