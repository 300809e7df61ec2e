"""`govsite workdays …` answers from the calendar in force, overrides included."""

from datetime import date

import pytest
from django.core.management import CommandError, call_command

from govsite.workdays.models import CalendarYear, WorkdayOverride


def run(capsys, *args):
    call_command("workdays", *args)
    return capsys.readouterr().out.strip()


def test_add_prints_the_issue_example(db, capsys):
    assert run(capsys, "add", "2025-09-30", "3") == "2025-10-11"


def test_between_and_check(db, capsys):
    assert run(capsys, "between", "2025-09-30", "2025-10-11") == "3"
    assert run(capsys, "check", "2025-10-11") == "工作日"
    assert run(capsys, "check", "2025-10-08") == "休息日"


def test_unknown_year_is_a_clear_error(db):
    with pytest.raises(CommandError, match="2032 年的节假日安排未知"):
        call_command("workdays", "add", "2032-01-05", "1")


def test_bad_date_is_a_clear_error(db):
    with pytest.raises(CommandError, match="无法识别的日期"):
        call_command("workdays", "add", "2025-13-40", "1")


def test_administrator_overrides_stored_in_database_take_effect(db, capsys):
    CalendarYear.objects.create(year=2032, source="测试")
    WorkdayOverride.objects.create(date=date(2032, 1, 1), is_workday=False, name="元旦")
    assert run(capsys, "add", "2031-12-31", "1") == "2032-01-02"
