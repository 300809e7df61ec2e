"""Repeat messages (M7): similarity on real near-duplicates of 2020, linking at intake (same
sender or near-identical text, open or recent, to the first of the chain), and in imports."""

from __future__ import annotations

import csv
import io
import os
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from govsite.messaging.demo import FILES, data_dir
from govsite.messaging.models import Message, MessageEvent, Status
from govsite.messaging.repeats import (
    REPEAT_THRESHOLD,
    SAME_SENDER_THRESHOLD,
    full_text,
    similarity,
    tokens,
)

SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture(scope="module")
def real():
    """留言编号 → row, from both files of the real 2020 messages."""
    rows = {}
    for name in FILES:
        path = data_dir() / name
        if not path.is_file():
            (pytest.fail if os.environ.get("CI") else pytest.skip)(
                f"real messages not found at {path}"
            )
        with path.open(encoding="utf-8") as handle:
            rows |= {row["留言编号"]: row for row in csv.DictReader(handle)}
    return rows


def text(row) -> str:
    return full_text(row["留言主题"], row["留言详情"])


# -- the measure, on real messages ------------------------------------------------------------


@pytest.mark.parametrize(("first", "again"), [
    ("262339", "207741"),  # 西湖建筑集团占道施工: 扰民 → 有安全隐患, 18 minutes later
    ("29780", "7898"),  # 举报A6区仁爱医院: 挂床套保 → 无法无天, 23 minutes later
    ("105734", "118149"),  # 咨询 → 反映 K11县摩托车驾驶证注销, two months later
    ("137179", "139820"),  # M市乡村医生档案托管, reworded five days later
    ("254893", "287532"),  # 加快A市国家中心城市建设 (a prolific sender, the same matter)
])  # fmt: skip
def test_a_senders_real_repeats_score_as_repeats(real, first, again):
    a, b = real[first], real[again]
    assert a["留言用户"] == b["留言用户"] and a["留言主题"] != b["留言主题"]
    assert similarity(text(a), text(b)) >= SAME_SENDER_THRESHOLD


@pytest.mark.parametrize(("first", "again"), [("196908", "229359"), ("259406", "287532")])
def test_a_prolific_senders_different_matters_do_not(real, first, again):
    a, b = real[first], real[again]  # 请加快A市……建设力度: a template, different matters
    assert a["留言用户"] == b["留言用户"] == "A00031618"
    assert similarity(text(a), text(b)) < 0.4


def test_the_same_message_under_two_accounts_is_near_identical(real):
    a, b = real["2549"], real["257340"]  # in both files of the data set, other pseudonyms
    assert similarity(text(a), text(b)) >= REPEAT_THRESHOLD
    assert similarity(text(a), text(real["188006"])) < 0.2  # unrelated


def test_similarity_basics():
    assert similarity("小区物业乱收费问题", "小区物业乱收费问题") == 1.0
    assert similarity("", "") == 1.0 and similarity("小区物业乱收费", "") == 0.0
    a, b = "请问幼儿园入学需要哪些材料", "幼儿园入学需要准备什么材料"
    assert similarity(a, b) == similarity(b, a)
    assert "的" not in tokens("小区的物业") and "物业" in tokens("小区的物业")


# -- at intake -----------------------------------------------------------------------------------

SCHOOL = {"title": "青山县城关二小门口早晚交通拥堵", "content": "城关二小门口每天早晚上下学时段车辆乱停，"
          "家长接送孩子非常危险，请交警和学校协调设置临时停车区和护学岗。"}  # fmt: skip


def test_the_same_sender_again_is_linked_to_the_first(write):
    first = write(**SCHOOL, address="10.0.0.1").message
    again = write(**SCHOOL | {"title": "再次反映城关二小门口交通拥堵"}, address="10.0.0.2").message
    third = write(
        **SCHOOL | {"title": "第三次反映城关二小交通拥堵问题"}, address="10.0.0.3"
    ).message
    again.refresh_from_db()
    third.refresh_from_db()
    assert again.repeat_of == first and third.repeat_of == first  # the first of the chain
    event = MessageEvent.objects.get(message=third, action="repeat")
    assert not event.public and first.number in event.note and "同一留言人" in event.note
    assert Message.objects.get(pk=first.pk).repeat_of is None


def test_a_different_matter_by_the_same_sender_is_not(write):
    write(**SCHOOL, address="10.0.0.1")
    other = write(title="咨询城关镇医保报销比例",
                  content="请问今年城乡居民医保在镇卫生院住院报销比例是多少，起付线是多少？",
                  address="10.0.0.2").message  # fmt: skip
    other.refresh_from_db()
    assert other.repeat_of is None
    assert not MessageEvent.objects.filter(action="repeat").exists()


def test_near_identical_text_by_anyone_is_linked(write):
    first = write(**SCHOOL, address="10.0.0.1").message
    copy = write(**SCHOOL, name="李四", phone="13900000002", address="10.0.0.9").message
    copy.refresh_from_db()
    assert copy.repeat_of == first
    assert "内容几乎相同" in MessageEvent.objects.get(message=copy, action="repeat").note


def test_only_open_or_recent_messages_are_repeated(write, settings):
    long_ago = timezone.now() - timedelta(days=120)
    old = write(**SCHOOL, address="10.0.0.1").message
    Message.objects.filter(pk=old.pk).update(received_at=long_ago, status=Status.REPLIED)
    again = write(**SCHOOL, address="10.0.0.2").message
    again.refresh_from_db()
    assert again.repeat_of is None  # answered four months ago: a new matter now
    Message.objects.filter(pk=old.pk).update(status=Status.HANDLING)  # still open: a repeat
    third = write(**SCHOOL, address="10.0.0.3").message
    third.refresh_from_db()
    assert third.repeat_of_id == old.pk
    settings.GOVSITE_REPEAT_WINDOW_DAYS = 0  # the window is configurable
    Message.objects.filter(pk=old.pk).update(status=Status.CLOSED)
    Message.objects.filter(pk__in=[again.pk, third.pk]).update(status=Status.HIDDEN)
    fourth = write(**SCHOOL, address="10.0.0.4").message
    fourth.refresh_from_db()
    assert fourth.repeat_of is None  # hidden ones never count; the closed one is too old


def test_the_check_makes_a_few_indexed_queries(write, django_assert_max_num_queries):
    from govsite.messaging.repeats import link_repeat

    first = write(**SCHOOL, address="10.0.0.1").message
    write(
        title="另一件事",
        content="完全不同的一件事情，与学校交通无关，只是测试用的内容。",
        address="10.0.0.2",
    )
    again = write(**SCHOOL, address="10.0.0.3").message
    Message.objects.filter(pk=again.pk).update(repeat_of=None, repeat_checked=False)
    MessageEvent.objects.filter(action="repeat").delete()
    again.refresh_from_db()
    # 3 candidate queries + 1 for the shortlisted texts; the link (savepoint, the message
    # locked and read, update, event) and the statistics rollup's 2 reads on the event
    with django_assert_max_num_queries(11):
        match = link_repeat(again)
    assert match is not None and match.first_id == first.pk
    again.refresh_from_db()
    assert again.repeat_of == first and again.repeat_checked


# -- in an import --------------------------------------------------------------------------------


def test_an_import_links_real_repeats(db, real):
    from govsite.messaging.importer import import_messages
    from govsite.messaging.models import Channel
    from govsite.registry.demo import demo_csv
    from govsite.registry.models import Unit
    from govsite.registry.tabular import import_registry

    import_registry(demo_csv(), "demo_registry.csv")
    Channel.objects.create(
        slug="board", name="网上留言板", kind="board", unit=Unit.objects.get(code="SF000")
    )
    header = ["留言编号", "留言用户", "留言主题", "留言时间", "留言详情"]
    rows = [real[i] for i in ("262339", "207741", "188006", "7898", "29780")]
    buffer = io.StringIO()
    csv.writer(buffer).writerows([header] + [[r[h] for h in header] for r in rows])
    report = import_messages(io.BytesIO(buffer.getvalue().encode()), filename="x.csv",
                             source="prov", channel="board")  # fmt: skip
    get = lambda i: Message.objects.get(external_id=i)  # noqa: E731
    assert report.repeats == 2
    assert get("207741").repeat_of == get("262339")  # 2020-01-06 12:09, after 11:51
    assert get("7898").repeat_of == get("29780")  # 2017-09-03 11:05, after 10:42
    assert get("188006").repeat_of is None and get("262339").repeat_of is None
    event = MessageEvent.objects.get(action="repeat", message=get("207741"))
    assert event.at == get("207741").received_at == datetime(2020, 1, 6, 12, 9, 38, tzinfo=SH)
    assert not event.public and get("262339").number in event.note
    # checked in the import: nothing left for the sweep
    assert not Message.objects.filter(repeat_checked=False).exists()
