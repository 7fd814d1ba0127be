"""Keeping glibc from holding on to the memory of freed tensors.

glibc's ``malloc`` serves a block above its *mmap threshold* with its own
``mmap`` and returns it to the system when freed, but after such a block is
freed it raises the threshold to that block's size (up to 32 MB). From then on
the NER's batch tensors (one to ten MB each) come from the ordinary heap, where
the small Python objects made between two batches pin them, and the heap only
grows: on a 20 MB document the process held about 250 MB more than it used.
Fixing the threshold (``mallopt(M_MMAP_THRESHOLD, ...)``) turns that adjustment
off, so every large tensor goes back to the system when torch frees it.

:func:`fix_mmap_threshold` does that once per process when a tagger is loaded,
on Linux with glibc only. A process whose environment sets glibc's own
``MALLOC_MMAP_THRESHOLD_`` keeps its setting; nothing else is changed.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import sys

logger = logging.getLogger(__name__)

#: ``M_MMAP_THRESHOLD`` of glibc's ``malloc.h``.
M_MMAP_THRESHOLD = -3
#: Blocks of at least this many bytes get their own mapping (glibc's starting value is 128 kB).
MMAP_THRESHOLD_BYTES = 1 << 20
#: glibc's environment variable for the same setting: when set, the user has chosen.
GLIBC_ENV = "MALLOC_MMAP_THRESHOLD_"

_done = False


def fix_mmap_threshold(threshold: int = MMAP_THRESHOLD_BYTES) -> bool:
    """Fix glibc's mmap threshold at ``threshold`` bytes (once per process); True if it is set now."""
    global _done
    if _done:
        return True
    if not sys.platform.startswith("linux") or GLIBC_ENV in os.environ:
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc (musl has no mallopt)
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    _done = mallopt(M_MMAP_THRESHOLD, threshold) == 1
    if _done:
        logger.debug("glibc mmap threshold fixed at %d bytes", threshold)
    return _done
