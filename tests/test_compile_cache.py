"""The compiled mode's caches: bounded, least recently used, shared safely by threads."""

from __future__ import annotations

import gc
import math
import sys
import threading

import pytest

from autograd import compile as jit_module
from autograd.cache import LRU
from autograd.compile import Program, jit


def test_lru_drops_the_least_recently_used():
    cache: LRU[str] = LRU(2)
    cache.put("a", "A")
    cache.put("b", "B")
    assert cache.get("a") == "A"  # now b is the oldest used
    cache.put("c", "C")
    assert "b" not in cache and cache.get("a") == "A" and cache.get("c") == "C"
    with pytest.raises(ValueError, match="positive int"):
        LRU(0)


def test_lru_keeps_its_total_weight_under_the_limit():
    cache: LRU[int] = LRU(100, weight=10, weigh=lambda key, value: value)
    for key, value in [("a", 4), ("b", 4), ("c", 4)]:
        cache.put(key, value)
    assert "a" not in cache and len(cache) == 2
    cache.put("big", 50)  # heavier than the limit alone: kept, everything else dropped
    assert len(cache) == 1 and cache.get("big") == 50
    cache.put("big", 1)  # replacing an entry replaces its weight
    cache.put("d", 9)
    assert len(cache) == 2


def live_programs() -> int:
    gc.collect()
    return sum(isinstance(o, Program) for o in gc.get_objects())


def test_20000_static_values_stay_bounded_and_are_freed_with_the_function():
    before = live_programs()
    f = jit(lambda x, k: x * k + k, static=(1,), cache_size=16)
    for k in range(20_000):
        assert f(2.0, k) == 3.0 * k
    assert f.traces == 20_000
    assert len(f._structures) <= 16 and len(f._programs) <= 7 * 16
    assert len(jit_module._CACHE) <= jit_module.CACHE_PROGRAMS
    assert f(2.0, 19_999) == 3.0 * 19_999 and f.traces == 20_000  # recent: still cached
    assert f(2.0, 0) == 0.0 and f.traces == 20_001  # long unused: traced again
    del f
    assert live_programs() - before <= jit_module.CACHE_PROGRAMS


def test_four_threads_compile_at_once_with_a_full_cache(monkeypatch):
    monkeypatch.setattr(jit_module, "_CACHE", LRU(8))  # full after a few misses
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible
    start, errors = threading.Barrier(4), []

    def work(seed: int) -> None:
        start.wait()
        f = jit(lambda x, k: (x * k).tanh() * seed, static=(1,), cache_size=4)
        try:
            for k in range(300):
                assert f(2.0, k) == math.tanh(2.0 * k) * seed
        except BaseException as e:  # reported below, from the main thread
            errors.append(e)

    threads = [threading.Thread(target=work, args=(seed,)) for seed in range(1, 5)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(old)
    assert errors == []
    assert len(jit_module._CACHE) <= 8
