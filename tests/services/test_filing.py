"""Filing's own helpers; filing itself runs in the import and review tests."""

from __future__ import annotations

from bot.services.filing import id_runs


def test_ids_come_as_runs_of_consecutive_ones_in_order() -> None:
    assert id_runs([7, 3, 4, 5, 9, 8, 12]) == [(3, 5), (7, 9), (12, 12)]
    assert id_runs(range(1000, 81000)) == [(1000, 80999)]
    assert id_runs([]) == []


def test_too_many_runs_give_none_so_nothing_is_left_out_by_the_query() -> None:
    assert id_runs(range(0, 100, 2), most=20) == []
    assert len(id_runs(range(0, 40, 2), most=20)) == 20
