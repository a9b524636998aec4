"""Import periods offered at connection: 90 days, 6, 12 or 24 months, as far as a bank allows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True, slots=True)
class ImportPeriod:
    key: str
    days: int
    months: int

    @property
    def nominal_days(self) -> int:
        return self.days or self.months * 30

    def start(self, today: date, max_history_days: int | None = None) -> date:
        """The first day imported, never further back than the bank allows."""
        if self.days:
            first = today - timedelta(days=self.days - 1)
        else:
            first = _months_before(today, self.months) + timedelta(days=1)
        if max_history_days is not None:
            first = max(first, today - timedelta(days=max_history_days - 1))
        return first


PERIODS = (
    ImportPeriod("d90", days=90, months=0),
    ImportPeriod("m6", days=0, months=6),
    ImportPeriod("m12", days=0, months=12),
    ImportPeriod("m24", days=0, months=24),
)


def allowed_periods(max_history_days: int) -> list[ImportPeriod]:
    return [p for p in PERIODS if p.nominal_days <= max_history_days]


def period_by_key(key: str) -> ImportPeriod | None:
    return next((p for p in PERIODS if p.key == key), None)


def _months_before(day: date, months: int) -> date:
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    for last_day in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last_day))
        except ValueError:
            continue
    raise AssertionError("unreachable")
