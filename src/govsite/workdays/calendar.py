"""Working days in mainland China (M3): statutory holidays and adjusted workdays (调休).

Built on the ``chinesecalendar`` package, plus administrator overrides for years the
package does not know yet (the State Council publishes each year's arrangement late in
the previous year). A date in a year nobody has described is an explicit
``UnknownYearError``: a deadline computed from a guess would be silently wrong.

This module has no Django imports; ``govsite.workdays.service`` feeds it the overrides
stored in the database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import chinese_calendar

CHINA_TZ = ZoneInfo("Asia/Shanghai")

# Guard against runaway loops: no real deadline lies more than this many days away.
MAX_SPAN_DAYS = 3660


class UnknownYearError(LookupError):
    """No holiday arrangement is known for this year; an administrator must enter it."""

    def __init__(self, year: int):
        super().__init__(
            f"{year} 年的节假日安排未知：请管理员在“工作日历”中录入该年的放假与调休安排。"
        )
        self.year = year


@cache
def package_knows(year: int) -> bool:
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


@dataclass(frozen=True)
class WorkCalendar:
    """A calendar = the package's arrangements + overrides + years entered by hand.

    ``overrides`` maps a date to True (a working day) or False (a day off); they win over
    the package, so an administrator can correct it. ``entered_years`` are years whose
    arrangement an administrator has entered in full: in those years a date without an
    override falls back to the plain week (Monday–Friday work).
    """

    overrides: Mapping[date, bool] = field(default_factory=dict)
    entered_years: frozenset[int] = frozenset()

    def knows_year(self, year: int) -> bool:
        return year in self.entered_years or package_knows(year)

    def is_workday(self, day: date) -> bool:
        if isinstance(day, datetime):
            day = to_china(day).date()
        if not self.knows_year(day.year):
            raise UnknownYearError(day.year)
        if day in self.overrides:
            return self.overrides[day]
        if package_knows(day.year):
            return chinese_calendar.is_workday(day)
        return day.weekday() < 5

    def next_workday(self, day: date) -> date:
        """The first working day strictly after ``day``."""
        for offset in range(1, MAX_SPAN_DAYS):
            candidate = day + timedelta(days=offset)
            if self.is_workday(candidate):
                return candidate
        raise ValueError(f"no working day within {MAX_SPAN_DAYS} days after {day}")

    def add_workdays(self, start: date | datetime, n: int) -> date | datetime:
        """The n-th working day after ``start`` (the start day itself is not counted).

        A datetime keeps its time of day, so a message received on Tuesday 10:00 with
        a limit of 5 working days is due the fifth working day after, at 10:00.
        """
        if n < 0:
            raise ValueError("n must not be negative")
        if isinstance(start, datetime):
            local = to_china(start)
            day = self.add_workdays(local.date(), n)
            return datetime.combine(day, local.timetz())
        day = start
        for _ in range(n):
            day = self.next_workday(day)
        return day

    def workdays_between(self, start: date | datetime, end: date | datetime) -> int:
        """Working days in (start, end]: the inverse of ``add_workdays`` on dates.

        Negative when ``end`` is before ``start``.
        """
        first = to_china(start).date() if isinstance(start, datetime) else start
        last = to_china(end).date() if isinstance(end, datetime) else end
        if last < first:
            return -self.workdays_between(last, first)
        if (last - first).days > MAX_SPAN_DAYS:
            raise ValueError(f"span longer than {MAX_SPAN_DAYS} days")
        return sum(
            1
            for offset in range(1, (last - first).days + 1)
            if self.is_workday(first + timedelta(days=offset))
        )

    def deadline_within_hours(self, start: datetime, hours: float) -> datetime:
        """When "within N hours" ends if only time on working days counts (遇节假日顺延).

        A message received on Friday 17:00 with "within 24 hours" is due Monday 17:00
        (when Monday is a working day); one received on Saturday is due Tuesday 00:00.
        """
        cursor = to_china(start)
        remaining = timedelta(hours=hours)
        for _ in range(MAX_SPAN_DAYS):
            midnight = datetime.combine(cursor.date() + timedelta(days=1), time(), CHINA_TZ)
            if self.is_workday(cursor.date()):
                step = min(remaining, midnight - cursor)
                cursor += step
                remaining -= step
                if remaining <= timedelta(0):
                    return cursor
            else:
                cursor = midnight
        raise ValueError(f"no deadline within {MAX_SPAN_DAYS} days")

    def adjusted_workdays(self, year: int) -> list[date]:
        """Saturdays and Sundays that are working days in ``year`` (调休上班)."""
        day, out = date(year, 1, 1), []
        while day.year == year:
            if day.weekday() >= 5 and self.is_workday(day):
                out.append(day)
            day += timedelta(days=1)
        return out

    def holidays_on_weekdays(self, year: int) -> list[date]:
        """Monday–Friday dates that are days off in ``year`` (statutory holidays)."""
        day, out = date(year, 1, 1), []
        while day.year == year:
            if day.weekday() < 5 and not self.is_workday(day):
                out.append(day)
            day += timedelta(days=1)
        return out


def to_china(moment: datetime) -> datetime:
    """Aware datetimes converted to Asia/Shanghai; naive ones are taken as Shanghai time."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=CHINA_TZ)
    return moment.astimezone(CHINA_TZ)
