"""Pausing Python's cyclic garbage collector around work that allocates in bulk."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def cycle_collection_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector (reference counting goes on).

    Verifying a trail or moving a batch of cases allocates a dozen objects per entry or
    row, almost none in a cycle; the collector would otherwise walk them all again and
    again (measured: a third of verification's time, a quarter of a bulk recheck's). The
    few cycles made meanwhile are collected once it runs again.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
