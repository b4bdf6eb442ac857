"""A bounded, thread-safe least-recently-used cache (the compiled mode's trace and program caches).

Lookups and insertions are O(1) (an ordered dict, moved to the end on use); past ``size``
entries, or past ``weight`` in total (each entry weighs what ``weigh`` says, e.g. its
nodes), the least recently used entries are dropped. One lock guards each cache, so
threads may share it; the values are computed outside the lock.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

from .scalar import positive_int

V = TypeVar("V")


class LRU(Generic[V]):
    """At most ``size`` entries weighing at most ``weight`` together, the oldest used dropped."""

    def __init__(self, size: int, weight: float = float("inf"),
                 weigh: Callable[[Any, V], float] = lambda key, value: 0) -> None:
        self.size, self.weight, self._weigh = positive_int("cache size", size), weight, weigh
        self._items: OrderedDict[Hashable, tuple[V, float]] = OrderedDict()
        self._total = 0.0
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> V | None:
        """The value of ``key`` (now the most recently used), or None."""
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            self._items.move_to_end(key)
            return item[0]

    def put(self, key: Hashable, value: V) -> V:
        """Store ``value`` under ``key``, dropping the least recently used past the limits."""
        weight = self._weigh(key, value)
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._total -= old[1]
            self._items[key] = (value, weight)
            self._total += weight
            while len(self._items) > 1 and (len(self._items) > self.size
                                            or self._total > self.weight):
                self._total -= self._items.popitem(last=False)[1][1]
        return value

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: Hashable) -> bool:
        return key in self._items

    def clear(self) -> None:
        """Drop every entry."""
        with self._lock:
            self._items.clear()
            self._total = 0.0
