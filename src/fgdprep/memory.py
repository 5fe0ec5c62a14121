"""Freed memory goes back to the system (glibc), so a long run's memory stays flat.

glibc serves an allocation below its mmap threshold from its heaps (one per thread), and
raises that threshold (up to 32 MB) each time a larger block is freed. A transcription
window's arrays (a few to 40 MB each: the window's audio, its level, its features) then end
up in heaps that keep their freed pages: on the 60-minute bench the memory held grew by
~150 MB with every 10-minute window, to 3 GB. :func:`trim` after each window hands the free
pages of every heap back (glibc's ``malloc_trim``: a few milliseconds). Elsewhere (macOS,
Windows, musl) it does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import sys
from collections.abc import Callable


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim: Callable[[int], int] = libc.malloc_trim
    except (OSError, AttributeError):
        return None
    return trim


def trim() -> bool:
    """Hand the free pages of the C heaps back to the system; False where there is no
    glibc (nothing done)."""
    malloc_trim = _malloc_trim()
    if malloc_trim is None:
        return False
    malloc_trim(0)
    return True
