from datetime import date

from bot.domain.periods import PERIODS, allowed_periods, period_by_key

TODAY = date(2026, 11, 28)


def test_periods_start_the_day_after_the_same_day_months_before() -> None:
    starts = {p.key: p.start(TODAY) for p in PERIODS}
    assert starts == {
        "d90": date(2026, 8, 31),
        "m6": date(2026, 5, 29),
        "m12": date(2025, 11, 29),
        "m24": date(2024, 11, 29),
    }


def test_only_the_periods_a_bank_allows_are_offered() -> None:
    assert [p.key for p in allowed_periods(90)] == ["d90"]
    assert [p.key for p in allowed_periods(365)] == ["d90", "m6", "m12"]
    assert [p.key for p in allowed_periods(730)] == ["d90", "m6", "m12", "m24"]


def test_start_never_reaches_past_the_banks_history() -> None:
    m24 = period_by_key("m24")
    assert m24 is not None
    leap = date(2028, 3, 31)
    assert (leap - m24.start(leap, 730)).days + 1 == 730


def test_month_end_is_clamped() -> None:
    m6 = period_by_key("m6")
    assert m6 is not None
    assert m6.start(date(2026, 8, 31)) == date(2026, 3, 1)
