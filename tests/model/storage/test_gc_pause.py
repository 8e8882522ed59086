"""paused_gc: collection is off inside the block and restored after it, whatever happens."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from judgepanel.model.storage.gc_pause import bulk_step, paused_gc


@pytest.fixture(autouse=True)
def _gc_back_on() -> Iterator[None]:
    yield
    gc.enable()


def test_collection_is_off_inside_and_on_after() -> None:
    assert gc.isenabled()
    with paused_gc():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_collection_comes_back_after_an_error() -> None:
    with pytest.raises(RuntimeError), paused_gc():
        raise RuntimeError("boom")
    assert gc.isenabled()


def test_a_caller_who_switched_collection_off_keeps_it_off() -> None:
    gc.disable()
    with paused_gc():
        with paused_gc():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner block must not switch it back on
    assert not gc.isenabled()


def test_nested_pauses_restore_only_at_the_outermost() -> None:
    with paused_gc():
        with paused_gc():
            pass
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_bulk_step_runs_with_collection_paused_and_frees_its_locals_first() -> None:
    states: list[bool] = []

    class Marker:
        pass

    alive: list[object] = []

    @bulk_step
    def step(n: int) -> int:
        states.append(gc.isenabled())
        marker = Marker()
        alive.append(weakref.ref(marker))
        return n + 1

    assert step(1) == 2 and step.__name__ == "step"
    assert states == [False] and gc.isenabled()
    assert alive[0]() is None  # the step's locals were gone before collection resumed


def test_a_bulk_step_restores_collection_after_an_error() -> None:
    @bulk_step
    def step() -> None:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        step()
    assert gc.isenabled()
