"""The calendar in force: chinesecalendar plus what administrators stored.

Read afresh on every call (two tiny queries) so a change made in the admin reaches every
process at once; code that needs many deadlines builds the calendar once and reuses it.
"""

from __future__ import annotations

from govsite.workdays.calendar import WorkCalendar
from govsite.workdays.models import CalendarYear, WorkdayOverride


def current_calendar() -> WorkCalendar:
    return WorkCalendar(
        overrides=dict(WorkdayOverride.objects.values_list("date", "is_workday")),
        entered_years=frozenset(CalendarYear.objects.values_list("year", flat=True)),
    )
