"""The public ranking of message handling (seed 004 art.19: 排名实时显示) and the yearly
advanced units (art.22). Figures come from ``messaging.stats``; nothing here names a sender
or shows a message."""

from __future__ import annotations

from datetime import date

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from govsite.messaging import stats
from govsite.messaging.privacy import is_office

PERIODS = {"month": "本月", "quarter": "本季度", "year": "本年", "custom": "自定义"}
COLUMNS = [  # (sort key or "", heading)
    ("received", "留言数"), ("replied", "已答复"), ("reply_rate", "回复率"),
    ("on_time_rate", "按时回复率"), ("avg_workdays", "平均办理用时（工作日）"),
    ("satisfaction", "满意度"), ("repeats", "重复留言"),
]  # fmt: skip
EARLIEST = date(2000, 1, 1)


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def days(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def display(r: stats.UnitRates) -> dict:
    """The row as the page and the exports show it (text: no per-cell localisation)."""
    return {"rank": str(r.rank or "—"), "unit": r.unit.name if r.unit else "合计",
            "level": r.level_label, "received": str(r.received), "replied": str(r.replied),
            "reply_rate": percent(r.reply_rate), "on_time_rate": percent(r.on_time_rate),
            "avg_workdays": days(r.avg_workdays), "satisfaction": percent(r.satisfaction),
            "rated": str(r.rated), "repeats": str(r.repeats)}  # fmt: skip


def _date(text: str | None) -> date | None:
    try:
        day = date.fromisoformat((text or "").strip())
    except ValueError:
        return None
    return day if EARLIEST <= day <= date(2100, 12, 31) else None


def filters(request) -> dict:
    """period / from / to / level / sort from the query string, checked."""
    today = timezone.localdate()
    period = request.GET.get("period") or "month"
    if period not in PERIODS:
        period = "month"
    start, end = _date(request.GET.get("from")), _date(request.GET.get("to"))
    if start or end:
        period = "custom"
    start, end = stats.period_bounds(period, today, start, end)
    level = request.GET.get("level") or None
    if level not in stats.LEVELS:
        level = None
    sort = request.GET.get("sort") or "reply_rate"
    if sort not in stats.SORTS:
        sort = "reply_rate"
    return {"period": period, "start": start, "end": end, "level": level, "sort": sort,
            "today": today}  # fmt: skip


def ranking(request):
    chosen = filters(request)
    rows = stats.unit_rates(chosen["start"], chosen["end"], level=chosen["level"],
                            include_empty=True, sort=chosen["sort"])  # fmt: skip
    query = {k: v for k, v in (("period", chosen["period"]), ("level", chosen["level"] or ""))
             if v}  # fmt: skip
    if chosen["period"] == "custom":
        query |= {"from": chosen["start"].isoformat(), "to": chosen["end"].isoformat()}
    today = chosen["today"]
    return render(request, "messaging/ranking.html", chosen | {
        "rows": [display(r) for r in rows],
        "total": display(stats.totals(rows)),
        "periods": PERIODS, "levels": stats.LEVELS, "columns": COLUMNS,
        "level_label": stats.LEVELS.get(chosen["level"], ""),
        "base_query": "&".join(f"{k}={v}" for k, v in query.items()),
        "staff": is_office(request.user),
        "last_year": today.year - 1,
        "this_quarter": (today.month - 1) // 3 + 1,
        "years": list(range(today.year, today.year - 5, -1)),
        "generated": timezone.localtime(),
    })  # fmt: skip


def advanced(request, year: int):
    """The yearly advanced units, per level (the rule is in ``stats.advanced_units``)."""
    if not 2000 <= year <= timezone.localdate().year:
        raise Http404("没有该年度的统计")
    groups = [(label, [(a.rank, f"{a.score * 100:.1f}", display(a.rates))
                       for a in stats.advanced_units(year, level=level)])
              for level, label in stats.LEVELS.items()]  # fmt: skip
    return render(request, "messaging/advanced.html", {
        "year": year, "groups": groups, "min_messages": stats.ADVANCED_MIN_MESSAGES,
        "weights": stats.ADVANCED_WEIGHTS,
    })  # fmt: skip
