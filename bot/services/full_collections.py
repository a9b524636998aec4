"""Full garbage collections held off while a large import keeps its lines in hand.

CPython runs a full collection each time the objects that survived grow by a quarter, and
each one walks every object alive, holding the event loop (and every thread) meanwhile.
An 80,000-line file keeps a few hundred thousand objects alive while it is imported, so the
last of those passes take 60–90 ms each: stalls for every user. The young generations are
still collected as usual, so cycles made and dropped meanwhile go at once; what reached the
oldest generation waits for the first full pass after the work, when its lines are gone.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

HELD_OFF = 1 << 30
"""The oldest generation's threshold while held: young collections never add up to it."""

_holders = 0
_oldest_threshold = 0


@contextmanager
def full_collections_held() -> Iterator[None]:
    """Around work that builds many long-lived objects; holders may overlap (two imports),
    and the usual threshold comes back when the last one is done."""
    global _holders, _oldest_threshold
    if _holders == 0:
        young, middle, _oldest_threshold = gc.get_threshold()
        gc.set_threshold(young, middle, HELD_OFF)
    _holders += 1
    try:
        yield
    finally:
        _holders -= 1
        if _holders == 0:
            young, middle, _ = gc.get_threshold()
            gc.set_threshold(young, middle, _oldest_threshold)
