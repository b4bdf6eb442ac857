"""Switches are per thread and per task: one thread's no_grad, anomaly mode or transform never
reaches another. Threads are driven step by step with Events, never with sleeps."""

from __future__ import annotations

import asyncio
import gc
import threading
import weakref
from collections.abc import Callable
from typing import Any

import pytest

from autograd import (
    AnomalyError,
    Value,
    detect_anomaly,
    enable_grad,
    gc_paused,
    grad,
    gradcheck,
    no_grad,
    topological_order,
    zero_grad,
)
from autograd.modes import current

TIMEOUT = 10  # seconds a step may wait for the other thread before the test fails


def _grad_of_square(at: float) -> float:
    x = Value(at)
    (x * x).backward()
    return x.grad


class Worker(threading.Thread):
    """Runs ``body(step)``; ``step(name)`` hands control back until ``go(name)`` is called."""

    def __init__(self, body: Callable[[Callable[[str], None]], Any]) -> None:
        super().__init__(daemon=True)
        self.body, self.result, self.error = body, None, None
        self._reached: dict[str, threading.Event] = {}
        self._go: dict[str, threading.Event] = {}

    def _events(self, name: str) -> tuple[threading.Event, threading.Event]:
        return self._reached.setdefault(name, threading.Event()), self._go.setdefault(
            name, threading.Event())

    def step(self, name: str) -> None:
        reached, go = self._events(name)
        reached.set()
        assert go.wait(TIMEOUT), f"never told to go on from {name!r}"

    def at(self, name: str) -> None:
        """Wait until the worker reaches ``name``."""
        assert self._events(name)[0].wait(TIMEOUT), f"worker never reached {name!r}"

    def go(self, name: str) -> None:
        self._events(name)[1].set()

    def run(self) -> None:
        try:
            self.result = self.body(self.step)
        except BaseException as error:  # reported by finish()
            self.error = error

    def finish(self) -> Any:
        self.join(TIMEOUT)
        assert not self.is_alive(), "worker hung"
        if self.error is not None:
            raise self.error
        return self.result


def test_no_grad_in_one_thread_leaves_another_recording():
    def body(step):
        with no_grad():
            step("inside")
            return _grad_of_square(3.0)  # no graph here: backward reaches no x

    a = Worker(body)
    a.start()
    a.at("inside")
    assert _grad_of_square(3.0) == 6.0  # this thread still records
    a.go("inside")
    assert a.finish() == 0.0


def test_overlapping_no_grad_blocks_in_two_threads_restore_each_their_own():
    def body(step):
        with no_grad():
            step("entered")
        step("exited")
        return current().record

    a, b = Worker(body), Worker(body)
    a.start()
    b.start()
    a.at("entered")
    b.at("entered")
    a.go("entered")  # a exits first, b last: the old bug left recording off for good
    a.at("exited")
    b.go("entered")
    b.at("exited")
    a.go("exited")
    b.go("exited")
    assert a.finish() is True and b.finish() is True
    assert current().record and _grad_of_square(2.0) == 4.0


def test_a_transform_in_one_thread_does_not_make_another_return_values():
    def body(step):
        def f(x):
            step("inside f")
            return x * x

        return grad(f)(5.0)

    a = Worker(body)
    a.start()
    a.at("inside f")
    result = grad(lambda y: y * y * y)(3.0)  # 27: a plain float, not a Value
    a.go("inside f")
    assert type(result) is float and result == 27.0
    assert a.finish() == 10.0


def test_anomaly_mode_in_one_thread_does_not_check_another():
    def body(step):
        with detect_anomaly():
            step("inside")
            with pytest.raises(AnomalyError):
                Value(1e308) * 10.0

    a = Worker(body)
    a.start()
    a.at("inside")
    assert (Value(1e308) * 10.0).data == float("inf")  # no AnomalyError here
    assert current().anomaly is None
    a.go("inside")
    a.finish()


def test_asyncio_tasks_each_have_their_own_mode():
    async def evaluating(entered: asyncio.Event, done: asyncio.Event) -> bool:
        with no_grad():
            entered.set()
            await done.wait()
        return current().record

    async def training(entered: asyncio.Event, done: asyncio.Event) -> float:
        await entered.wait()
        try:
            return _grad_of_square(4.0)
        finally:
            done.set()

    async def main() -> tuple[bool, float]:
        entered, done = asyncio.Event(), asyncio.Event()
        return await asyncio.gather(evaluating(entered, done), training(entered, done))

    assert asyncio.run(main()) == [True, 8.0]


def test_gc_paused_blocks_in_two_threads_are_counted():
    assert gc.isenabled()

    def body(step):
        with gc_paused():
            step("paused")
        return gc.isenabled()

    a, b = Worker(body), Worker(body)
    a.start()
    a.at("paused")
    b.start()
    b.at("paused")
    a.go("paused")
    assert a.finish() is False  # b's block is still open: the collector stays off
    assert not gc.isenabled()
    b.go("paused")
    assert b.finish() is True
    assert gc.isenabled()


def test_gc_paused_leaves_the_collector_off_if_it_was_off():
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_modes_restore_when_their_block_raises():
    with pytest.raises(RuntimeError), no_grad():
        raise RuntimeError
    assert current().record
    with no_grad():
        with pytest.raises(RuntimeError), enable_grad():
            raise RuntimeError
        assert not current().record
    with pytest.raises(RuntimeError), detect_anomaly():
        raise RuntimeError
    assert current().anomaly is None


def test_gradcheck_inside_no_grad_still_checks():
    with no_grad():
        result = gradcheck(lambda x: x * x, [3.0])
    assert result.passed and result.rows[0].analytic == 6.0


def test_anomaly_mode_holds_no_node_alive():
    with detect_anomaly():
        y = Value(2.0) * 3.0
        alive = weakref.ref(y)
        del y
        assert alive() is None  # freed by reference counting, inside the block


def test_anomaly_mode_still_names_where_a_node_was_made():
    x = Value(0.0)
    with detect_anomaly():
        y = x.sqrt()  # sqrt'(0) = inf
        with pytest.raises(AnomalyError, match=r"test_threads\.py"):
            y.backward()


def test_a_backward_in_another_block_names_where_the_node_was_made():
    x = Value(0.0)
    with detect_anomaly():
        with detect_anomaly():
            y = x.sqrt()  # made in the inner block
        with pytest.raises(AnomalyError, match=r"created at .*test_threads\.py.* in test_a_bac"):
            y.backward()  # run in the outer one
    with detect_anomaly():
        z = x.sqrt()
    with detect_anomaly(), pytest.raises(AnomalyError, match=r"created at .*test_threads\.py"):
        z.backward()  # a later block


def test_create_graph_cycle_is_broken_by_zero_grad():
    # x.grad holds the graph of dy/dx, which refers back to x: a cycle until grad is reset
    x = Value(3.0)
    (x * x).backward(create_graph=True)
    g = weakref.ref(x.grad)
    assert g() is not None and any(x in n.parents for n in topological_order(g()))
    zero_grad([x])
    assert g() is None  # freed by reference counting alone, no collection needed


@pytest.mark.parametrize("switch", [no_grad(), enable_grad(), detect_anomaly()])
def test_one_switch_instance_shared_by_two_threads_overlapping(switch):
    def body(step):
        with switch:
            step("entered")
        return current()

    a, b = Worker(body), Worker(body)
    a.start()
    a.at("entered")
    b.start()
    b.at("entered")
    a.go("entered")  # a leaves first, while b is still inside the same instance's block
    assert a.finish() == current()
    b.go("entered")
    assert b.finish() == current()


def test_one_switch_instance_shared_by_asyncio_tasks():
    switch = no_grad()

    async def task(entered: asyncio.Event, leave: asyncio.Event) -> bool:
        with switch:
            entered.set()
            await leave.wait()
        return current().record

    async def main() -> list[bool]:
        events = [(asyncio.Event(), asyncio.Event()) for _ in range(2)]
        tasks = [asyncio.create_task(task(*e)) for e in events]
        for entered, _ in events:
            await entered.wait()
        for _, leave in events:  # the first task in leaves first
            leave.set()
        return list(await asyncio.gather(*tasks))

    assert asyncio.run(main()) == [True, True]


def test_switches_decorate_functions_and_nest():
    @no_grad()
    def evaluate(x: Value) -> Value:
        return x * x

    @enable_grad()
    def train(x: Value) -> Value:
        return x * x

    x = Value(3.0)
    assert evaluate(x).parents == () and train(x).parents == (x, x)
    with no_grad():
        assert train(x).op == "*" and evaluate(x).op == ""
    assert current().record and evaluate.__name__ == "evaluate"

    @detect_anomaly()
    def blow_up(x: Value) -> Value:
        return x * 10.0

    with pytest.raises(AnomalyError, match=r"op '\*'"):
        blow_up(Value(1e308))  # 1e309 = inf


def test_a_decorated_generator_is_refused():
    def numbers():
        yield Value(1.0) * 2

    with pytest.raises(TypeError, match="plain function"):
        no_grad()(numbers)
