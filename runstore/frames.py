"""Compressed frames: zstd at level 1, through one compressor and one decompressor per
thread (a zstandard context is not safe to share between threads, and making one per call
costs more than compressing a block's planes).

zstd replaced deflate (``zlib`` at level 1) for episode blocks and trajectories: on a
GridWorld run's planes it compresses in a fifth of the time and decompresses in a third,
into 4-5 % fewer bytes, and like zlib it releases the GIL while it works.
"""

from __future__ import annotations

import threading

import zstandard

LEVEL = 1
"""zstd's level: 3 saves 2 % more bytes for 10 % more time."""

_contexts = threading.local()


def compress(data: bytes) -> bytes:
    """Return ``data`` as one zstd frame (its size recorded, for ``decompress``)."""
    if not hasattr(_contexts, "compressor"):
        _contexts.compressor = zstandard.ZstdCompressor(level=LEVEL)
    return _contexts.compressor.compress(data)


def decompress(frame: bytes) -> bytes:
    """Return the bytes of one frame from ``compress``."""
    if not hasattr(_contexts, "decompressor"):
        _contexts.decompressor = zstandard.ZstdDecompressor()
    return _contexts.decompressor.decompress(frame)
