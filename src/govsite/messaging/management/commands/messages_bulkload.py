"""``govsite messages_bulkload N [--units CODE …]``: insert N realistic messages fast.

For load tests and the ranking benchmark (1,000,000 messages). Each message is written as the
workflow would have left it — received, reviewed (published, kept private or hidden), routed,
accepted, replied (on time or late, in working days from the calendar in force), rated
(an unsatisfied first rating reopens the message once, as ``workflow`` does), some still
in progress, some repeats of an earlier message by the same sender — spread over the
registry's units (some busier and better than others) and the last ``--days`` days, with
the matching ``MessageEvent`` history (``--events all``: every step; ``minimal``: submit,
reply and rate only). Staff actors are left empty (no real person made these steps).

Fast: rows are generated in Python and written in batches with PostgreSQL ``COPY`` (with
``bulk_create`` on other databases); ids are reserved from the sequence so repeats can point
at earlier messages; the statistics rollup is brought up to date at the end with one set
query (``messagestats.rollup.add_new_messages``), since COPY fires no signals. Run it while
nothing else writes messages. Loaded messages have numbers of 18 digits (date + id), so
they never collide with real 16-digit numbers, ``source = "bulkload"``, and query codes
nobody knows.
"""

from __future__ import annotations

import bisect
import hashlib
import random
import time
from datetime import date, datetime, timedelta
from enum import Enum

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from govsite.messaging.models import (
    Channel,
    DeadlinePolicy,
    Message,
    MessageEvent,
    MessageType,
    Status,
)
from govsite.messaging.workflow import REPLY_KINDS, SATISFACTION
from govsite.registry.models import Unit
from govsite.workdays.calendar import UnknownYearError
from govsite.workdays.service import current_calendar

TYPES = [(MessageType.CONSULT, 45), (MessageType.COMPLAINT, 20), (MessageType.SUGGESTION, 15),
         (MessageType.REPORT, 5), (MessageType.OTHER, 15)]  # fmt: skip
PLACES = ["城关镇", "滨河路", "东关街道", "新区", "人民路", "北山社区", "开发区", "南湖小区",
          "西郊村", "火车站附近", "第三中学门口", "中心广场"]  # fmt: skip
TOPICS = ["幼儿园入学", "冬季供暖", "道路破损", "夜间施工噪音", "公交线路调整", "医保报销",
          "农民工工资拖欠", "违章建筑", "垃圾清运", "路灯不亮", "自来水停水", "物业收费",
          "户籍办理", "养老金发放", "低保申请", "食品安全", "校外培训", "停车难"]  # fmt: skip
ASKS = ["尽快处理", "给予答复", "协调解决", "加强监管", "公开办理进度"]
RESULTS = ["相关部门已安排人员现场核实并完成整改", "该事项已纳入今年工作计划，将于近期实施",
           "经核实，情况属实，已责令责任单位限期整改", "已协调有关单位，问题已经解决",
           "相关政策规定如下，请按要求准备材料后到政务服务中心办理"]  # fmt: skip
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"
TITLE_WORDS = {MessageType.CONSULT: "咨询", MessageType.COMPLAINT: "投诉",
               MessageType.SUGGESTION: "建议", MessageType.REPORT: "举报", MessageType.OTHER: "反映"}  # fmt: skip
HIDE_REASONS = ["含有他人隐私信息", "内容与政务无关", "重复提交"]
COLUMNS = [f.column for f in Message._meta.concrete_fields]
EVENT_COLUMNS = ["message_id", "at", "actor_id", "action", "from_status", "to_status",
                 "unit_id", "note", "public"]  # fmt: skip
HOUR = timedelta(hours=1)


class Calendar:
    """Working days for the whole span, precomputed: add and count in O(log n)."""

    def __init__(self, first: date, last: date):
        calendar = current_calendar()
        self.first = first
        self.workdays: list[date] = []
        day = first
        while day <= last:
            try:
                works = calendar.is_workday(day)
            except UnknownYearError:
                works = day.weekday() < 5
            if works:
                self.workdays.append(day)
            day += timedelta(days=1)

    def count_through(self, day: date) -> int:
        return bisect.bisect_right(self.workdays, day)

    def between(self, start: datetime, end: datetime) -> int:
        a, b = timezone.localtime(start).date(), timezone.localtime(end).date()
        return self.count_through(b) - self.count_through(a)

    def add(self, start: datetime, n: int) -> datetime:
        local = timezone.localtime(start)
        index = self.count_through(local.date()) + n - 1
        day = self.workdays[min(index, len(self.workdays) - 1)]
        return datetime.combine(day, local.timetz())


class Command(BaseCommand):
    help = "批量生成网民留言（压测和排名页基准用）"

    def add_arguments(self, parser):
        parser.add_argument("count", type=int)
        parser.add_argument("--units", nargs="*", default=None, help="只用这些单位编码")
        parser.add_argument("--days", type=int, default=365, help="留言分布在最近多少天")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--batch", type=int, default=20000)
        parser.add_argument("--events", choices=["all", "minimal"], default="all")
        parser.add_argument("--now", type=datetime.fromisoformat, default=None,
                            help="以此时间为“现在”（默认当前时间）")  # fmt: skip

    def handle(self, *args, count, units, days, seed, batch, events, now, **options):
        if count < 1:
            raise CommandError("N 须为正整数")
        started = time.monotonic()
        now = now or timezone.now()
        if timezone.is_naive(now):
            now = timezone.make_aware(now)
        generator = Generator(
            self.pick_units(units), self.channels(), now, days, seed, events, count
        )
        first_id = None
        done = 0
        while done < count:
            size = min(batch, count - done)
            ids = reserve_ids(size)
            first_id = first_id or ids[0]
            messages, history = generator.batch(ids)
            with transaction.atomic():
                write(Message, COLUMNS, messages)
                write(MessageEvent, EVENT_COLUMNS, history)
            done += size
            verbosity = options.get("verbosity", 1)
            if verbosity and (verbosity > 1 or done == count or done % (batch * 10) == 0):
                rate = done / (time.monotonic() - started)
                self.stdout.write(f"  {done:,} / {count:,} 条（{rate:,.0f} 条/秒）")
        from govsite.messagestats.rollup import add_new_messages

        tallied = add_new_messages(first_id)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for model in (Message, MessageEvent):
                    cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
        seconds = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(
            f"已生成 {count:,} 条留言、{generator.events:,} 条办理记录，计入统计 {tallied:,} 条，"
            f"用时 {seconds:.1f} 秒（{count / seconds:,.0f} 条/秒）。"))  # fmt: skip

    def pick_units(self, codes):
        units = Unit.objects.filter(is_active=True).select_related("category")
        if codes:
            units = units.filter(code__in=codes)
        units = list(units)
        if not units:
            raise CommandError("没有可用的单位：请先导入单位名录（或检查 --units）")
        return units

    def channels(self):
        channels = list(Channel.objects.filter(is_active=True).select_related("unit"))
        if not channels:
            root = Unit.objects.filter(is_active=True).order_by("depth", "path").first()
            channels = [Channel.objects.create(slug="bulkload-board", name="网上留言板",
                                               kind=Channel.Kind.BOARD, unit=root)]  # fmt: skip
        return channels


def reserve_ids(n: int) -> list[int]:
    """n fresh message ids (from the sequence on PostgreSQL)."""
    table = Message._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) "
                           "FROM generate_series(1, %s)", [table, n])  # fmt: skip
            return sorted(row[0] for row in cursor.fetchall())
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")
        start = cursor.fetchone()[0] + 1
    return list(range(start, start + n))


def write(model, columns: list[str], rows: list[tuple]) -> None:
    if not rows:
        return
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(model._meta.db_table)
        with connection.cursor() as cursor:
            raw = cursor.cursor  # the psycopg cursor under Django's wrapper
            with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        return
    attnames = {f.column: f.attname for f in model._meta.concrete_fields}
    objects = [model(**{attnames[c]: v for c, v in zip(columns, row, strict=True)})
               for row in rows]  # fmt: skip
    model.objects.bulk_create(objects, batch_size=500)


class Generator:
    """Messages and their history, in order of arrival."""

    def __init__(self, units, channels, now, days, seed, events, total):
        self.rng = random.Random(seed)
        self.now, self.events_mode, self.events = now, events, 0
        self.start = now - timedelta(days=days)
        self.span = (now - self.start).total_seconds()
        self.units = units
        # Busier and better units: a volume weight and a reply quality per unit.
        self.weights = [self.rng.lognormvariate(0, 1) for _ in units]
        self.cumulative = []
        running = 0.0
        for w in self.weights:
            running += w
            self.cumulative.append(running)
        self.quality = {u.pk: self.rng.uniform(0.8, 0.995) for u in units}
        self.speed = {u.pk: self.rng.uniform(1.0, 6.0) for u in units}
        self.channels = channels
        policies = {p.message_type: p for p in DeadlinePolicy.objects.all()}
        self.policy = {t: policies.get(t) or DeadlinePolicy(message_type=t) for t, _ in TYPES}
        self.types = [t for t, _ in TYPES]
        self.type_weights = [w for _, w in TYPES]
        self.calendar = Calendar(timezone.localtime(self.start).date() - timedelta(days=1),
                                 timezone.localtime(now).date() + timedelta(days=120))  # fmt: skip
        self.previous_by_unit: dict[int, list[tuple[int, str]]] = {}
        self.total, self.index = total, 0

    def batch(self, ids: list[int]):
        """Rows for these ids; arrival times are spread evenly over the span and grow with
        the id (message i of N arrives in the i-th slice)."""
        messages, history = [], []
        for pk in ids:
            slot = (self.index + self.rng.random()) / self.total
            self.index += 1
            row, steps = self.message(pk, self.start + timedelta(seconds=self.span * slot))
            messages.append(row)
            history.extend(steps)
        self.events += len(history)
        return messages, history

    def message(self, pk: int, received: datetime):
        rng = self.rng
        unit = self.units[bisect.bisect_left(self.cumulative, rng.random() * self.cumulative[-1])]
        channel = rng.choice(self.channels)
        kind = rng.choices(self.types, self.type_weights)[0]
        place, topic = rng.choice(PLACES), rng.choice(TOPICS)
        title = f"关于{place}{topic}问题的{TITLE_WORDS[kind]}"
        content = (f"{place}的{topic}问题已经持续{rng.randint(2, 60)}天，周边群众反映强烈，"
                   f"希望有关部门{rng.choice(ASKS)}。")  # fmt: skip
        anonymous = rng.random() < 0.1
        name = (
            ""
            if anonymous
            else rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.randint(1, 2)))
        )
        phone = f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"
        wants_public = rng.random() < 0.85
        complex_ = rng.random() < 0.1
        repeat_of = None
        earlier = self.previous_by_unit.setdefault(unit.pk, [])
        if earlier and rng.random() < 0.03:
            repeat_of, phone = rng.choice(earlier)
        earlier.append((pk, phone))
        if len(earlier) > 200:
            del earlier[:100]
        policy = self.policy[kind]
        m = {
            "id": pk, "number": f"{timezone.localtime(received):%Y%m%d}{pk:010d}",
            "query_code_hash": f"{rng.getrandbits(256):064x}", "channel_id": channel.pk,
            "message_type": kind, "title": title, "content": content, "sender_name": name,
            "sender_phone": phone, "sender_email": "",
            "sender_key": hashlib.sha256(f"who:{phone}".encode()).hexdigest(),
            "contact_verified": False, "anonymous": anonymous, "wants_public": wants_public,
            "is_public": False, "status": Status.SUBMITTED, "hide_reason": "",
            "important": False, "complex": complex_, "unit_id": None, "received_at": received,
            "acknowledged_at": None, "ack_due_at": received + policy.ack_hours * HOUR,
            "assigned_at": None, "due_at": None, "extended": False, "extension_reason": "",
            "replied_at": None, "reply": "", "reply_kind": "", "reply_unit_id": None,
            "on_time": None, "handling_workdays": None, "satisfaction": "", "reopened": 0,
            "repeat_of_id": repeat_of, "source": "bulkload", "external_id": "",
            "idempotency_key": "", "sender_address": "", "repeat_checked": True,
            "updated_at": received,
        }  # fmt: skip
        steps: list[tuple] = []
        full = self.events_mode == "all"

        def event(at, action, from_status, to_status, unit_id, note="", public=False, always=False):
            if full or always:
                steps.append(
                    (
                        pk,
                        at,
                        None,
                        action,
                        plain(from_status),
                        plain(to_status),
                        unit_id,
                        note,
                        public,
                    )
                )
            m["updated_at"] = at

        event(received, "submit", "", Status.SUBMITTED, channel.unit_id,
              f"通过「{channel.name}」提交", True, always=True)  # fmt: skip
        reviewed = received + timedelta(hours=rng.uniform(0.2, 20))
        if reviewed > self.now:
            return self.row(m), steps
        m["acknowledged_at"] = reviewed
        if rng.random() < 0.015:
            reason = rng.choice(HIDE_REASONS)
            m.update(status=Status.HIDDEN, hide_reason=reason)
            event(reviewed, "hide", Status.SUBMITTED, Status.HIDDEN, None, reason)
            return self.row(m), steps
        public = wants_public and kind != MessageType.REPORT
        m.update(status=Status.COLLECTED, is_public=public)
        event(
            reviewed,
            "publish" if public else "keep_private",
            Status.SUBMITTED,
            Status.COLLECTED,
            None,
        )
        routed = reviewed + timedelta(minutes=rng.uniform(1, 240))
        if routed > self.now:
            return self.row(m), steps
        days = policy.complex_workdays if complex_ else policy.simple_workdays
        m.update(status=Status.ASSIGNED, unit_id=unit.pk, assigned_at=routed,
                 due_at=self.calendar.add(routed, days))  # fmt: skip
        event(routed, "route", Status.COLLECTED, Status.ASSIGNED, unit.pk,
              f"转至「{unit.name}」办理", True)  # fmt: skip
        accepted = routed + timedelta(hours=rng.uniform(0.1, 30))
        if accepted > self.now:
            return self.row(m), steps
        m["status"] = Status.HANDLING
        event(accepted, "accept", Status.ASSIGNED, Status.HANDLING, unit.pk)
        if rng.random() > self.quality[unit.pk]:
            return self.row(m), steps  # never answered: overdue in the statistics
        for round_ in (0, 1):
            start = m["assigned_at"]
            workdays = min(int(rng.expovariate(1 / self.speed[unit.pk])), 30)
            replied = self.calendar.add(start, max(workdays, 0)) + timedelta(
                minutes=rng.uniform(-300, 300)
            )
            replied = max(replied, accepted + timedelta(minutes=5))
            if replied > self.now:
                return self.row(m), steps
            reply_kind = (
                "thanks" if kind == MessageType.SUGGESTION and rng.random() < 0.3 else "answer"
            )
            text = (f"您好！您反映的{topic}问题已收悉。经核查，{rng.choice(RESULTS)}。"
                    f"{REPLY_KINDS[reply_kind] if reply_kind != 'answer' else '感谢您对我们工作的关注和支持。'}")  # fmt: skip
            m.update(status=Status.REPLIED, replied_at=replied, reply=text, reply_kind=reply_kind,
                     reply_unit_id=unit.pk, on_time=replied <= m["due_at"],
                     handling_workdays=max(0, self.calendar.between(start, replied)))  # fmt: skip
            event(
                replied, "reply", Status.HANDLING, Status.REPLIED, unit.pk, text, True, always=True
            )
            if rng.random() > 0.55:
                return self.row(m), steps  # not rated
            rated = replied + timedelta(hours=rng.uniform(1, 120))
            if rated > self.now:
                return self.row(m), steps
            roll = rng.random() * self.quality[unit.pk]
            rating = "satisfied" if roll < 0.6 else "basic" if roll < 0.85 else "unsatisfied"
            if rating == "unsatisfied" and round_ == 0:  # reopens once (workflow.target_status)
                m.update(status=Status.HANDLING, satisfaction=rating, reopened=1, replied_at=None,
                         assigned_at=rated, due_at=self.calendar.add(rated, days))  # fmt: skip
                event(rated, "rate", Status.REPLIED, Status.HANDLING, unit.pk,
                      SATISFACTION[rating], True, always=True)  # fmt: skip
                accepted = rated
                continue
            m.update(status=Status.CLOSED, satisfaction=rating)
            event(rated, "rate", Status.REPLIED, Status.CLOSED, unit.pk, SATISFACTION[rating],
                  True, always=True)  # fmt: skip
            break
        return self.row(m), steps

    @staticmethod
    def row(m: dict) -> tuple:
        return tuple(plain(m[c]) for c in COLUMNS)


def plain(value):
    """Choices members as their plain values (the COPY adapters want exact types)."""
    return value.value if isinstance(value, Enum) else value
