"""Storing probes and judging a week of them: the veto 站点无法访问.

The window is ``days`` whole calendar days in Asia/Shanghai ending just before the day of
``end`` (the check point). The day in progress is left out: it cannot have its 20 probes
yet, and counting it would make every judgement made before midnight "not enough data".

A site is judged only when every day of the window has at least ``min_per_day`` probes;
otherwise ``vetoed`` is None and the reason says which days fell short. Missing probes are
our own outage, never the site's: a site must not be vetoed (or cleared) on too few probes.

The threshold is compared exactly (``failures / probes >= max_failure_ratio`` in rational
arithmetic): 7 failures of 140 is 5 % and vetoed, whatever floating point makes of 0.05 * 140.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from govsite.monitoring.models import ProbeResult
from govsite.monitoring.probe import ProbeOutcome
from govsite.registry.models import Website

SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class Availability:
    first_day: date  # Shanghai calendar days, both included
    last_day: date
    probes: int
    failures: int
    ratio: float | None  # failures / probes; None without probes
    days_covered: int  # days of the window with at least one probe
    short_days: dict[date, int]  # days with fewer than min_per_day probes -> probes that day
    vetoed: bool | None  # None: not enough data to judge
    reason: str  # one Chinese sentence for the report
    daily: dict[date, tuple[int, int]] = field(default_factory=dict)  # day -> (probes, failures)
    min_per_day: int = 20
    max_failure_ratio: float = 0.05

    def evidence(self) -> dict:
        """JSON-safe proof for a finding (B4)."""
        return {
            "first_day": self.first_day.isoformat(),
            "last_day": self.last_day.isoformat(),
            "probes": self.probes,
            "failures": self.failures,
            "ratio": self.ratio,
            "min_per_day": self.min_per_day,
            "max_failure_ratio": self.max_failure_ratio,
            "daily": {d.isoformat(): list(counts) for d, counts in self.daily.items()},
        }


def record_probes(
    outcomes: Iterable[ProbeOutcome], websites: Mapping[str, Website] | None = None
) -> list[ProbeResult]:
    """Store outcomes, one row each. ``websites`` maps probed URL -> Website (looked up by
    URL when not given); an outcome for an unregistered URL stores nothing and raises."""
    outcomes = list(outcomes)
    urls = {o.url for o in outcomes}
    if websites is None:
        websites = {w.url: w for w in Website.objects.filter(url__in=urls)}
    missing = sorted(urls - websites.keys())
    if missing:
        raise ValueError(f"未登记的网址：{'、'.join(missing)}")
    rows = [
        ProbeResult(
            website=websites[o.url],
            at=o.at,
            ok=o.ok,
            status=o.status,
            elapsed=round(o.elapsed, 3),
            error=o.error[:60],
            url=o.url[:500],
            final_url=o.final_url[:2048],
        )
        for o in outcomes
    ]
    with transaction.atomic():
        return ProbeResult.objects.bulk_create(rows)


def window(end: datetime, days: int = 7) -> tuple[datetime, datetime]:
    """[start, stop) of the ``days`` whole Shanghai days before the day of ``end``."""
    if timezone.is_naive(end):
        raise ValueError("end must be an aware datetime")
    last = end.astimezone(SHANGHAI).date() - timedelta(days=1)
    stop = datetime.combine(last + timedelta(days=1), time(0), SHANGHAI)
    start = datetime.combine(last - timedelta(days=days - 1), time(0), SHANGHAI)
    return start, stop


def availability(
    website: Website,
    end: datetime | None = None,
    days: int = 7,
    min_per_day: int = 20,
    max_failure_ratio: float = 0.05,
) -> Availability:
    """Judge ``website`` on the ``days`` whole days before ``end`` (default: now)."""
    end = timezone.now() if end is None else end
    start, stop = window(end, days)
    samples = ProbeResult.objects.filter(website=website, at__gte=start, at__lt=stop)
    return judge(samples.values_list("at", "ok"), end, days, min_per_day, max_failure_ratio)


def judge(
    samples: Iterable[tuple[datetime, bool]],
    end: datetime,
    days: int = 7,
    min_per_day: int = 20,
    max_failure_ratio: float = 0.05,
) -> Availability:
    """The rule itself over ``(at, ok)`` pairs; samples outside the window are ignored."""
    if days < 1 or min_per_day < 1:
        raise ValueError("days and min_per_day must be >= 1")
    limit = Fraction(str(max_failure_ratio))
    if not 0 < limit <= 1:
        raise ValueError("max_failure_ratio must be in (0, 1]")
    start, stop = window(end, days)
    first = start.date()
    daily = {first + timedelta(days=i): [0, 0] for i in range(days)}
    for at, ok in samples:
        if start <= at < stop:
            counts = daily[at.astimezone(SHANGHAI).date()]
            counts[0] += 1
            counts[1] += not ok
    probes = sum(c[0] for c in daily.values())
    failures = sum(c[1] for c in daily.values())
    ratio = failures / probes if probes else None
    short = {d: c[0] for d, c in daily.items() if c[0] < min_per_day}
    last = first + timedelta(days=days - 1)
    pct = f"{float(limit * 100):g}%"

    summary = (
        f"{first:%Y-%m-%d} 至 {last:%Y-%m-%d}（{days} 天）首页探测 {probes} 次，失败 {failures} 次"
    )
    if ratio is not None:
        summary += f"，失败率 {ratio:.2%}"
    if short:
        empty = [d for d, n in short.items() if n == 0]
        thin = [f"{d:%m-%d}（{n} 次）" for d, n in short.items() if n]
        gaps = []
        if empty:
            gaps.append(f"{len(empty)} 天没有探测记录（{'、'.join(f'{d:%m-%d}' for d in empty)}）")
        if thin:
            gaps.append(f"{'、'.join(thin)}不足 {min_per_day} 次")
        vetoed = None
        reason = (
            f"监测数据不足，不作判定：需连续 {days} 天每天至少 {min_per_day} 次首页探测，"
            f"{'；'.join(gaps)}。已有数据：{summary}。"
        )
    elif failures * limit.denominator >= limit.numerator * probes:
        vetoed = True
        reason = f"{summary}，达到 {pct} 的否决线（超过(含){pct}），判定站点无法访问。"
    else:
        vetoed = False
        reason = f"{summary}，低于 {pct} 的否决线。"
    return Availability(
        first_day=first,
        last_day=last,
        probes=probes,
        failures=failures,
        ratio=ratio,
        days_covered=sum(1 for c in daily.values() if c[0]),
        short_days=short,
        vetoed=vetoed,
        reason=reason,
        daily={d: (c[0], c[1]) for d, c in daily.items()},
        min_per_day=min_per_day,
        max_failure_ratio=float(limit),
    )
