"""Days to epoch seconds: end-date exclusive, 90-day pieces, the connector's time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from bot.banks.simplefin.windows import bridge_windows, day_start, window_params
from bot.domain.clock import FixedClock
from tests.banks.simplefin.conftest import claim, connector_for
from tests.support.providers.simplefin import SimpleFinStandIn, Subscriber

UTC_ZONE = ZoneInfo("UTC")
NEW_YORK = ZoneInfo("America/New_York")


def test_the_end_date_is_midnight_after_until() -> None:
    assert window_params(date(2026, 11, 2), date(2026, 11, 20), UTC_ZONE) == {
        "start-date": str(int(datetime(2026, 11, 2, tzinfo=UTC).timestamp())),
        "end-date": str(int(datetime(2026, 11, 21, tzinfo=UTC).timestamp())),
    }


def test_a_window_of_90_days_is_one_request() -> None:
    assert bridge_windows(date(2026, 8, 31), date(2026, 11, 28), UTC_ZONE) == [
        (date(2026, 8, 31), date(2026, 11, 28))
    ]


def test_a_window_of_91_days_is_two_requests_without_gap_or_overlap() -> None:
    assert bridge_windows(date(2026, 8, 30), date(2026, 11, 28), UTC_ZONE) == [
        (date(2026, 8, 30), date(2026, 11, 27)),
        (date(2026, 11, 28), date(2026, 11, 28)),
    ]


def test_a_90_day_window_an_hour_too_long_across_daylight_saving_is_cut_a_day_shorter() -> None:
    windows = bridge_windows(date(2026, 9, 1), date(2026, 11, 29), NEW_YORK)
    assert windows == [
        (date(2026, 9, 1), date(2026, 11, 28)),
        (date(2026, 11, 29), date(2026, 11, 29)),
    ]
    first_start = windows[0][0]
    assert day_start(date(2026, 11, 29), NEW_YORK) - day_start(first_start, NEW_YORK) == (
        89 * 86_400 + 3_600
    )


async def test_booking_dates_are_read_in_the_connectors_time_zone(
    bank: SimpleFinStandIn, clock: FixedClock, user: Subscriber
) -> None:
    late = int(datetime(2026, 11, 21, 2, 0, tzinfo=UTC).timestamp())  # 9 pm in New York
    user.accounts[0].line("evening", posted=late, amount="-3.00", description="Dinner")
    simplefin = connector_for(bank, clock, timezone="America/New_York")
    secret = await claim(simplefin, bank, user)
    lines = await simplefin.fetch_transactions(
        secret, "ACT-CHK", date(2026, 11, 20), date(2026, 11, 20)
    )
    assert [(t.external_id, t.booking_date) for t in lines] == [
        ("c2", date(2026, 11, 20)), ("evening", date(2026, 11, 20)),
    ]
    await simplefin.aclose()
