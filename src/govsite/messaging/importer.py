"""Import of messages from external boards (issue item 1; 三级联动 item 7; real data item 9).

Reads a CSV (UTF-8 with or without BOM, or GBK as Excel saves it) or XLSX file with the
Chinese headers of the 2020 data and of 人民网《领导留言板》-style exports:

    留言编号, 留言用户, 留言主题, 留言时间, 留言详情 (required), 答复意见, 答复时间,
    一级分类, 留言类型, 单位 (optional); other columns (点赞数, 反对数 …) are ignored.

**History, not workflow.** An imported message already happened elsewhere: it was written,
published, routed and answered on the original board. The importer therefore writes the
rows directly (``bulk_create`` in batches of 1,000) with the events at their original
times (提交 / 公开 / 转办 / 答复), instead of replaying ``workflow.transition`` — which would
check today's roles and deadlines and stamp every step with today's date. What it sets
is what the workflow would have set:

* ``external_id`` = 留言编号 and ``source`` (idempotent: a (source, 留言编号) already
  imported is skipped, so a re-import adds nothing); ``received_at`` = 留言时间 and
  ``replied_at`` = 答复时间, both read as Asia/Shanghai time.
* **Unit** by topic (``route``): the editable dictionary ``data/topic_units.yaml`` maps
  the first-level class (一级分类) and title / text keywords to a unit of the registry; a
  单位 column overrides it. On a county board the county's own office of that kind takes
  it (三级联动), else the county government. A topic nobody handles: not routed.
* **Replied** rows (答复意见 + 答复时间): 已答复, ``reply_unit`` = the unit (the board's own
  unit when the topic is unknown: someone there answered), ``due_at`` from the per-type
  ``DeadlinePolicy`` (simple matter) counted in working days from 留言时间,
  ``on_time`` = replied by then, ``handling_workdays`` from the working-day calendar
  (``None`` for a year the calendar does not know; the report says how many).
* **Unanswered** rows received before ``close_unanswered_before``: archived as 已办结
  with **no unit** — history whose outcome the source does not record. They are public,
  counted in volumes by topic and in repeats, but in no unit's rates (the statistics would
  otherwise count them as replied late), never reminded; the close event names the unit
  the topic points to. Later ones are **open**: routed ones 已转办，待签收 from the import on
  (deadline counted from the import: the unit gets them now), the rest 待转办 in the
  information office's queue.
* **Type** from the 留言类型 column, else from the title (``types`` in the dictionary:
  举报 words first; default 咨询). **Public**: every message was published on its board,
  so all are public — except 举报, which this system never publishes.
* The sender's pseudonym becomes ``sender_name`` and, hashed with the source,
  ``sender_key`` (so repeats by the same account are found); no contact details.
* **Repeats** among the imported rows and the existing messages of the period are linked
  (``repeats.find_repeats_among``), and the per-unit statistics rollup is brought up to
  date for the new rows.

All-or-nothing: every row is checked first and each problem reported as
``第 N 行，「列」列：…``; only a file without problems changes the database, in one
transaction (``dry_run`` checks and counts, then rolls back).
"""

from __future__ import annotations

import re
import secrets
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from django.apps import apps
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from govsite.core.audit import record
from govsite.core.pseudonyms import keyed_hash
from govsite.messaging.intake import clean_text, number_for_day
from govsite.messaging.models import (
    Channel,
    DeadlinePolicy,
    Message,
    MessageEvent,
    MessageType,
    Status,
)
from govsite.messaging.repeats import Candidate, find_repeats_among, save_matches
from govsite.registry import tabular
from govsite.registry.models import Unit
from govsite.workdays.calendar import UnknownYearError, to_china
from govsite.workdays.service import current_calendar

CHINA_TZ = ZoneInfo("Asia/Shanghai")
TOPICS_FILE = Path(__file__).parent / "data" / "topic_units.yaml"
BATCH = 1000
MAX_ROWS = 200_000
TITLE_MAX, SENDER_MAX, ID_MAX, REPLY_MAX = 100, 40, 60, 20_000


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool = False


COLUMNS = [
    Column("external_id", "留言编号", required=True),
    Column("sender", "留言用户"),
    Column("title", "留言主题", required=True),
    Column("received", "留言时间", required=True),
    Column("content", "留言详情", required=True),
    Column("reply", "答复意见"),
    Column("replied", "答复时间"),
    Column("topic_class", "一级分类"),
    Column("message_type", "留言类型"),
    Column("unit", "单位"),
]
HEADER_TO_KEY = {c.header: c.key for c in COLUMNS}
HEADER_OF = {c.key: c.header for c in COLUMNS}
TYPE_BY_LABEL = {str(label): value for value, label in MessageType.choices} | {
    value: value for value in MessageType.values
}


class RowError(tabular.RowError):
    """``第 N 行，「列」列：…``; a problem with the whole file (row 0) is just the message."""

    def __str__(self) -> str:
        return super().__str__() if self.row else self.message


ImportRejected = tabular.ImportRejected


# ---------------------------------------------------------------- the report


@dataclass
class ImportReport:
    source: str = ""
    file: str = ""
    rows: int = 0  # data rows in the file (after ``limit``)
    created: int = 0
    skipped: int = 0  # imported before: same source and 留言编号
    duplicates: int = 0  # the same row twice in the file
    replied: int = 0
    closed: int = 0  # unanswered, archived as 已办结
    open: int = 0  # unanswered and open (routed: 待签收; not routed: 待转办)
    routed: int = 0  # to a unit by topic (or the 单位 column)
    unrouted: int = (
        0  # topic unknown: open ones wait in 待转办, handled ones go to the board's unit
    )
    repeats: int = 0
    public: int = 0
    by_type: Counter = field(default_factory=Counter)
    by_unit: Counter = field(default_factory=Counter)
    by_channel: Counter = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0
    dry_run: bool = False

    def merge(self, other: ImportReport) -> ImportReport:
        out = ImportReport(source=self.source or other.source, dry_run=self.dry_run or other.dry_run,
                           file="、".join(f for f in (self.file, other.file) if f))  # fmt: skip
        for name in ("rows", "created", "skipped", "duplicates", "replied", "closed", "open",
                     "routed", "unrouted", "repeats", "public", "seconds"):  # fmt: skip
            setattr(out, name, getattr(self, name) + getattr(other, name))
        for name in ("by_type", "by_unit", "by_channel"):
            setattr(out, name, getattr(self, name) + getattr(other, name))
        out.warnings = self.warnings + other.warnings
        return out

    def summary(self) -> str:
        verb = "检查通过（未写入）" if self.dry_run else "导入完成"
        return (
            f"{verb}：共 {self.rows} 行，新增 {self.created} 条（已导入过 {self.skipped} 条，"
            f"文件内重复 {self.duplicates} 条）；已答复 {self.replied} 条，已办结（原平台无答复记录）"
            f"{self.closed} 条，办理中或待转办 {self.open} 条；按主题分派 {self.routed} 条，"
            f"主题未识别 {self.unrouted} 条；重复留言 {self.repeats} 条；公开 {self.public} 条；"
            f"用时 {self.seconds:.1f} 秒。"
        )

    def details(self) -> list[str]:
        lines = []
        if self.by_type:
            labels = dict(MessageType.choices)
            lines.append(
                "类型："
                + "，".join(f"{labels.get(k, k)} {n}" for k, n in self.by_type.most_common())
            )
        if self.by_channel:
            lines.append("渠道：" + "，".join(f"{k} {n}" for k, n in self.by_channel.most_common()))
        if self.by_unit:
            lines.append(
                "承办单位（前 15）："
                + "，".join(f"{k} {n}" for k, n in self.by_unit.most_common(15))
            )
        return lines + self.warnings


# ---------------------------------------------------------------- routing dictionary


@dataclass
class Topic:
    unit: Unit
    county_suffix: str
    classes: tuple[str, ...]
    keywords: tuple[str, ...]


@lru_cache(maxsize=4)
def _load_config(path: str, mtime: float) -> dict:
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle) or {}


def load_config(path: Path = TOPICS_FILE) -> dict:
    """The routing dictionary (re-read when the file changes)."""
    return _load_config(str(path), path.stat().st_mtime)


class Router:
    """Topic → unit, county boards, message types: everything ``topic_units.yaml`` says."""

    def __init__(self, config: dict, units: list[Unit]):
        self.units = units
        by_name = {u.name: u for u in units}
        self.by_key = (
            by_name | {u.short_name: u for u in units if u.short_name} | {u.code: u for u in units}
        )
        self.warnings: list[str] = []
        self.min_score = int(config.get("min_score", 2))
        self.topics: list[Topic] = []
        for entry in config.get("topics") or []:
            unit = by_name.get(entry["unit"])
            if unit is None:
                self.warnings.append(f"路由表中的单位「{entry['unit']}」不在单位名录中，已跳过。")
                continue
            self.topics.append(Topic(unit, entry.get("county") or "", tuple(entry.get("classes") or ()),
                                     tuple(str(k) for k in entry.get("keywords") or ())))  # fmt: skip
        self.unrouted_classes = set(config.get("unrouted_classes") or ())
        self.class_topics: dict[str, list[int]] = {}
        for index, topic in enumerate(self.topics):
            for name in topic.classes:
                self.class_topics.setdefault(name, []).append(index)
        self.keyword_topics: dict[str, list[int]] = {}
        for index, topic in enumerate(self.topics):
            for word in topic.keywords:
                self.keyword_topics.setdefault(word.lower(), []).append(index)
        self.automaton = None
        if self.keyword_topics:
            import ahocorasick

            self.automaton = ahocorasick.Automaton()
            for word in self.keyword_topics:
                self.automaton.add_word(word, word)
            self.automaton.make_automaton()
        self.places = {str(k): by_name.get(v) for k, v in (config.get("places") or {}).items()}
        for place, unit in self.places.items():
            if unit is None:
                self.warnings.append(f"地名「{place}」对应的单位不在单位名录中，已跳过。")
        self.places = {k: v for k, v in self.places.items() if v is not None}
        types = config.get("types") or {}
        self.type_words = {kind: tuple(types.get(kind) or ())
                           for kind in ("report", "complaint", "suggestion", "consult")}  # fmt: skip
        self._county_units: dict[tuple[int, str], Unit | None] = {}

    # -- topics

    def _hits(self, text: str) -> set[str]:
        if self.automaton is None or not text:
            return set()
        return {word for _end, word in self.automaton.iter(text.lower())}

    def topic(self, title: str, content: str, topic_class: str = "") -> Topic | None:
        """The unit's topic entry, or None when nothing says who handles it."""
        if topic_class in self.unrouted_classes:
            return None
        allowed = self.class_topics.get(topic_class) if topic_class else None
        scores: Counter = Counter()
        for weight, text in ((3, title), (1, content)):
            for word in self._hits(text):
                for index in self.keyword_topics[word]:
                    if allowed is None or index in allowed:
                        scores[index] += weight
        if scores:
            index, score = min(scores.items(), key=lambda item: (-item[1], item[0]))
            if score >= self.min_score or allowed is not None:
                return self.topics[index]
        if allowed:
            return self.topics[allowed[0]]  # the class's default unit
        return None

    def unit_for(self, topic: Topic | None, channel: Channel) -> Unit | None:
        """Who handles a message of this topic written on this channel (三级联动)."""
        if channel.kind == Channel.Kind.UNIT:
            return channel.unit
        if topic is None:
            return None
        level = channel.unit.category.code
        if level == "county_portal":
            return self._county_unit(channel.unit, topic.county_suffix) or channel.unit
        if level == "township":
            return channel.unit
        return topic.unit

    def _county_unit(self, county: Unit, suffix: str) -> Unit | None:
        if not suffix:
            return None
        key = (county.pk, suffix)
        if key not in self._county_units:
            name = county.name.removesuffix("人民政府") + suffix
            self._county_units[key] = next(
                (u for u in self.units if u.name == name and u.path.startswith(county.path)), None
            )
        return self._county_units[key]

    def place(self, title: str, content: str) -> Unit | None:
        """The county a message names first (title, else the start of its text)."""
        for text in (title, content[:200]):
            found = [(text.find(p), -len(p), unit) for p, unit in self.places.items() if p in text]
            if found:
                return min(found, key=lambda f: (f[0], f[1]))[2]
        return None

    # -- types

    def message_type(self, title: str) -> str:
        words = self.type_words
        if any(w in title for w in words["report"]):
            return MessageType.REPORT
        named = [(title.find(label), value) for label, value in
                 (("投诉", MessageType.COMPLAINT), ("建议", MessageType.SUGGESTION),
                  ("咨询", MessageType.CONSULT)) if label in title]  # fmt: skip
        if named:
            return min(named)[1]
        for kind, value in (("complaint", MessageType.COMPLAINT),
                            ("suggestion", MessageType.SUGGESTION),
                            ("consult", MessageType.CONSULT)):  # fmt: skip
            if any(w in title for w in words[kind]):
                return value
        return MessageType.CONSULT


def router(config: dict | None = None) -> Router:
    units = list(Unit.objects.select_related("category"))
    return Router(config if config is not None else load_config(), units)


# ---------------------------------------------------------------- reading and checking

DATE_RE = re.compile(
    r"^(\d{4})\s*[/\-.年]\s*(\d{1,2})\s*[/\-.月]\s*(\d{1,2})\s*日?"
    r"(?:[ T]+(\d{1,2})[:：](\d{1,2})(?:[:：](\d{1,2})(?:\.\d+)?)?)?$"
)


def parse_time(value: str) -> datetime | None:
    """``2019/4/25 9:32:09``, ``2017-06-08 17:31:20``, ``2019/5/10``, ``2019年5月10日 9:30``
    → aware datetime, Asia/Shanghai; None when it is not a date."""
    match = DATE_RE.match(value.strip())
    if not match:
        return None
    parts = [int(p) if p else 0 for p in match.groups()]
    try:
        return datetime(*parts, tzinfo=CHINA_TZ)
    except ValueError:
        return None


@dataclass
class Row:
    number: int  # as a spreadsheet shows it (the header is row 1)
    external_id: str
    sender: str
    title: str
    content: str
    received_at: datetime
    reply: str
    replied_at: datetime | None
    topic_class: str
    message_type: str
    unit: Unit | None  # from the 单位 column


def _read(path_or_file, filename: str | None) -> tuple[bytes, str]:
    if isinstance(path_or_file, str | Path):
        path = Path(path_or_file)
        return path.read_bytes(), filename or path.name
    if isinstance(path_or_file, bytes | bytearray):
        return bytes(path_or_file), filename or ""
    data = path_or_file.read()
    if isinstance(data, str):
        data = data.encode("utf-8")
    return data, filename or Path(getattr(path_or_file, "name", "") or "").name


def _table(data: bytes, filename: str) -> list[list[str]]:
    try:
        if data.startswith(b"PK\x03\x04") or filename.lower().endswith(".xlsx"):
            return tabular._xlsx_table(data)
        if filename and not filename.lower().endswith((".csv", ".txt")):
            raise ImportRejected([RowError(0, "", "只支持 CSV 或 XLSX 文件。")])
        return tabular._csv_table(data)
    except ImportRejected as exc:  # re-worded: a file-level problem has no row
        raise ImportRejected([RowError(e.row, e.column, e.message) for e in exc.errors]) from None


def read_rows(data: bytes, filename: str, route_units: dict[str, Unit],
              router_: Router, limit: int | None = None) -> tuple[list[Row], list[str], int]:  # fmt: skip
    """Checked rows, the ignored headers and the number of data rows; raises
    ImportRejected listing every problem."""
    table = _table(data, filename)
    while table and not any(cell.strip() for cell in table[-1]):
        table.pop()
    if not table:
        raise ImportRejected([RowError(1, "", "文件为空，缺少表头。")])
    header = [cell.strip().lstrip("\ufeff") for cell in table[0]]
    keys = [HEADER_TO_KEY.get(cell) for cell in header]
    ignored = [cell for cell, key in zip(header, keys, strict=True) if cell and key is None]
    errors = [
        RowError(1, c.header, "缺少必填列。") for c in COLUMNS if c.required and c.key not in keys
    ]
    if errors:
        raise ImportRejected(errors)
    body = table[1:]
    if limit is not None:
        body = body[:limit]
    if len(body) > MAX_ROWS:
        raise ImportRejected([RowError(0, "", f"行数超过上限 {MAX_ROWS}。")])
    now = timezone.now()
    rows: list[Row] = []
    for index, cells in enumerate(body):
        number = index + 2
        values = {c.key: "" for c in COLUMNS}
        for key, cell in zip(keys, cells, strict=False):
            if key:
                values[key] = clean_text(cell or "")
        if not any(values.values()):
            continue
        row = _check(number, values, now, route_units, router_, errors)
        if row is not None:
            rows.append(row)
    if errors:
        raise ImportRejected(sorted(errors, key=lambda e: (e.row, e.column)))
    return rows, ignored, len(body)


def _check(number: int, values: dict[str, str], now: datetime, route_units: dict[str, Unit],
           router_: Router, errors: list[RowError]) -> Row | None:  # fmt: skip
    before = len(errors)

    def fail(key: str, message: str) -> None:
        errors.append(RowError(number, HEADER_OF[key], message))

    for column in COLUMNS:
        if column.required and not values[column.key]:
            fail(column.key, "不能为空。")
    for key, limit in (("external_id", ID_MAX), ("sender", SENDER_MAX), ("title", TITLE_MAX),
                       ("reply", REPLY_MAX)):  # fmt: skip
        if len(values[key]) > limit:
            fail(key, f"超过 {limit} 个字符。")
    received = replied = None
    if values["received"]:
        received = parse_time(values["received"])
        if received is None:
            fail("received", f"无法识别的时间“{values['received']}”（应如 2019/4/25 9:32:09）。")
        elif received > now:
            fail("received", "留言时间晚于当前时间。")
    if values["replied"]:
        replied = parse_time(values["replied"])
        if replied is None:
            fail("replied", f"无法识别的时间“{values['replied']}”（应如 2019/5/10 14:56:53）。")
        elif received is not None and replied < received:
            fail("replied", "答复时间早于留言时间。")
        elif replied > now:
            fail("replied", "答复时间晚于当前时间。")
    if values["reply"] and not values["replied"]:
        fail("replied", "有答复意见，但缺少答复时间。")
    if values["replied"] and not values["reply"]:
        fail("reply", "有答复时间，但缺少答复意见。")
    message_type = ""
    if values["message_type"]:
        message_type = TYPE_BY_LABEL.get(values["message_type"], "")
        if not message_type:
            labels = "、".join(str(label) for _, label in MessageType.choices)
            fail("message_type", f"未知的留言类型“{values['message_type']}”（可用：{labels}）。")
    unit = None
    if values["unit"]:
        unit = route_units.get(values["unit"])
        if unit is None:
            fail("unit", f"单位名录中没有“{values['unit']}”。")
    if len(errors) > before:
        return None
    return Row(number=number, external_id=values["external_id"], sender=values["sender"],
               title=values["title"], content=values["content"], received_at=received,
               reply=values["reply"], replied_at=replied, topic_class=values["topic_class"],
               message_type=message_type or router_.message_type(values["title"]), unit=unit)  # fmt: skip


# ---------------------------------------------------------------- working days


class _Workdays:
    """The calendar with each day looked up once (an import asks about the same days
    thousands of times)."""

    def __init__(self):
        self.calendar = current_calendar()
        self._days: dict = {}
        self.unknown_years: set[int] = set()

    def _is_workday(self, day) -> bool:
        if day not in self._days:
            self._days[day] = self.calendar.is_workday(day)
        return self._days[day]

    def between(self, start: datetime, end: datetime) -> int | None:
        first, last = to_china(start).date(), to_china(end).date()
        try:
            return sum(1 for n in range(1, (last - first).days + 1)
                       if self._is_workday(first + timedelta(days=n)))  # fmt: skip
        except UnknownYearError as exc:
            self.unknown_years.add(exc.year)
            return None

    def add(self, start: datetime, days: int) -> datetime | None:
        """As ``WorkCalendar.add_workdays``: the n-th working day after, same time of day."""
        local = to_china(start)
        day = local.date()
        try:
            for _ in range(days):
                day += timedelta(days=1)
                while not self._is_workday(day):
                    day += timedelta(days=1)
        except UnknownYearError as exc:
            self.unknown_years.add(exc.year)
            return None
        return datetime.combine(day, local.timetz())


# ---------------------------------------------------------------- importing


def _channel(channel: Channel | str) -> Channel:
    if isinstance(channel, Channel):
        return channel
    found = Channel.objects.select_related("unit__category").filter(slug=channel).first()
    if found is None:
        slugs = "、".join(Channel.objects.values_list("slug", flat=True)) or "（无）"
        raise ImportRejected([RowError(0, "", f"找不到渠道“{channel}”（现有：{slugs}）。")])
    return found


def _numbers(rows: list[Row]) -> list[str]:
    """Tracking numbers as intake makes them (date of receipt + random digits), unique."""
    taken: set[str] = set()

    def fresh(prefix: str) -> str:
        while True:
            number = number_for_day(prefix)
            if number not in taken:
                taken.add(number)
                return number

    out = [fresh(row.received_at.astimezone(CHINA_TZ).strftime("%Y%m%d")) for row in rows]
    position = {number: index for index, number in enumerate(out)}
    for start in range(0, len(out), BATCH):
        chunk = out[start : start + BATCH]
        for number in Message.objects.filter(number__in=chunk).values_list("number", flat=True):
            replacement = fresh(number[:8])
            while Message.objects.filter(number=replacement).exists():
                replacement = fresh(number[:8])
            out[position[number]] = replacement
    return out


def import_messages(path_or_file: Any, *, source: str, channel: Channel | str, actor=None,
                    route: bool = True, dry_run: bool = False, by_place: bool = False,
                    close_unanswered_before: datetime | None = None, limit: int | None = None,
                    filename: str | None = None, config: dict | None = None,
                    now: datetime | None = None) -> ImportReport:  # fmt: skip
    """Import a CSV/XLSX file of messages from an external board (see the module
    docstring). Raises ImportRejected (nothing changed) when any row has a problem.

    ``channel``: the Channel (or its slug) the messages were written on; with
    ``by_place`` a message naming a county (``places`` in the dictionary) goes on that
    county's board instead, when it has one. ``route=False``: no routing by topic.
    ``limit``: only the first N data rows. ``now``: the import time (tests)."""
    started = time.perf_counter()
    source = (source or "").strip()
    if not source or len(source) > 20:
        raise ImportRejected([RowError(0, "", "来源（source）须为 1–20 个字符。")])
    channel = _channel(channel)
    data, filename = _read(path_or_file, filename)
    rules = router(config)
    rows, ignored, count = read_rows(data, filename, rules.by_key, rules, limit)
    report = ImportReport(source=source, file=filename, rows=count, dry_run=dry_run)
    report.warnings += rules.warnings
    if ignored:
        report.warnings.append(f"已忽略的列：{'、'.join(ignored)}。")
    rows = _new_rows(rows, source, report)
    now = now or timezone.now()
    with transaction.atomic():
        created = _write(rows, source=source, channel=channel, rules=rules, route=route,
                         by_place=by_place, close_before=close_unanswered_before, now=now,
                         report=report)  # fmt: skip
        if created:
            matches = find_repeats_among([Candidate.of(m) for m in created])
            save_matches(matches, {m.pk: m for m in created})
            report.repeats = len(matches)
            _update_rollup(min(m.pk for m in created))
        report.seconds = time.perf_counter() - started
        if dry_run:
            transaction.set_rollback(True)
        else:
            record(actor, "messaging.import", None, file=filename, source=source,
                   channel=channel.slug, summary=report.summary())  # fmt: skip
    return report


def _new_rows(rows: list[Row], source: str, report: ImportReport) -> list[Row]:
    """Drop rows imported before and identical repeats inside the file; a 留言编号 used
    twice for different messages is an error."""
    seen: dict[str, Row] = {}
    errors = []
    unique = []
    for row in rows:
        first = seen.get(row.external_id)
        if first is None:
            seen[row.external_id] = row
            unique.append(row)
        elif (first.title, first.content, first.received_at, first.reply) == (
            row.title, row.content, row.received_at, row.reply
        ):  # fmt: skip
            report.duplicates += 1
        else:
            errors.append(RowError(row.number, HEADER_OF["external_id"],
                                   f"与第 {first.number} 行的留言编号相同，但内容不同。"))  # fmt: skip
    if errors:
        raise ImportRejected(errors)
    ids = [row.external_id for row in unique]
    existing: set[str] = set()
    for start in range(0, len(ids), BATCH):
        existing |= set(_by_external_id(source, ids[start : start + BATCH])
                        .values_list("external_id", flat=True))  # fmt: skip
    report.skipped = len(existing)
    return [row for row in unique if row.external_id not in existing]


def _by_external_id(source: str, ids: list[str]):
    """Messages of ``source`` with these ids, by the partial unique index (its condition
    repeated, or SQLite scans the whole table)."""
    return Message.objects.filter(~Q(external_id=""), source=source, external_id__in=ids).order_by()


def _update_rollup(first_id: int) -> None:
    """Rows written in bulk fire no signals: tally them for the statistics at once."""
    if apps.is_installed("govsite.messagestats"):
        from govsite.messagestats import rollup

        rollup.add_new_messages(first_id)


def _write(rows: list[Row], *, source: str, channel: Channel, rules: Router, route: bool,
           by_place: bool, close_before: datetime | None, now: datetime,
           report: ImportReport) -> list[Message]:  # fmt: skip
    if not rows:
        return []
    policies = {p.message_type: p for p in DeadlinePolicy.objects.all()}
    workdays = _Workdays()
    boards = {}
    if by_place:
        for board in Channel.objects.filter(kind=Channel.Kind.BOARD, is_active=True).select_related(
            "unit__category"
        ):
            boards.setdefault(board.unit_id, board)
    numbers = _numbers(rows)
    messages: list[Message] = []
    plans: list[tuple[Message, Channel, bool]] = []
    for row, number in zip(rows, numbers, strict=True):
        where = channel
        if by_place:
            county = rules.place(row.title, row.content)
            if county is not None and county.pk in boards:
                where = boards[county.pk]
        if not route:
            unit, by_topic = (where.unit if where.kind == Channel.Kind.UNIT else None), False
        elif row.unit is not None:
            unit, by_topic = row.unit, True
        else:
            unit = rules.unit_for(rules.topic(row.title, row.content, row.topic_class), where)
            by_topic = unit is not None
        rules_for_type = policies.get(row.message_type) or DeadlinePolicy(
            message_type=row.message_type
        )
        message = Message(
            number=number, query_code_hash=keyed_hash("code:" + secrets.token_hex(8)),
            channel=where, message_type=row.message_type, title=row.title, content=row.content,
            sender_name=row.sender[:SENDER_MAX],
            sender_key=keyed_hash(f"who:{source}:{row.sender}") if row.sender else "",
            anonymous=False, wants_public=True, is_public=row.message_type != MessageType.REPORT,
            received_at=row.received_at, acknowledged_at=row.received_at,
            ack_due_at=row.received_at + timedelta(hours=rules_for_type.ack_hours),
            source=source, external_id=row.external_id,
            repeat_checked=True,  # find_repeats_among checks them in this same transaction
        )  # fmt: skip
        archived = (row.replied_at is None and close_before is not None
                    and row.received_at < close_before)  # fmt: skip
        if row.replied_at is not None:
            unit = unit or where.unit  # answered: by the board's own unit if not by topic
            message.unit = message.reply_unit = unit
            message.assigned_at = row.received_at
            message.due_at = workdays.add(row.received_at, rules_for_type.simple_workdays)
            message.status = Status.REPLIED
            message.reply, message.reply_kind = row.reply, "answer"
            message.replied_at = row.replied_at
            message.handling_workdays = workdays.between(row.received_at, row.replied_at)
            message.on_time = None if message.due_at is None else row.replied_at <= message.due_at
            report.replied += 1
        elif archived:
            # outcome unknown: 已办结 for no unit, so it counts in no unit's rates
            message.status = Status.CLOSED
            report.closed += 1
        elif unit is not None:
            message.status, message.unit = Status.ASSIGNED, unit
            message.assigned_at = now
            message.due_at = workdays.add(now, rules_for_type.simple_workdays)
            report.open += 1
        else:
            message.status = Status.COLLECTED
            report.open += 1
        report.routed += by_topic
        report.unrouted += not by_topic
        report.public += message.is_public
        report.by_type[row.message_type] += 1
        report.by_channel[where.name] += 1
        owner = message.unit.name if message.unit else "（未分派）"
        if archived:
            owner = "（归档，不计入单位）"
        report.by_unit[owner] += 1
        messages.append(message)
        plans.append((message, where, by_topic, unit))
    for start in range(0, len(messages), BATCH):
        Message.objects.bulk_create(messages[start : start + BATCH])
    if messages[0].pk is None:  # a backend that returns no ids
        ids = dict(_by_external_id(source, [m.external_id for m in messages])
                   .values_list("external_id", "id"))  # fmt: skip
        for message in messages:
            message.pk = message.id = ids[message.external_id]
    events = []
    for message, where, by_topic, topical in plans:
        events += _events(message, where, by_topic, topical, now)
    MessageEvent.objects.bulk_create(events, batch_size=BATCH)
    report.created = len(messages)
    if workdays.unknown_years:
        years = "、".join(str(y) for y in sorted(workdays.unknown_years))
        report.warnings.append(f"{years} 年的节假日安排未知，这些留言未计算办理时限和办理用时。")
    return messages


def _events(message: Message, channel: Channel, by_topic: bool, topical: Unit | None,
            now: datetime) -> list[MessageEvent]:  # fmt: skip
    """The steps the message went through on the original board, at their times."""
    at = message.received_at
    note = f"通过「{channel.name}」提交（导入自 {message.source}，原编号 {message.external_id}）"
    events = [
        MessageEvent(message=message, at=at, action="submit", to_status=Status.SUBMITTED,
                     public=True, unit=channel.unit, note=note),
        MessageEvent(message=message, at=at, from_status=Status.SUBMITTED,
                     action="keep_private" if message.is_report else "publish",
                     to_status=Status.COLLECTED, unit=channel.unit,
                     note="原平台已受理" + ("" if message.is_report else "并公开")),
    ]  # fmt: skip
    if message.status == Status.CLOSED:  # archived without a reply record
        where = f"按主题应由「{topical.name}」办理；" if topical is not None else ""
        events.append(MessageEvent(message=message, at=now, action="close",
                                   from_status=Status.COLLECTED, to_status=Status.CLOSED,
                                   unit=topical, public=False,
                                   note=f"{where}原平台未提供答复记录，导入时按已办结归档，"
                                        "不计入各单位办理统计"))  # fmt: skip
        return events
    if message.unit is None:
        return events
    routed_at = now if message.status == Status.ASSIGNED else at
    how = "按主题分派" if by_topic else "主题未识别，由留言板所属单位办理"
    events.append(MessageEvent(message=message, at=routed_at, action="route",
                               from_status=Status.COLLECTED, to_status=Status.ASSIGNED,
                               unit=message.unit, public=True,
                               note=f"转至「{message.unit.name}」办理（{how}）"))  # fmt: skip
    if message.status == Status.REPLIED:
        events.append(MessageEvent(message=message, at=message.replied_at, action="reply",
                                   from_status=Status.ASSIGNED, to_status=Status.REPLIED,
                                   unit=message.unit, public=True, note=message.reply[:2000]))  # fmt: skip
    return events
