"""availability(): the veto 站点无法访问 over a week of stored probes, in Shanghai days."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from govsite.monitoring.availability import availability, judge, record_probes, window
from govsite.monitoring.models import ProbeResult
from govsite.monitoring.probe import ProbeOutcome

SHANGHAI = ZoneInfo("Asia/Shanghai")
END = datetime(2025, 6, 8, 10, 0, tzinfo=SHANGHAI)  # check point: the window is June 1–7
FIRST = date(2025, 6, 1)
DAYS = [FIRST + timedelta(days=i) for i in range(7)]


@pytest.fixture
def site(tree):
    return tree.city.websites.get()


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), SHANGHAI)


def probes_on(website, day: date, count: int, failures: int = 0, start=time(0, 5)):
    """``count`` probes spread from ``start`` to 23:55, the first ``failures`` failing."""
    first = datetime.combine(day, start, SHANGHAI)
    span = 24 * 60 - 5 - (start.hour * 60 + start.minute)
    step = timedelta(minutes=span // max(count, 1))
    return [
        ProbeResult(
            website=website,
            at=first + i * step,
            ok=i >= failures,
            status=None if i < failures else 200,
            elapsed=0.2,
            error="timeout" if i < failures else "",
        )
        for i in range(count)
    ]


def week(website, per_day, failures_per_day=0, days=DAYS):
    per_day = per_day if isinstance(per_day, list) else [per_day] * len(days)
    failures = failures_per_day
    failures = failures if isinstance(failures, list) else [failures] * len(days)
    rows = []
    for day, count, failed in zip(days, per_day, failures, strict=True):
        rows += probes_on(website, day, count, failed)
    ProbeResult.objects.bulk_create(rows)


def test_exactly_five_percent_failures_is_vetoed(site):
    week(site, 20, failures_per_day=1)  # 7 of 140
    result = availability(site, END)
    assert (result.probes, result.failures) == (140, 7)
    assert result.ratio == 0.05 and result.vetoed is True
    assert result.first_day == FIRST and result.last_day == date(2025, 6, 7)
    assert "失败率 5.00%" in result.reason and "判定站点无法访问" in result.reason


def test_four_point_nine_percent_failures_is_not_vetoed(site):
    week(site, [143] * 6 + [142], failures_per_day=7)  # 49 of 1,000
    result = availability(site, END)
    assert (result.probes, result.failures) == (1000, 49)
    assert result.vetoed is False
    assert "失败率 4.90%" in result.reason and "低于 5% 的否决线" in result.reason


def test_six_days_of_data_is_not_judged_and_says_why(site):
    week(site, 20, failures_per_day=20, days=DAYS[1:])  # every probe failed, but June 1 is empty
    result = availability(site, END)
    assert result.vetoed is None
    assert result.days_covered == 6 and result.short_days == {FIRST: 0}
    assert "监测数据不足，不作判定" in result.reason
    assert "1 天没有探测记录（06-01）" in result.reason


def test_one_day_with_19_probes_is_not_judged(site):
    week(site, [20, 20, 19, 20, 20, 20, 20], failures_per_day=10)
    result = availability(site, END)
    assert result.vetoed is None
    assert result.short_days == {date(2025, 6, 3): 19}
    assert "06-03（19 次）不足 20 次" in result.reason
    assert result.failures == 70  # the counts are still reported, only not judged


def test_days_are_shanghai_calendar_days_not_utc_days(site):
    # 23:30 on June 3 and 00:30 on June 4 in Shanghai are both June 3 in UTC. Counted by
    # Shanghai days every day has its 20; counted by UTC days June 4 would have only 19.
    june3, june4 = date(2025, 6, 3), date(2025, 6, 4)
    rows = []
    for day in DAYS:
        rows += probes_on(site, day, 19 if day in (june3, june4) else 20, start=time(8, 0))
    late, early = at(june3, 23, 30), at(june4, 0, 30)
    assert late.astimezone(UTC).date() == early.astimezone(UTC).date() == june3
    ProbeResult.objects.bulk_create(rows)
    ProbeResult.objects.create(website=site, at=late, ok=True, status=200, elapsed=0.1)
    ProbeResult.objects.create(website=site, at=early, ok=False, elapsed=15.0, error="timeout")
    result = availability(site, END)
    assert result.daily[june3] == (20, 0) and result.daily[june4] == (20, 1)
    assert result.vetoed is False


def test_the_window_holds_whole_days_before_the_check_points_day(site):
    week(site, 20)
    ProbeResult.objects.bulk_create(
        [
            ProbeResult(website=site, at=at(date(2025, 5, 31), 23, 59), ok=False, elapsed=15.0),
            ProbeResult(website=site, at=at(date(2025, 6, 8), 0, 30), ok=False, elapsed=15.0),
        ]
    )
    result = availability(site, END)
    assert result.probes == 140 and result.failures == 0
    start, stop = window(END)
    assert start == at(FIRST, 0) and stop == at(date(2025, 6, 8), 0)
    midnight = at(date(2025, 6, 8), 0)
    assert window(midnight) == (start, stop)  # a check point at midnight ends the window there


def test_without_an_end_the_week_before_today_is_judged():
    with time_machine.travel(END, tick=False):
        start, stop = window(datetime.now(UTC))
    assert (start, stop) == (at(FIRST, 0), at(date(2025, 6, 8), 0))


def test_availability_defaults_to_now(site):
    week(site, 20, failures_per_day=2)
    with time_machine.travel(END, tick=False):
        result = availability(site)
    assert result.first_day == FIRST and result.vetoed is True


def test_other_websites_probes_do_not_count(site, tree):
    other = tree.edu.websites.get()
    week(site, 20)
    week(other, 20, failures_per_day=20)
    assert availability(site, END).failures == 0
    assert availability(other, END).vetoed is True


def test_thresholds_are_parameters():
    samples = [(at(day, 9), ok) for day in DAYS[4:] for ok in (True, False)]
    result = judge(samples, END, days=3, min_per_day=2, max_failure_ratio=0.5)
    assert (result.probes, result.failures, result.vetoed) == (6, 3, True)
    assert "达到 50% 的否决线" in result.reason
    assert judge(samples, END, days=3, min_per_day=2, max_failure_ratio=0.6).vetoed is False
    assert judge(samples, END, days=3, min_per_day=3).vetoed is None


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError):
        judge([], datetime(2025, 6, 8, 10, 0), days=7)  # naive: which day is it?
    with pytest.raises(ValueError):
        judge([], END, max_failure_ratio=0)
    with pytest.raises(ValueError):
        judge([], END, days=0)


def test_no_probes_at_all_is_not_judged():
    result = judge([], END)
    assert result.vetoed is None and result.ratio is None and result.days_covered == 0
    assert "7 天没有探测记录" in result.reason


def test_the_evidence_is_json(site):
    week(site, 20, failures_per_day=1)
    evidence = availability(site, END).evidence()
    assert json.loads(json.dumps(evidence))["daily"]["2025-06-01"] == [20, 1]


def test_record_probes_stores_one_row_per_outcome(site, tree):
    other = tree.edu.websites.get()
    moment = datetime(2025, 6, 1, 2, 0, tzinfo=UTC)
    outcomes = [
        ProbeOutcome(site.url, True, 200, 0.1234, "", site.url, moment),
        ProbeOutcome(other.url, False, None, 15.0, "timeout", other.url, moment),
    ]
    rows = record_probes(outcomes)
    assert len(rows) == 2
    stored = ProbeResult.objects.get(website=other)
    assert (stored.ok, stored.status, stored.error, stored.at) == (False, None, "timeout", moment)
    assert stored.url == other.url
    assert ProbeResult.objects.get(website=site).elapsed == 0.123


def test_record_probes_refuses_unregistered_urls_and_stores_nothing(site):
    moment = datetime(2025, 6, 1, 2, 0, tzinfo=UTC)
    outcomes = [
        ProbeOutcome(site.url, True, 200, 0.1, "", site.url, moment),
        ProbeOutcome("http://nosuch.example/", True, 200, 0.1, "", "", moment),
    ]
    with pytest.raises(ValueError, match="nosuch"):
        record_probes(outcomes)
    assert not ProbeResult.objects.exists()


def test_a_probed_website_cannot_be_deleted(site):
    from django.db.models import ProtectedError

    week(site, 1, days=DAYS[:1])
    with pytest.raises(ProtectedError):
        site.delete()
