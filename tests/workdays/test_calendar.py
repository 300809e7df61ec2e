"""Working days follow the State Council's arrangements (M3)."""

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from govsite.workdays.calendar import CHINA_TZ, UnknownYearError, WorkCalendar

CAL = WorkCalendar()

# Adjusted weekend working days (调休上班) as published by the State Council General
# Office for each year — written out here, not read from the package under test.
ADJUSTED_WORKDAYS = {
    2024: [
        "2024-02-04",
        "2024-02-18",
        "2024-04-07",
        "2024-04-28",
        "2024-05-11",
        "2024-09-14",
        "2024-09-29",
        "2024-10-12",
    ],
    2025: ["2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11"],
    2026: ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"],
}
# Statutory holiday periods (放假) of the same notices.
HOLIDAYS = {
    2024: [
        ("2024-01-01", "2024-01-01"),
        ("2024-02-10", "2024-02-17"),
        ("2024-04-04", "2024-04-06"),
        ("2024-05-01", "2024-05-05"),
        ("2024-06-10", "2024-06-10"),
        ("2024-09-15", "2024-09-17"),
        ("2024-10-01", "2024-10-07"),
    ],
    2025: [
        ("2025-01-01", "2025-01-01"),
        ("2025-01-28", "2025-02-04"),
        ("2025-04-04", "2025-04-06"),
        ("2025-05-01", "2025-05-05"),
        ("2025-05-31", "2025-06-02"),
        ("2025-10-01", "2025-10-08"),
    ],
    2026: [
        ("2026-01-01", "2026-01-03"),
        ("2026-02-15", "2026-02-23"),
        ("2026-04-04", "2026-04-06"),
        ("2026-05-01", "2026-05-05"),
        ("2026-06-19", "2026-06-21"),
        ("2026-09-25", "2026-09-27"),
        ("2026-10-01", "2026-10-07"),
    ],
}


def days(start: str, end: str):
    day, last = date.fromisoformat(start), date.fromisoformat(end)
    while day <= last:
        yield day
        day += timedelta(days=1)


@pytest.mark.parametrize("year", sorted(ADJUSTED_WORKDAYS))
def test_every_adjusted_weekend_workday_is_a_working_day(year):
    expected = [date.fromisoformat(d) for d in ADJUSTED_WORKDAYS[year]]
    assert CAL.adjusted_workdays(year) == expected


@pytest.mark.parametrize("year", sorted(HOLIDAYS))
def test_every_statutory_holiday_is_a_day_off(year):
    for start, end in HOLIDAYS[year]:
        for day in days(start, end):
            assert not CAL.is_workday(day), day


@pytest.mark.parametrize("year", sorted(HOLIDAYS))
def test_weekdays_off_are_exactly_the_holidays(year):
    expected = sorted(d for s, e in HOLIDAYS[year] for d in days(s, e) if d.weekday() < 5)
    assert CAL.holidays_on_weekdays(year) == expected


def test_three_working_days_after_national_day_eve_2025_end_on_adjusted_saturday():
    # Oct 1–8 2025 are holidays; Oct 9, Oct 10 and Saturday Oct 11 (调休) are workdays.
    assert CAL.add_workdays(date(2025, 9, 30), 3) == date(2025, 10, 11)


def test_five_working_days_over_spring_festival_2026():
    # Received Friday Feb 13, 2026; Sat Feb 14 is a workday, Feb 15–23 off.
    assert CAL.add_workdays(date(2026, 2, 13), 5) == date(2026, 2, 27)


def test_add_workdays_keeps_the_time_of_day_in_china():
    received = datetime(2025, 9, 30, 2, 0, tzinfo=CHINA_TZ)
    assert CAL.add_workdays(received, 3) == datetime(2025, 10, 11, 2, 0, tzinfo=CHINA_TZ)


def test_utc_moment_is_converted_to_china_before_counting():
    # 2025-09-30 20:00 UTC is already Oct 1, 04:00 in Shanghai (a holiday).
    received = datetime(2025, 9, 30, 20, 0, tzinfo=UTC)
    due = CAL.add_workdays(received, 1)
    assert due.date() == date(2025, 10, 9)


def test_workdays_between_counts_only_working_days():
    assert CAL.workdays_between(date(2025, 9, 30), date(2025, 10, 11)) == 3
    assert CAL.workdays_between(date(2025, 10, 11), date(2025, 9, 30)) == -3
    assert CAL.workdays_between(date(2025, 10, 1), date(2025, 10, 8)) == 0


def test_within_24_hours_skips_the_weekend():
    friday_5pm = datetime(2025, 11, 14, 17, 0, tzinfo=CHINA_TZ)
    assert CAL.deadline_within_hours(friday_5pm, 24) == datetime(
        2025, 11, 17, 17, 0, tzinfo=CHINA_TZ
    )


def test_within_24_hours_skips_a_long_holiday():
    # Tuesday Sep 30 2025 at 12:00: 12 hours that day, then nothing until Oct 9.
    noon = datetime(2025, 9, 30, 12, 0, tzinfo=CHINA_TZ)
    assert CAL.deadline_within_hours(noon, 24) == datetime(2025, 10, 9, 12, 0, tzinfo=CHINA_TZ)


def test_within_24_hours_on_an_ordinary_weekday_is_a_day_later():
    tuesday = datetime(2025, 11, 18, 9, 30, tzinfo=CHINA_TZ)
    assert CAL.deadline_within_hours(tuesday, 24) == tuesday + timedelta(hours=24)


def test_unknown_year_is_an_explicit_error_not_a_guess():
    with pytest.raises(UnknownYearError) as raised:
        CAL.is_workday(date(2031, 3, 3))
    assert "2031" in str(raised.value)


def test_year_entered_by_administrator_uses_overrides_on_a_plain_week():
    cal = WorkCalendar(
        overrides={date(2031, 1, 1): False, date(2031, 1, 4): True},
        entered_years=frozenset({2031}),
    )
    assert not cal.is_workday(date(2031, 1, 1))  # Wednesday, New Year
    assert cal.is_workday(date(2031, 1, 4))  # Saturday, adjusted
    assert not cal.is_workday(date(2031, 1, 5))  # plain Sunday
    assert cal.add_workdays(date(2030, 12, 31), 1) == date(2031, 1, 2)


def test_override_corrects_a_year_the_package_knows():
    cal = WorkCalendar(overrides={date(2025, 11, 17): False})
    assert not cal.is_workday(date(2025, 11, 17))


def test_negative_day_count_is_refused():
    with pytest.raises(ValueError):
        CAL.add_workdays(date(2025, 1, 2), -1)


@given(
    st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 10, 31)),
    st.integers(min_value=0, max_value=25),
)
def test_workdays_between_is_the_inverse_of_add_workdays(start, n):
    assert CAL.workdays_between(start, CAL.add_workdays(start, n)) == n


@given(
    st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 10, 31)),
    st.integers(min_value=1, max_value=25),
)
def test_add_workdays_always_lands_on_a_working_day(start, n):
    assert CAL.is_workday(CAL.add_workdays(start, n))
