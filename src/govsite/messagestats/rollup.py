"""Keeping ``UnitDay`` equal to a recount of the messages (seed 004 art.19: 实时统计).

What a message counts for — the definition every number on the ranking page comes from:

* A message counts once, for its **owner** and its **day**. The owner is the unit that
  replied (``reply_unit``) once the message is replied or closed, otherwise the unit now
  handling it (``unit``). A message with no owner yet (not routed, or returned) or hidden
  counts for nobody. The day is the date it was received (``received_at`` in
  Asia/Shanghai), so a period is a cohort: "messages received from … to …, and what has
  happened to them so far".
* ``replied``: its status is 已答复 or 已办结 (a reply under review, or a reply reopened by
  an unsatisfied sender, is not a reply yet).
* ``on_time``: replied, and ``on_time`` is true (replied before ``due_at``).
* ``timed`` / ``workdays``: replied with a recorded ``handling_workdays`` (1 / that number).
* ``rated``: replied and rated (满意 / 基本满意 / 不满意); ``satisfied``: rated 满意 or 基本满意.
* ``repeats``: ``repeat_of`` is set (the sender had written about it before).

How it stays current: every ``MessageEvent`` insert (each workflow transition and each
submission writes exactly one) runs ``refresh(message_id)`` in the same transaction. It locks
the message row, works out the message's contribution now, compares it with what it added
last time (``MessageTally``) and moves only the difference, with ``INSERT … ON CONFLICT DO
UPDATE SET n = n + delta`` (atomic on SQLite and PostgreSQL; rows touched in key order, so two
transactions never wait on each other in a circle). A change made to a message without an
event (none in the workflow; ``repeats.link_repeat`` right after submission is read at the
routing event that follows) shows at the message's next event, or after ``rebuild()``.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import TruncDate
from django.utils import timezone

from govsite.messagestats.models import COUNTERS, MessageTally, UnitDay
from govsite.messaging.models import Message, Status

REPLIED_STATES = (Status.REPLIED, Status.CLOSED)
RATINGS = ("satisfied", "basic", "unsatisfied")
GOOD_RATINGS = ("satisfied", "basic")
MESSAGE_FIELDS = ("status", "unit_id", "reply_unit_id", "received_at", "on_time",
                  "handling_workdays", "satisfaction", "repeat_of_id")  # fmt: skip
TALLY_FIELDS = ("unit_id", "day", *COUNTERS)

Key = tuple[int, date]  # (unit id, day)
Vector = tuple[int, ...]  # received, then COUNTERS


def tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


# -- the definition, in Python (one message) and in SQL (all of them) --------------------


def contribution(row: dict) -> tuple[Key, Vector] | None:
    """(owner, day) and (received, replied, on_time, timed, workdays, rated, satisfied,
    repeats) for one message given as a dict of ``MESSAGE_FIELDS``; None: counts nowhere."""
    if row["status"] == Status.HIDDEN:
        return None
    replied = row["status"] in REPLIED_STATES
    owner = row["reply_unit_id"] if replied and row["reply_unit_id"] else row["unit_id"]
    if owner is None:
        return None
    day = timezone.localtime(row["received_at"], tz()).date()
    timed = replied and row["handling_workdays"] is not None
    rated = replied and row["satisfaction"] in RATINGS
    vector = (1, int(replied), int(replied and row["on_time"] is True), int(timed),
              row["handling_workdays"] if timed else 0, int(rated),
              int(rated and row["satisfaction"] in GOOD_RATINGS),
              int(row["repeat_of_id"] is not None))  # fmt: skip
    return (owner, day), vector


def _flag(condition: Q) -> Case:
    return Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())


def tallied(messages: QuerySet | None = None) -> QuerySet:
    """``contribution`` as SQL: (message id, owner, day, counters…) for every message that
    counts somewhere."""
    replied = Q(status__in=REPLIED_STATES)
    messages = Message.objects.all() if messages is None else messages
    return (
        messages.exclude(status=Status.HIDDEN)
        .annotate(
            t_unit=Case(When(replied & Q(reply_unit__isnull=False), then=F("reply_unit")),
                        default=F("unit")),
            t_day=TruncDate("received_at", tzinfo=tz()),
            t_replied=_flag(replied),
            t_on_time=_flag(replied & Q(on_time=True)),
            t_timed=_flag(replied & Q(handling_workdays__isnull=False)),
            t_workdays=Case(When(replied & Q(handling_workdays__isnull=False),
                                 then=F("handling_workdays")),
                            default=Value(0), output_field=IntegerField()),
            t_rated=_flag(replied & Q(satisfaction__in=RATINGS)),
            t_satisfied=_flag(replied & Q(satisfaction__in=GOOD_RATINGS)),
            t_repeats=_flag(Q(repeat_of__isnull=False)),
        )  # fmt: skip
        .filter(t_unit__isnull=False)
        .order_by()
        .values_list("pk", "t_unit", "t_day", *(f"t_{c}" for c in COUNTERS))
    )


def recount(messages: QuerySet | None = None) -> dict[Key, Vector]:
    """The truth the rollup must equal: sums per (unit, day), from the messages themselves."""
    sums: dict[Key, list[int]] = defaultdict(lambda: [0] * (len(COUNTERS) + 1))
    for _pk, unit, day, *counters in tallied(messages).iterator(chunk_size=5000):
        row = sums[(unit, day)]
        row[0] += 1
        for i, value in enumerate(counters, 1):
            row[i] += value
    return {key: tuple(value) for key, value in sums.items()}


def stored(days: tuple[date, date] | None = None) -> dict[Key, Vector]:
    """What ``UnitDay`` holds (rows that are all zero left out), optionally for a day range."""
    rows = UnitDay.objects.all()
    if days:
        rows = rows.filter(day__range=days)
    out = {}
    for unit, day, *counts in rows.values_list("unit_id", "day", "received", *COUNTERS):
        if any(counts):
            out[(unit, day)] = tuple(counts)
    return out


# -- incremental: one message, at each of its events -------------------------------------


def on_event_saved(sender, instance, created, raw=False, **kwargs) -> None:
    """post_save of MessageEvent: runs inside the transition's transaction."""
    if created and not raw:
        refresh(instance.message_id)


def refresh(message_id: int) -> None:
    """Move this message's contribution from what was tallied to what it is now."""
    with transaction.atomic(savepoint=False):
        row = (Message.objects.select_for_update().filter(pk=message_id)
               .values(*MESSAGE_FIELDS).first())  # fmt: skip
        new = contribution(row) if row else None
        tally = (MessageTally.objects.select_for_update().filter(message_id=message_id)
                 .values_list(*TALLY_FIELDS).first())  # fmt: skip
        old = ((tally[0], tally[1]), (1, *tally[2:])) if tally else None
        if old == new:
            return
        deltas: dict[Key, list[int]] = defaultdict(lambda: [0] * (len(COUNTERS) + 1))
        for entry, sign in ((old, -1), (new, 1)):
            if entry is not None:
                key, vector = entry
                for i, value in enumerate(vector):
                    deltas[key][i] += sign * value
        add(deltas)
        if new is None:
            MessageTally.objects.filter(message_id=message_id).delete()
            return
        (unit, day), (_one, *counters) = new
        values = dict(zip(COUNTERS, counters, strict=True)) | {"unit_id": unit, "day": day}
        if tally is None:
            MessageTally.objects.create(message_id=message_id, **values)
        else:
            MessageTally.objects.filter(message_id=message_id).update(**values)


def add(deltas: dict[Key, list[int] | tuple[int, ...]]) -> None:
    """Add each vector to its (unit, day) row, creating the row when needed."""
    rows = [(unit, day, *vector) for (unit, day), vector in sorted(deltas.items())
            if any(vector)]  # fmt: skip
    if not rows:
        return
    columns = ("unit_id", "day", "received", *COUNTERS)
    table = connection.ops.quote_name(UnitDay._meta.db_table)
    sets = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in columns[2:])
    marks = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks}) "
            f"ON CONFLICT (unit_id, day) DO UPDATE SET {sets}",
            rows,
        )


# -- in bulk ------------------------------------------------------------------------------


def _lock_tables(cursor) -> None:
    """On PostgreSQL, keep transitions from moving tallies while a bulk step rewrites them
    (they wait; readers do not). SQLite runs one writer at a time anyway."""
    if connection.vendor == "postgresql":
        names = ", ".join(connection.ops.quote_name(m._meta.db_table)
                          for m in (MessageTally, UnitDay))  # fmt: skip
        cursor.execute(f"LOCK TABLE {names} IN EXCLUSIVE MODE")


def _insert_tallies(cursor, messages: QuerySet | None) -> None:
    sql, params = tallied(messages).query.get_compiler(using=connection.alias).as_sql()
    table = connection.ops.quote_name(MessageTally._meta.db_table)
    cursor.execute(f"INSERT INTO {table} (message_id, {', '.join(TALLY_FIELDS)}) {sql}", params)


def _sum_tallies_into_days(cursor, where: str = "", params=()) -> None:
    tally = connection.ops.quote_name(MessageTally._meta.db_table)
    days = connection.ops.quote_name(UnitDay._meta.db_table)
    columns = ("received", *COUNTERS)
    sums = ", ".join(f"SUM({c})" for c in COUNTERS)
    sets = ", ".join(f"{c} = {days}.{c} + excluded.{c}" for c in columns)
    cursor.execute(
        f"INSERT INTO {days} (unit_id, day, {', '.join(columns)}) "
        f"SELECT unit_id, day, COUNT(*), {sums} FROM {tally} WHERE {where or '1 = 1'} "
        f"GROUP BY unit_id, day ON CONFLICT (unit_id, day) DO UPDATE SET {sets}",
        list(params),
    )


def rebuild() -> int:
    """Recompute both tables from the messages; returns the number of tallied messages."""
    with transaction.atomic(), connection.cursor() as cursor:
        _lock_tables(cursor)
        UnitDay.objects.all().delete()
        MessageTally.objects.all().delete()
        _insert_tallies(cursor, None)
        _sum_tallies_into_days(cursor)
        return MessageTally.objects.count()


def add_new_messages(first_id: int) -> int:
    """Tally messages with ``id >= first_id`` that were inserted without events (a bulk
    load) and add them to the days. They must not have been tallied before."""
    with transaction.atomic(), connection.cursor() as cursor:
        _lock_tables(cursor)
        if MessageTally.objects.filter(message_id__gte=first_id).exists():
            raise ValueError(f"messages from id {first_id} are already tallied")
        _insert_tallies(cursor, Message.objects.filter(pk__gte=first_id))
        _sum_tallies_into_days(cursor, "message_id >= %s", [first_id])
        return MessageTally.objects.filter(message_id__gte=first_id).count()
