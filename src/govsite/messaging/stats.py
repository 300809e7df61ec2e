"""Message-handling statistics per unit (M5; seed 004 art.19–22).

What is counted
===============
Every figure is a sum over the messages **received** in the period (dates inclusive,
Asia/Shanghai) that count for the unit — a cohort: "the messages that arrived from … to …
and what has happened to them so far". A message counts for the unit that replied to it
(``reply_unit``) once it is replied or closed, otherwise for the unit now handling it
(``unit``); messages not routed yet, returned, or hidden count for nobody. The exact rules are
in ``govsite.messagestats.rollup`` (module docstring), which keeps them in a per-unit, per-day
and per-month rollup updated in the same transaction as each transition, so a query reads
the whole months of the period from ``UnitMonth`` and only the days at either end from
``UnitDay`` — never the messages (1,000,000 messages: ~17 ms for a year, see bench/README.md).

* ``received``: messages; ``replied``: of those, replied or closed (已答复 / 已办结).
* ``reply_rate`` = replied / received (办理回复率).
* ``on_time_rate`` = replies given before their deadline / replied (回复及时率). A message
  still unanswered past its deadline lowers ``reply_rate``, not this.
* ``avg_workdays``: mean working days from routing to reply, over replies with that figure.
* ``satisfaction`` = rated 满意 or 基本满意 / rated (办理满意度), over replies the sender rated.
* ``repeats``: messages marked as repeating an earlier one (004 art.16: 多次反映).

A rate without a denominator is ``None`` ("no data"), never 0.

Levels (三级联动, 004 art.17), from the registry's unit tree: ``township`` = units of the
category 乡镇（街道）; ``county`` = 县区政府 portals, 县区政府部门 and anything else inside a
county's subtree; ``city`` = the rest (the city government and its departments, depth 0–1).

Ranking order: reply rate, then on-time rate, then satisfaction (each high first, no data
last), then more messages first, then the registry's order.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Q, Sum
from django.utils import timezone

from govsite.messagestats.models import COUNTERS, UnitDay, UnitMonth
from govsite.registry.models import Unit

LEVELS = {"city": "市级", "county": "县（区）级", "township": "乡镇（街道）级"}
COUNTY_CATEGORIES = ("county_portal", "county_department")
TOWNSHIP_CATEGORIES = ("township",)

#: advanced_units: weights of the composite score, and the smallest yearly volume.
ADVANCED_WEIGHTS = {"reply_rate": 0.4, "on_time_rate": 0.3, "satisfaction": 0.3}
ADVANCED_MIN_MESSAGES = 30

#: Sort keys the ranking page offers: (attribute, higher is better).
SORTS = {"reply_rate": ("reply_rate", True), "on_time_rate": ("on_time_rate", True),
         "satisfaction": ("satisfaction", True), "avg_workdays": ("avg_workdays", False),
         "received": ("received", True), "replied": ("replied", True),
         "repeats": ("repeats", False)}  # fmt: skip


@dataclass
class UnitRates:
    unit: Unit
    received: int
    replied: int
    reply_rate: float | None
    on_time_rate: float | None
    avg_workdays: float | None
    satisfaction: float | None
    rated: int
    repeats: int
    on_time: int = 0
    satisfied: int = 0
    timed: int = 0  # replies with a handling time
    workdays: int = 0  # their working days, summed
    level: str = ""
    rank: int | None = None

    @property
    def level_label(self) -> str:
        return LEVELS.get(self.level, "")


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def make_rates(unit: Unit | None, sums: dict, level: str = "") -> UnitRates:
    """UnitRates from summed counters (``received`` and ``COUNTERS``)."""
    get = lambda key: int(sums.get(key) or 0)  # noqa: E731
    received, replied, rated = get("received"), get("replied"), get("rated")
    return UnitRates(
        unit=unit, received=received, replied=replied,
        reply_rate=_ratio(replied, received), on_time_rate=_ratio(get("on_time"), replied),
        avg_workdays=_ratio(get("workdays"), get("timed")),
        satisfaction=_ratio(get("satisfied"), rated), rated=rated, repeats=get("repeats"),
        on_time=get("on_time"), satisfied=get("satisfied"), timed=get("timed"),
        workdays=get("workdays"), level=level,
    )  # fmt: skip


def _day(value: date | datetime) -> date:
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def _unit_ids(units: Iterable[Unit | int]) -> list[int]:
    return [u if isinstance(u, int) else u.pk for u in units]


def unit_levels(units: Iterable[Unit]) -> dict[int, str]:
    """Unit id → "city" / "county" / "township" (see the module docstring)."""
    units = list(units)
    county_paths = tuple(u.path for u in units if u.category.code == "county_portal")
    levels = {}
    for unit in units:
        code = unit.category.code
        if code in TOWNSHIP_CATEGORIES:
            levels[unit.pk] = "township"
        elif code in COUNTY_CATEGORIES or (county_paths and unit.path.startswith(county_paths)):
            levels[unit.pk] = "county"
        else:
            levels[unit.pk] = "city"
    return levels


def split_period(
    start: date, end: date
) -> tuple[list[tuple[date, date]], tuple[date, date] | None]:
    """The whole calendar months inside [start, end] (read from ``UnitMonth``: first and last
    month, as first days) and the days left over at either end (read from ``UnitDay``)."""
    first = start if start.day == 1 else (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    stop = (end + timedelta(days=1)).replace(day=1)  # months before this one end by ``end``
    if first >= stop:
        return [(start, end)], None
    days = [(start, first - timedelta(days=1))] if start < first else []
    if stop <= end:
        days.append((stop, end))
    return days, (first, (stop - timedelta(days=1)).replace(day=1))


def _sums(start: date, end: date, unit_ids: list[int] | None) -> dict[int, dict]:
    """Counters per unit for messages received from ``start`` to ``end``."""
    fields = ("received", *COUNTERS)
    days, months = split_period(start, end)
    out: dict[int, dict] = {}
    parts = []
    if days:
        condition = Q()
        for low, high in days:
            condition |= Q(day__gte=low, day__lte=high)
        parts.append(UnitDay.objects.filter(condition))
    if months:
        parts.append(UnitMonth.objects.filter(month__gte=months[0], month__lte=months[1]))
    for rows in parts:
        if unit_ids is not None:
            rows = rows.filter(unit_id__in=unit_ids)
        grouped = rows.order_by().values("unit_id").annotate(**{f"s_{f}": Sum(f) for f in fields})
        for row in grouped:
            target = out.setdefault(row["unit_id"], dict.fromkeys(fields, 0))
            for f in fields:
                target[f] += row[f"s_{f}"] or 0
    return out


def sort_key(sort: str = "reply_rate"):
    """Key for ``sorted``: the chosen figure, then the default ranking order."""
    attribute, high_first = SORTS.get(sort, SORTS["reply_rate"])

    def rate(value: float | None, high: bool = True):
        return (value is None, -(value or 0) if high else (value or 0))

    def key(r: UnitRates):
        return (*rate(getattr(r, attribute), high_first), *rate(r.reply_rate),
                *rate(r.on_time_rate), *rate(r.satisfaction), -r.received, r.unit.path)  # fmt: skip

    return key


def unit_rates(start: date | datetime, end: date | datetime, level: str | None = None,
               units: Iterable[Unit | int] | None = None, *, include_empty: bool = False,
               sort: str = "reply_rate") -> list[UnitRates]:  # fmt: skip
    """One ``UnitRates`` per unit for messages received from ``start`` to ``end`` (both
    dates included), in ranking order with ``rank`` set (1, 2, …; units without messages
    get no rank). ``level``: "city", "county", "township" or None for all; ``units``: only
    these. Units without messages in the period are left out unless ``include_empty``
    (then only active units are added, with every rate None)."""
    start, end = _day(start), _day(end)
    if level is not None and level not in LEVELS:
        raise ValueError(f"未知的层级：{level}")
    wanted = None if units is None else _unit_ids(units)
    registry = Unit.objects.select_related("category").only(
        "id", "name", "short_name", "path", "depth", "is_active", "parent_id",
        "category__code", "category__name")  # fmt: skip
    all_units = list(registry)
    levels = unit_levels(all_units)
    if level is not None:
        keep = {pk for pk, lv in levels.items() if lv == level}
        wanted = list(keep if wanted is None else keep & set(wanted))
    sums = _sums(start, end, wanted)
    rows = []
    for unit in all_units:
        if wanted is not None and unit.pk not in wanted:
            continue
        data = sums.get(unit.pk)
        if not (data and data["received"]) and not (include_empty and unit.is_active):
            continue
        rows.append(make_rates(unit, data or {}, levels[unit.pk]))
    rows.sort(key=sort_key(sort))
    position = 0
    for row in rows:
        if row.received:
            position += 1
            row.rank = position
    return rows


def totals(rows: Iterable[UnitRates]) -> UnitRates:
    """The same figures over several units (unit None)."""
    keys = ("received", *COUNTERS)
    rows = list(rows)
    return make_rates(None, {k: sum(getattr(r, k) for r in rows) for k in keys})


def period_totals(start: date | datetime, end: date | datetime,
                  level: str | None = None) -> UnitRates:  # fmt: skip
    """All units (of one level) together, straight from the rollup."""
    unit_ids = None
    if level is not None:
        units = Unit.objects.select_related("category").only("id", "path", "category__code")
        unit_ids = [pk for pk, lv in unit_levels(units).items() if lv == level]
    sums = _sums(_day(start), _day(end), unit_ids).values()
    return make_rates(None, {k: sum(s[k] for s in sums) for k in ("received", *COUNTERS)})


def rates_for_scoring(unit: Unit | None, start: date | datetime,
                      end: date | datetime) -> dict | None:  # fmt: skip
    """For the scoring engine (004 art.21): ``{"reply_rate", "on_time_rate",
    "satisfaction"}`` in 0–1 for the messages ``unit`` handled that were received from
    ``start`` to ``end`` (inclusive). None when the unit had no messages; a single rate is
    None when it has no denominator (no replies yet, no ratings) — never 0 for no data."""
    if unit is None:
        return None
    sums = _sums(_day(start), _day(end), [unit.pk]).get(unit.pk, {})
    r = make_rates(unit, sums)
    if not r.received:
        return None
    return {"reply_rate": r.reply_rate, "on_time_rate": r.on_time_rate,
            "satisfaction": r.satisfaction}  # fmt: skip


@dataclass(frozen=True)
class Advanced:
    rank: int
    score: float
    rates: UnitRates


def composite(r: UnitRates) -> float | None:
    """Weighted mean of the rates that have data (weights in ``ADVANCED_WEIGHTS``); a rate
    without data gives its weight to the others."""
    parts = [(w, getattr(r, k)) for k, w in ADVANCED_WEIGHTS.items() if getattr(r, k) is not None]
    weight = sum(w for w, _ in parts)
    return sum(w * v for w, v in parts) / weight if weight else None


def advanced_units(year: int, top: int = 10, level: str | None = None,
                   min_messages: int = ADVANCED_MIN_MESSAGES) -> list[Advanced]:  # fmt: skip
    """The year's "网民留言办理先进单位" (004 art.22), computed from the ranking's figures.

    Rule: units with at least ``min_messages`` messages received in the calendar year
    (fewer is too little to judge) and at least one reply; score = 0.4 × reply rate +
    0.3 × on-time rate + 0.3 × satisfaction (a rate without data gives its weight to the
    others); ranked by score, then more messages, then fewer working days on average, then
    the registry's order; the first ``top``. ``level`` picks 市级 / 县（区）级 / 乡镇 units
    (e.g. level="county" for 先进县)."""
    rows = unit_rates(date(year, 1, 1), date(year, 12, 31), level=level)
    eligible = [(composite(r), r) for r in rows if r.received >= min_messages and r.replied]
    eligible.sort(key=lambda sr: (-sr[0], -sr[1].received,
                                  sr[1].avg_workdays if sr[1].avg_workdays is not None else 1e9,
                                  sr[1].unit.path))  # fmt: skip
    return [Advanced(rank=i, score=round(score, 4), rates=r)
            for i, (score, r) in enumerate(eligible[:top], 1)]  # fmt: skip


# -- periods ------------------------------------------------------------------------------


def month_bounds(year: int, month: int) -> tuple[date, date]:
    first = date(year, month, 1)
    following = date(year + (month == 12), month % 12 + 1, 1)
    return first, following - timedelta(days=1)


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    if quarter not in (1, 2, 3, 4):
        raise ValueError("季度须为 1–4")
    return month_bounds(year, 3 * quarter - 2)[0], month_bounds(year, 3 * quarter)[1]


def period_bounds(kind: str, today: date, start: date | None = None,
                  end: date | None = None) -> tuple[date, date]:  # fmt: skip
    """``"month"``, ``"quarter"``, ``"year"`` (from the first day of this one to ``today``) or "custom"
    (``start``–``end``, defaulting to the month so far)."""
    if kind == "quarter":
        return quarter_bounds(today.year, (today.month - 1) // 3 + 1)[0], today
    if kind == "year":
        return date(today.year, 1, 1), today
    if kind == "custom" and (start or end):
        start, end = start or date(today.year, 1, 1), end or today
        return (start, end) if start <= end else (end, start)
    return today.replace(day=1), today


def year_before(day: date) -> date:
    """The start of the twelve months that end on ``day`` (inclusive)."""
    try:
        back = day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        back = day.replace(year=day.year - 1, day=28)
    return back + timedelta(days=1)
