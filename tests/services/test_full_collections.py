"""While an import holds its lines, only the young generations are collected."""

from __future__ import annotations

import gc

import pytest

from bot.services.full_collections import HELD_OFF, full_collections_held


def full_passes_while_growing() -> int:
    """Full collections run while enough long-lived objects are made to call for one: the
    survivors grow by half, where CPython's rule is a quarter."""
    before = gc.get_stats()[2]["collections"]
    kept: list[list[object]] = [[] for _ in range(len(gc.get_objects()) // 2 + 50_000)]
    passes = int(gc.get_stats()[2]["collections"] - before)
    del kept
    return passes


def test_without_the_hold_a_growing_heap_gets_full_collections() -> None:
    assert gc.isenabled()
    assert full_passes_while_growing() > 0


def test_held_a_growing_heap_gets_none_and_young_ones_go_on() -> None:
    young = gc.get_stats()[0]["collections"]
    with full_collections_held():
        assert full_passes_while_growing() == 0
    assert gc.get_stats()[0]["collections"] > young


def test_overlapping_holders_restore_the_threshold_when_the_last_is_done() -> None:
    usual = gc.get_threshold()
    first, second = full_collections_held(), full_collections_held()
    first.__enter__()
    second.__enter__()
    assert gc.get_threshold() == (usual[0], usual[1], HELD_OFF)
    first.__exit__(None, None, None)
    assert gc.get_threshold()[2] == HELD_OFF
    second.__exit__(None, None, None)
    assert gc.get_threshold() == usual


def test_a_failing_import_restores_the_threshold() -> None:
    usual = gc.get_threshold()
    with pytest.raises(ValueError), full_collections_held():
        raise ValueError("damaged")
    assert gc.get_threshold() == usual
