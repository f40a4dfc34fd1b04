"""How many memory arenas the C allocator keeps for the server's threads (glibc on Linux only).

glibc gives threads arenas of their own (up to 8 per core) so that they do not wait on one lock.
Each arena keeps what its threads freed, for them to use again. Gradio runs every request in one
of up to ``app.MAX_THREADS`` worker threads. So a network that ran in one thread leaves its
working memory held in that thread's arena, and the next network, run in another thread, takes
fresh memory beside it. The server's peak is then close to the sum of the tabs' peaks, not the
largest of them.

With two arenas, one for each core of the Space, freed memory is more often found again by the
next request. Measured with ``python -m playground.tour`` (48 tabs, two quiet tours each, glibc's
default restored with ``MALLOC_ARENA_MAX=16``): the peak fell from 1,591–1,596 MB to
1,510–1,519 MB. Pinning glibc's mmap threshold as well (256 KB) gave about 1,350 MB in a loaded
tour, but it made a live CNN training step 1.7× slower (34 → 58–64 ms): every large tensor then
costs fresh, zero-filled pages. So only the arena count is set.

This runs before the server starts its threads. The ``MALLOC_ARENA_MAX`` environment variable,
where it is set, takes precedence.
"""

from __future__ import annotations

import ctypes
import logging
import os
import sys

log = logging.getLogger("playground")

M_ARENA_MAX = -8  # glibc's malloc.h
SERVER_ARENAS = 2


def limit_arenas(count: int = SERVER_ARENAS) -> bool:
    """Let threads share at most ``count`` arenas from now on; False where this is not glibc (or the
    environment says otherwise)."""
    if not sys.platform.startswith("linux") or os.environ.get("MALLOC_ARENA_MAX"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt  # musl and other C libraries have no mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    applied = mallopt(M_ARENA_MAX, count) == 1
    if not applied:
        log.info("mallopt(M_ARENA_MAX, %d) was refused; threads keep glibc's default arenas", count)
    return applied
