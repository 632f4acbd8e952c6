"""numba's on-disk cache for the compiled kernel, kept honest across its files.

numba keys a cached function on its own file alone (its modification time and size): a
function cached beside an unchanged file keeps the machine code of callees it compiled in,
from other files, after those change. ``refresh`` closes that gap: it keeps a digest of
every file the cached functions compile from beside their cache, and empties their caches
when the digest changes, so the next call compiles them anew (once) from what is on disk.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from numba import njit

log = logging.getLogger(__name__)


def cached(function: Callable[..., Any]) -> Any:
    """Return ``function`` compiled without the GIL, its machine code cached on disk where
    that is possible.

    numba's own choice of folder: ``NUMBA_CACHE_DIR`` when set, else ``__pycache__`` beside
    the function's file when it is writable (a source checkout), else the user's cache
    folder (``~/.cache/numba``: a read-only install). With none of them writable, every
    process compiles the kernel anew (a warning says so) instead of failing.

    Returns:
        The numba dispatcher.
    """
    try:
        return njit(cache=True, nogil=True)(function)
    except RuntimeError as exc:  # numba found no writable cache folder
        log.warning("compiling the training kernel without a cache: %s", exc)
        return njit(nogil=True)(function)


def sources_digest(files: Iterable[Path]) -> str:
    """Return the SHA-256 of the files' names and contents, in the order given."""
    digest = hashlib.sha256()
    for file in files:
        digest.update(file.name.encode() + b"\0" + file.read_bytes() + b"\0")
    return digest.hexdigest()


def refresh(dispatchers: Iterable[Any], files: Iterable[Path], stamp_name: str) -> bool:
    """Empty the on-disk caches of ``dispatchers`` (from ``cached``, none called yet) unless
    the digest of ``files`` (every file they compile from) is the one stamped beside them
    in ``stamp_name``; stamp the current one.

    Returns:
        Whether any cache was emptied (never when nothing is cached on disk). Where the
        stamp cannot be written, a warning says so and every import empties the caches.
    """
    dispatchers, digest = list(dispatchers), sources_digest(files)
    folders = {d.stats.cache_path for d in dispatchers if d.stats.cache_path is not None}
    emptied = False
    for folder in folders:
        stamp = Path(folder) / stamp_name
        try:
            if stamp.read_text() == digest:
                continue
        except OSError:
            pass  # no stamp yet: a new cache, or one from before the stamp existed
        for dispatcher in dispatchers:
            if dispatcher.stats.cache_path == folder:
                dispatcher._cache.flush()  # numba's own Dispatcher.recompile does this
        emptied = True
        try:
            Path(folder).mkdir(parents=True, exist_ok=True)
            written = stamp.with_name(f"{stamp.name}.{os.getpid()}")
            written.write_text(digest)
            written.replace(stamp)  # atomic: a process importing meanwhile reads either
        except OSError as exc:
            log.warning("the training kernel's cache stamp %s is not writable: %s", stamp, exc)
    return emptied
