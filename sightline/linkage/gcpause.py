"""Pausing Python's cyclic garbage collector while a batch builds millions of objects, and
releasing freed memory after it. Pure.

Reading, normalising and clustering a million records creates tens of millions of small
dicts, lists and tuples. Each allocation burst triggers a collection pass, and the oldest
generation's passes scan the whole (growing) heap: at 1,000,000 demo records they more
than doubled the time to read and normalise (measured: read 11.8 s and normalise 37.7 s of
CPU with the collector, 7.8 s and 15.6 s without). None of these objects forms a
reference cycle, so reference counting frees them just the same; the collector is only
paused, and restored as it was on the way out.

The batch commands (``link-file``, ``train-linkage-model``, ``bench-linkage``'s runs)
pause it from reading the file to writing the result: between the paused steps a full
pass scanned every record read (1.3 s a pass at 1,000,000 records, one or two a run,
counted with ``gc.callbacks``). Splink's own objects may form cycles (sqlglot's syntax
trees); they wait for the command's end, and the peak measured no higher.
"""

import ctypes
import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Run the block without cyclic garbage collection (nested use is fine)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def release_free_memory() -> None:
    """Hand the C library's free heap memory back to the system (glibc's ``malloc_trim``;
    elsewhere nothing). After normalising a batch, the freed Python rows would otherwise
    stay in this process's resident memory while DuckDB, which allocates for itself,
    takes its own on top."""
    # The process's own symbols (libc's among them): ``ctypes.util.find_library`` would
    # run a child process, forking this large one.
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return
    trim(0)
