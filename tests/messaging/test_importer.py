"""Import of messages from external boards, on the real 2020 messages (shared/data/messages-2020):
original ids and dates kept, routed to the demo city's units by topic, idempotent,
all-or-nothing with row and column named, CSV in UTF-8 or GBK, XLSX; the demo loader."""

from __future__ import annotations

import csv
import io
import os
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from govsite.messaging.demo import FILES, SOURCE, data_dir, ensure_channels, load_demo_messages
from govsite.messaging.importer import ImportRejected, import_messages, parse_time
from govsite.messaging.models import Channel, Message, MessageEvent, MessageType, Status
from govsite.workdays.service import current_calendar

SH = ZoneInfo("Asia/Shanghai")
REPLIES, VOTES = FILES
HEADER = ["留言编号", "留言用户", "留言主题", "留言时间", "留言详情", "答复意见", "答复时间"]


def real(name: str, ids: list[str] | None = None, first: int | None = None) -> list[dict]:
    path = data_dir() / name
    if not path.is_file():
        (pytest.fail if os.environ.get("CI") else pytest.skip)(f"real messages not found at {path}")
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    if ids is not None:
        by_id = {row["留言编号"]: row for row in rows}
        return [by_id[i] for i in ids]
    return rows[:first]


def csv_bytes(rows: list[dict], header=HEADER, encoding="utf-8-sig") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(column, "") for column in header])
    return buffer.getvalue().encode(encoding)


@pytest.fixture
def demo(db):
    """The demo city's registry (91 units) and its message channels."""
    from govsite.registry.demo import demo_csv
    from govsite.registry.tabular import import_registry

    import_registry(demo_csv(), "demo_registry.csv")
    return ensure_channels()


def run(data: bytes, filename="board.csv", **options):
    options = {"source": "test", "channel": "board"} | options
    return import_messages(io.BytesIO(data), filename=filename, **options)


def test_real_rows_keep_their_ids_dates_and_replies(demo):
    rows = real(REPLIES, first=25)
    report = run(csv_bytes(rows), source="prov")
    assert report.created == 25 and report.replied == 25 and report.skipped == 0
    message = Message.objects.get(source="prov", external_id="2549")
    assert message.title == "A2区景蓉华苑物业管理有问题"
    assert message.received_at == datetime(2019, 4, 25, 9, 32, 9, tzinfo=SH)
    assert message.replied_at == datetime(2019, 5, 10, 14, 56, 53, tzinfo=SH)
    assert message.reply == rows[0]["答复意见"] and message.reply_kind == "answer"
    assert message.status == Status.REPLIED and message.is_public
    assert message.number.startswith("20190425") and len(message.number) == 16
    assert message.sender_name == "A00045581" and message.sender_key
    assert message.channel.slug == "board"
    # 2019 May Day: 1–4 May off, Sunday 28 April and Sunday 5 May worked (调休)
    assert message.due_at == datetime(2019, 5, 5, 9, 32, 9, tzinfo=SH)
    assert (
        message.handling_workdays
        == 10
        == current_calendar().workdays_between(message.received_at, message.replied_at)
    )
    assert message.on_time is False
    events = list(message.events.values_list("action", "at"))
    assert [a for a, _ in events] == ["submit", "publish", "route", "reply"]
    assert events[-1][1] == message.replied_at and events[0][1] == message.received_at


def test_on_time_replies_count_as_on_time(demo):
    report = run(csv_bytes(real(REPLIES, first=200)))
    replied = Message.objects.filter(status=Status.REPLIED)
    assert replied.count() == report.replied == 200
    for message in replied.exclude(due_at=None)[:50]:
        assert message.on_time == (message.replied_at <= message.due_at)
        assert message.reply_unit_id == message.unit_id is not None
    assert replied.filter(on_time=True).exists() and replied.filter(on_time=False).exists()


def test_routing_by_topic_to_the_demo_units(demo):
    rows = real(REPLIES, ids=["2549"]) + real(VOTES, ids=["188006", "188007", "188031"])
    run(csv_bytes(rows))
    get = lambda i: Message.objects.get(external_id=i)  # noqa: E731
    assert get("2549").unit.name == "示范市住房和城乡建设局"  # 物业管理
    assert get("188007").unit.name == "示范市民政局"  # 道路命名、门牌 (地名管理)
    assert get("188031").unit.name == "示范市住房和城乡建设局"  # 水泥路、自来水到户
    # votes rows have no reply and, without close_unanswered_before, are open: 待签收
    assert get("188007").status == Status.ASSIGNED and get("188007").due_at
    # 影楼是否纳税: no tax office in the registry, so nobody by topic: 待转办, unrouted
    assert get("188006").unit is None and get("188006").status == Status.COLLECTED


def test_first_level_class_and_unit_columns_route(demo):
    header = HEADER[:5] + ["一级分类", "单位", "留言类型"]
    rows = real("labelled_raw_sample.csv", first=3)
    rows[0]["一级分类"] = "教育文体"  # said by the file, whatever the words
    rows[1]["单位"] = "示范市财政局"
    rows[1]["留言类型"] = "建议"
    rows[2]["一级分类"] = "纪检监察"  # a class nobody here handles: not routed
    report = run(csv_bytes(rows, header))
    messages = {m.external_id: m for m in Message.objects.all()}
    first, second, third = (messages[r["留言编号"]] for r in rows)
    assert first.unit.name == "示范市教育局"
    assert second.unit.name == "示范市财政局" and second.message_type == MessageType.SUGGESTION
    assert third.unit is None and third.status == Status.COLLECTED
    assert report.routed == 2 and report.unrouted == 1


def test_county_boards_and_county_offices(demo):
    """三级联动: a message naming a county goes on its board and stays in the county."""
    rows = real(REPLIES, ids=["2549"]) + real(VOTES, ids=["188006"])
    school = dict(rows[0], 留言编号="x1", 留言主题="A3区某小学周边交通拥堵，学生上学不安全")
    run(csv_bytes([*rows, school]), by_place=True)
    flat = Message.objects.get(external_id="2549")  # A2区 → 西城区 (no county offices)
    assert flat.channel.name == "西城区网上留言板" and flat.unit.name == "西城区人民政府"
    photo = Message.objects.get(external_id="188006")  # A3区 → 南湖区 board; topic unknown
    assert photo.channel.name == "南湖区网上留言板" and photo.unit is None
    assert Message.objects.get(external_id="x1").unit.name == "南湖区教育局"


def test_reimport_adds_nothing(demo):
    data = csv_bytes(real(REPLIES, first=30))
    first = run(data)
    events = MessageEvent.objects.count()
    again = run(data)
    assert (first.created, again.created, again.skipped) == (30, 0, 30)
    assert Message.objects.count() == 30 and MessageEvent.objects.count() == events
    assert run(data, source="other").created == 30  # another board's ids are other messages


def test_a_malformed_row_changes_nothing_and_is_named(demo):
    rows = real(REPLIES, first=5)
    rows[1] = dict(rows[1], 留言时间="2019/13/45 9:00")
    rows[3] = dict(rows[3], 答复时间="")
    with pytest.raises(ImportRejected) as rejected:
        run(csv_bytes(rows))
    messages = [str(e) for e in rejected.value.errors]
    assert messages[0].startswith("第 3 行，「留言时间」列：无法识别的时间")
    assert messages[1] == "第 5 行，「答复时间」列：有答复意见，但缺少答复时间。"
    assert Message.objects.count() == 0 and MessageEvent.objects.count() == 0


def test_missing_column_and_conflicting_ids_are_refused(demo):
    rows = real(REPLIES, first=3)
    with pytest.raises(ImportRejected) as rejected:
        run(csv_bytes(rows, ["留言编号", "留言主题", "留言时间"]))
    assert str(rejected.value.errors[0]) == "第 1 行，「留言详情」列：缺少必填列。"
    rows[2] = dict(rows[2], 留言编号=rows[0]["留言编号"])
    with pytest.raises(ImportRejected, match="1 处错误"):
        run(csv_bytes(rows))
    rows[2] = dict(rows[0])  # the very same row twice: counted, not an error
    assert run(csv_bytes(rows)).duplicates == 1


def test_gbk_csv_as_excel_saves_it(demo):
    rows = []
    for row in real(REPLIES, first=40):
        try:
            csv_bytes([row], encoding="gbk")
        except UnicodeEncodeError:
            continue
        rows.append(row)
    report = run(csv_bytes(rows[:10], encoding="gbk"))
    assert report.created == 10
    titles = set(Message.objects.values_list("title", flat=True))
    assert titles == {row["留言主题"] for row in rows[:10]}


def test_xlsx_with_date_cells(demo):
    from openpyxl import Workbook

    rows = real(REPLIES, first=3)
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in rows:
        values = [row[c] for c in HEADER]
        values[3] = datetime.strptime(row["留言时间"], "%Y/%m/%d %H:%M:%S")  # a real date cell
        sheet.append(values)
    buffer = io.BytesIO()
    book.save(buffer)
    report = run(buffer.getvalue(), filename="board.xlsx")
    assert report.created == 3
    message = Message.objects.get(external_id="2549")
    assert message.received_at == datetime(2019, 4, 25, 9, 32, 9, tzinfo=SH)


def test_unanswered_old_rows_are_archived_recent_ones_open(demo):
    rows = real(VOTES, ids=["188007", "188031"])
    rows[1] = dict(rows[1], 留言编号="new", 留言时间="2020/1/20 10:00:00")
    now = datetime(2020, 2, 3, 9, 0, tzinfo=SH)
    report = run(csv_bytes(rows), close_unanswered_before=datetime(2020, 1, 1, tzinfo=SH), now=now)
    old, recent = Message.objects.get(external_id="188007"), Message.objects.get(external_id="new")
    assert old.status == Status.CLOSED and old.reply == "" and old.is_public
    assert old.unit is None and old.reply_unit is None  # outcome unknown: in no unit's rates
    assert old.on_time is None and old.handling_workdays is None
    close = old.events.get(action="close")
    assert close.unit.name == "示范市民政局" and "不计入" in close.note  # where the topic points
    assert recent.status == Status.ASSIGNED and recent.assigned_at == now
    assert recent.due_at == current_calendar().add_workdays(now, 5)
    assert (report.closed, report.open) == (1, 1)


def test_types_from_titles_and_reports_stay_private(demo):
    rows = real(REPLIES, first=3)
    titles = ["举报某小区违规经营", "投诉物业乱收费", "建议增设公交站点"]
    rows = [
        dict(r, 留言主题=t, 留言编号=str(i))
        for i, (r, t) in enumerate(zip(rows, titles, strict=True))
    ]
    run(csv_bytes(rows))
    by_id = {m.external_id: m for m in Message.objects.all()}
    assert [by_id[str(i)].message_type for i in range(3)] == ["report", "complaint", "suggestion"]
    assert not by_id["0"].is_public and by_id["1"].is_public
    assert Message.objects.get(external_id="0").events.filter(action="keep_private").exists()


def test_dry_run_counts_but_writes_nothing(demo):
    report = run(csv_bytes(real(REPLIES, first=10)), dry_run=True)
    assert report.created == 10 and report.dry_run and "未写入" in report.summary()
    assert Message.objects.count() == 0


def test_statistics_rollup_follows_the_import(demo):
    from govsite.messagestats import rollup

    run(csv_bytes(real(REPLIES, first=60) + real(VOTES, first=20)),
        close_unanswered_before=datetime(2020, 1, 1, tzinfo=SH))  # fmt: skip
    assert rollup.stored() == rollup.recount()
    # the 60 replied count for their units; the 20 archived unanswered ones for none
    assert sum(vector[0] for vector in rollup.stored().values()) == 60


def test_times_as_boards_write_them():
    assert parse_time("2019/4/25 9:32:09") == datetime(2019, 4, 25, 9, 32, 9, tzinfo=SH)
    assert parse_time("2017-06-08 17:31:20") == datetime(2017, 6, 8, 17, 31, 20, tzinfo=SH)
    assert parse_time("2019/5/10") == datetime(2019, 5, 10, tzinfo=SH)
    assert parse_time("2019年5月10日 9:30") == datetime(2019, 5, 10, 9, 30, tzinfo=SH)
    assert parse_time("2019/2/30 9:00") is None and parse_time("昨天") is None


def test_command_prints_counts_in_chinese(demo, tmp_path):
    path = tmp_path / "board.csv"
    path.write_bytes(csv_bytes(real(REPLIES, first=5)))
    out = io.StringIO()
    call_command("import_messages", str(path), "--source", "prov", "--channel", "board", stdout=out)
    assert "导入完成：共 5 行，新增 5 条" in out.getvalue()
    with pytest.raises(CommandError, match="找不到渠道"):
        call_command("import_messages", str(path), "--source", "prov", "--channel", "nowhere")


def test_demo_loader(demo, monkeypatch):
    real(REPLIES, first=1)  # skips when the data is missing
    report = load_demo_messages(limit=20)
    assert (report.rows, report.created, report.replied) == (40, 40, 20)
    assert report.closed + report.open == 20
    assert Message.objects.filter(source=SOURCE).count() == 40
    slugs = set(Channel.objects.values_list("slug", flat=True))
    assert {"board", "mayor", "mailbox-jyj"} <= slugs and len(slugs) == 12  # + 9 county boards
    assert load_demo_messages(limit=20).created == 0
    monkeypatch.setenv("GOVSITE_MESSAGES_DATA", "/nonexistent")
    skipped = load_demo_messages(limit=20)
    assert skipped.created == 0 and "GOVSITE_MESSAGES_DATA" in skipped.warnings[0]
