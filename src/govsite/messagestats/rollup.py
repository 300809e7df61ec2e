"""Keeping ``UnitDay`` and ``UnitMonth`` equal to a recount of the messages (seed 004
art.19: 实时统计).

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
transactions never wait on each other in a circle; ``repeats.link_repeat`` writes its own
``repeat`` event). Rows written in bulk without signals (``messages_bulkload``, the importer)
are added with ``add_new_messages(first_id)``; any other change made without an event shows
at the message's next event, or after ``rebuild()`` (``govsite messagestats_rebuild``).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import TruncDate
from django.utils import timezone

from govsite.messagestats.models import COUNTERS, MessageTally, UnitDay, UnitMonth
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
            t_unit=Case(
                When(replied & Q(reply_unit__isnull=False), then=F("reply_unit")), default=F("unit")
            ),
            t_day=TruncDate("received_at", tzinfo=tz()),
            t_replied=_flag(replied),
            t_on_time=_flag(replied & Q(on_time=True)),
            t_timed=_flag(replied & Q(handling_workdays__isnull=False)),
            t_workdays=Case(
                When(replied & Q(handling_workdays__isnull=False), then=F("handling_workdays")),
                default=Value(0),
                output_field=IntegerField(),
            ),
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


def stored_months() -> dict[Key, Vector]:
    """What ``UnitMonth`` holds (all-zero rows left out), keyed by (unit, first of month)."""
    out = {}
    for unit, month, *counts in UnitMonth.objects.values_list("unit_id", "month", "received",
                                                              *COUNTERS):  # fmt: skip
        if any(counts):
            out[(unit, month)] = tuple(counts)
    return out


def by_month(days: dict[Key, Vector]) -> dict[Key, Vector]:
    """Day sums (``recount`` / ``stored``) added up per month, to compare with UnitMonth."""
    sums: dict[Key, list[int]] = defaultdict(lambda: [0] * (len(COUNTERS) + 1))
    for (unit, day), vector in days.items():
        row = sums[(unit, day.replace(day=1))]
        for i, value in enumerate(vector):
            row[i] += value
    return {key: tuple(value) for key, value in sums.items() if any(value)}


# -- incremental: one message, at each of its events -------------------------------------


def on_event_saved(sender, instance, created, raw=False, **kwargs) -> None:
    """post_save of MessageEvent: runs inside the transition's transaction."""
    if not created or raw:
        return
    if instance.action == "submit":
        # intake.submit's event for the message it has just inserted, held in memory: with
        # no unit it counts nowhere and cannot have been tallied. Nothing to read.
        message = instance._state.fields_cache.get("message")
        if message is not None and message.unit_id is None and message.reply_unit_id is None:
            return
    refresh(instance.message_id)


def _columns(model, names) -> list[str]:
    return [model._meta.get_field(name.removesuffix("_id")).column for name in names]


def refresh(message_id: int) -> None:
    """Move this message's contribution from what was tallied to what it is now.

    Raw SQL on purpose: it runs in every transition, and the ORM's per-query overhead was
    measured at ~1.5 ms against ~0.2 ms for the statement itself (PostgreSQL, bench/)."""
    q = connection.ops.quote_name
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(map(q, _columns(Message, MESSAGE_FIELDS)))} "
            f"FROM {q(Message._meta.db_table)} WHERE id = %s{lock}",
            [message_id],
        )
        found = cursor.fetchone()
        row = dict(zip(MESSAGE_FIELDS, found, strict=True)) if found else None
        if row and timezone.is_naive(row["received_at"]):  # SQLite: stored in UTC, naive
            row["received_at"] = row["received_at"].replace(tzinfo=UTC)
        new = contribution(row) if row else None
        table = q(MessageTally._meta.db_table)
        cursor.execute(f"SELECT {', '.join(TALLY_FIELDS)} FROM {table} WHERE message_id = %s{lock}",
                       [message_id])  # fmt: skip
        tally = cursor.fetchone()
        old = ((tally[0], _date(tally[1])), (1, *tally[2:])) if tally else None
        if old == new:
            return
        deltas: dict[Key, list[int]] = defaultdict(lambda: [0] * (len(COUNTERS) + 1))
        for entry, sign in ((old, -1), (new, 1)):
            if entry is not None:
                key, vector = entry
                for i, value in enumerate(vector):
                    deltas[key][i] += sign * value
        add(deltas, cursor)
        if new is None:
            cursor.execute(f"DELETE FROM {table} WHERE message_id = %s", [message_id])
            return
        (unit, day), (_one, *counters) = new
        sets = ", ".join(f"{c} = excluded.{c}" for c in TALLY_FIELDS)
        cursor.execute(
            f"INSERT INTO {table} (message_id, {', '.join(TALLY_FIELDS)}) "
            f"VALUES ({', '.join(['%s'] * (len(TALLY_FIELDS) + 1))}) "
            f"ON CONFLICT (message_id) DO UPDATE SET {sets}",
            [message_id, unit, day, *counters],
        )


def _date(value) -> date:
    return date.fromisoformat(value) if isinstance(value, str) else value


def add(deltas: dict[Key, list[int] | tuple[int, ...]], cursor=None) -> None:
    """Add each vector to its (unit, day) row and to its (unit, month) row, creating rows
    when needed; rows in key order, so two transactions never wait for each other in a
    circle."""
    months: dict[Key, list[int]] = defaultdict(lambda: [0] * (len(COUNTERS) + 1))
    for (unit, day), vector in deltas.items():
        for i, value in enumerate(vector):
            months[(unit, day.replace(day=1))][i] += value
    for model, key, changes in ((UnitDay, "day", deltas), (UnitMonth, "month", months)):
        rows = [(unit, when, *vector) for (unit, when), vector in sorted(changes.items())
                if any(vector)]  # fmt: skip
        if not rows:
            continue
        columns = ("unit_id", key, "received", *COUNTERS)
        table = connection.ops.quote_name(model._meta.db_table)
        sets = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in columns[2:])
        values = ", ".join(["(" + ", ".join(["%s"] * len(columns)) + ")"] * len(rows))
        sql = (f"INSERT INTO {table} ({', '.join(columns)}) VALUES {values} "
               f"ON CONFLICT (unit_id, {key}) DO UPDATE SET {sets}")  # fmt: skip
        params = [value for row in rows for value in row]
        if cursor is not None:
            cursor.execute(sql, params)
        else:
            with connection.cursor() as own:
                own.execute(sql, params)


# -- in bulk ------------------------------------------------------------------------------


def _lock_tables(cursor) -> None:
    """On PostgreSQL, keep transitions from moving tallies while a bulk step rewrites them
    (they wait; readers do not). SQLite runs one writer at a time anyway."""
    if connection.vendor == "postgresql":
        names = ", ".join(connection.ops.quote_name(m._meta.db_table)
                          for m in (MessageTally, UnitDay, UnitMonth))  # fmt: skip
        cursor.execute(f"LOCK TABLE {names} IN EXCLUSIVE MODE")


def _month_of(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"CAST(date_trunc('month', {column}) AS date)"
    return f"date({column}, 'start of month')"  # SQLite


def _tally(cursor, messages: QuerySet | None) -> None:
    """Add these messages to the days and months, then record their tallies (statements over
    the same selection; transitions wait on the table lock in between)."""
    sql, params = tallied(messages).query.get_compiler(using=connection.alias).as_sql()
    tally = connection.ops.quote_name(MessageTally._meta.db_table)
    columns = ("received", *COUNTERS)
    sums = ", ".join(f"SUM(t_{c})" for c in COUNTERS)
    for model, key, expression in ((UnitDay, "day", "t_day"),
                                   (UnitMonth, "month", _month_of("t_day"))):  # fmt: skip
        table = connection.ops.quote_name(model._meta.db_table)
        sets = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in columns)
        cursor.execute(
            f"INSERT INTO {table} (unit_id, {key}, {', '.join(columns)}) "
            f"SELECT t_unit, {expression}, COUNT(*), {sums} FROM ({sql}) selected WHERE 1 = 1 "
            f"GROUP BY t_unit, {expression} ON CONFLICT (unit_id, {key}) DO UPDATE SET {sets}",
            params,
        )
    cursor.execute(f"INSERT INTO {tally} (message_id, {', '.join(TALLY_FIELDS)}) {sql}", params)
    if connection.vendor == "postgresql":  # fresh planner statistics for the ranking
        for model in (MessageTally, UnitDay, UnitMonth):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def rebuild() -> int:
    """Recompute both tables from the messages; returns the number of tallied messages."""
    with transaction.atomic(), connection.cursor() as cursor:
        _lock_tables(cursor)
        for model in (UnitDay, UnitMonth, MessageTally):
            model.objects.all().delete()
        _tally(cursor, None)
        return MessageTally.objects.count()


def add_new_messages(first_id: int) -> int:
    """Tally the messages with ``id >= first_id`` that are not tallied yet — rows inserted
    in bulk, without events (a bulk load, an import). Idempotent; messages already tallied
    by their events are left alone. Returns how many were added."""
    with transaction.atomic(), connection.cursor() as cursor:
        _lock_tables(cursor)
        before = MessageTally.objects.filter(message_id__gte=first_id).count()
        done = MessageTally.objects.filter(message_id__gte=first_id).values("message_id")
        _tally(cursor, Message.objects.filter(pk__gte=first_id).exclude(pk__in=done))
        return MessageTally.objects.filter(message_id__gte=first_id).count() - before
