"""Message statistics (M5): exact rates on hand-made message sets, no data is None, periods,
levels, advanced units, the public ranking page, the bulletin exports, the scoring hook."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from govsite.messaging import stats
from govsite.messaging.intake import submit
from govsite.messaging.models import Message
from govsite.messaging.workflow import transition

SH = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2025, 3, 3, 9, 0, tzinfo=SH)  # a plain working week: due = +5 workdays
MARCH = (date(2025, 3, 1), date(2025, 3, 31))
SENDER = "sender"
TOPICS = [
    "幼儿园入学要准备哪些材料",
    "小区冬季供暖温度一直不达标",
    "滨河路路面坑洼多次摔车",
    "工地夜间施工噪音扰民",
    "公交十二路改线后老人出行不便",
    "异地就医医保报销流程",
    "农民工工资被包工头拖欠半年",
    "违章建筑占用消防通道",
    "生活垃圾三天没有清运",
    "人民路路灯长期不亮",
    "老旧小区加装电梯补贴",
    "低保申请材料被退回",
    "菜市场短斤少两",
    "校外培训机构退费难",
    "医院停车位严重不足",
    "户口迁移需要哪些证明",
]


@pytest.fixture
def personas(personas, user_factory, tree):
    from govsite.accounts.roles import Role

    personas.information = user_factory("xinxiban", Role.INFORMATION, tree.city)
    return personas


@pytest.fixture
def make(channels, personas, tree):
    """make(unit, received, steps) -> Message: submitted at ``received`` (Shanghai), published
    and routed an hour later, then each step as (name, days after received, params)."""
    counter = iter(range(1, 10_000))
    officers = {tree.edu.pk: personas.edu_officer, tree.fin.pk: personas.fin_officer,
                tree.county.pk: personas.county_officer, tree.town1.pk: personas.town_officer}  # fmt: skip

    def _make(unit, received=MONDAY, steps=(), publish=True, **fields):
        n = next(counter)
        topic = TOPICS[n % len(TOPICS)]  # different texts and senders: no automatic repeats
        data = {"message_type": "consult", "title": f"关于{topic}", "content": f"{topic}，怎么办？",
                "name": "王小明", "phone": f"138{n:08d}"} | fields  # fmt: skip
        m = submit(channels.board, data, address=f"198.51.100.{n}", now=received).message
        if publish is None:
            return m
        transition(m, "publish" if publish else "keep_private", personas.information,
                   now=received + timedelta(minutes=30))  # fmt: skip
        if unit is None:
            return m
        transition(m, "route", personas.information, unit=unit, now=received + timedelta(hours=1))
        for name, days, params in steps:
            m.refresh_from_db()
            actor = SENDER if name == "rate" else officers.get(m.unit_id, personas.supervisor)
            if name == "approve_reply":
                actor = personas.supervisor
            transition(m, name, actor, now=received + timedelta(days=days, hours=2), **params)
        m.refresh_from_db()
        return m

    return _make


def replied(days=2, rating=None):
    steps = [("accept", 0, {}), ("reply", days, {"text": "已答复，请按要求办理。"})]
    if rating:
        steps.append(("rate", days + 1, {"rating": rating}))
    return steps


@pytest.fixture
def handmade(make, tree, personas):
    """March 2025. edu: 5 messages — replied on time and rated 满意 (2 working days) and
    基本满意 (1); replied late (7), rated 不满意, reopened, replied late again (7) and rated
    不满意 (closed); one in hand; one repeat replied on time (3) and rated 基本满意.
    fin: 1 routed, never answered. county → delegated to 城关镇, which replied on time (3).
    Plus one hidden message and one never routed: they count nowhere."""
    first = make(tree.edu, steps=replied(2, "satisfied"))
    make(tree.edu, steps=replied(1, "basic"))
    make(tree.edu, steps=[*replied(9, "unsatisfied"), ("reply", 21, {"text": "再次答复。"}),
                          ("rate", 22, {"rating": "unsatisfied"})])  # fmt: skip
    make(tree.edu, steps=[("accept", 0, {})])
    repeat = make(tree.edu, steps=replied(3))
    Message.objects.filter(pk=repeat.pk).update(repeat_of=first)  # no event: read at the next
    transition(repeat, "rate", SENDER, rating="basic", now=MONDAY + timedelta(days=20))
    make(tree.fin)
    make(tree.county, steps=[("delegate", 0, {"unit": tree.town1}), ("accept", 1, {}),
                             ("reply", 3, {"text": "城关镇已处理。"})])  # fmt: skip
    hidden = make(None, publish=None)
    transition(hidden, "hide", personas.information, reason="含有他人隐私信息")
    make(None)  # published, never routed
    return tree


def by_unit(rows):
    return {r.unit.code: r for r in rows}


def test_rates_on_a_hand_made_set(handmade):
    rows = by_unit(stats.unit_rates(*MARCH))
    assert set(rows) == {"D1", "D2", "X1T1"}  # the county delegated its only message
    edu = rows["D1"]
    assert (edu.received, edu.replied, edu.on_time, edu.rated, edu.satisfied, edu.repeats) == (
        5, 4, 3, 4, 3, 1)  # fmt: skip
    assert (edu.reply_rate, edu.on_time_rate, edu.satisfaction) == (0.8, 0.75, 0.75)
    # working days from routing (Mon 3/3) to reply: 2, 1, 3; the reopened one from its
    # reopening (Thu 3/13) to the second reply (Mon 3/24): 7
    assert (edu.timed, edu.workdays, edu.avg_workdays) == (4, 13, 3.25)
    fin = rows["D2"]
    assert (fin.received, fin.replied, fin.reply_rate) == (1, 0, 0.0)
    assert fin.on_time_rate is None and fin.satisfaction is None and fin.avg_workdays is None
    town = rows["X1T1"]
    assert (town.received, town.replied, town.on_time_rate, town.rated) == (1, 1, 1.0, 0)
    assert town.satisfaction is None


def test_the_late_reply_is_counted_late(handmade):
    late = Message.objects.get(unit__code="D1", reopened=1)
    assert late.on_time is False and late.satisfaction == "unsatisfied" and late.status == "closed"
    assert late.handling_workdays == 7


def test_no_messages_is_none_never_zero(handmade, tree):
    assert stats.rates_for_scoring(tree.county, *MARCH) is None
    assert stats.rates_for_scoring(tree.town2, *MARCH) is None
    assert stats.rates_for_scoring(None, *MARCH) is None
    assert stats.rates_for_scoring(tree.fin, *MARCH) == {
        "reply_rate": 0.0, "on_time_rate": None, "satisfaction": None}  # fmt: skip
    edu = stats.rates_for_scoring(tree.edu, *MARCH)
    assert edu == {"reply_rate": 0.8, "on_time_rate": 0.75, "satisfaction": 0.75}
    empty = by_unit(stats.unit_rates(*MARCH, include_empty=True))
    assert empty["X1T2"].received == 0 and empty["X1T2"].reply_rate is None
    assert empty["X1T2"].rank is None


def test_periods_count_messages_by_the_day_they_arrived(make, tree):
    make(tree.edu, received=datetime(2025, 1, 31, 23, 30, tzinfo=SH), steps=replied(2))
    make(tree.edu, received=datetime(2025, 2, 1, 0, 30, tzinfo=SH))
    january = by_unit(stats.unit_rates(date(2025, 1, 1), date(2025, 1, 31)))
    february = by_unit(stats.unit_rates(date(2025, 2, 1), date(2025, 2, 28)))
    assert (january["D1"].received, january["D1"].replied) == (1, 1)  # replied in Feb
    assert (february["D1"].received, february["D1"].replied) == (1, 0)
    both = by_unit(stats.unit_rates(datetime(2025, 1, 31, 12, tzinfo=SH), date(2025, 2, 1)))
    assert both["D1"].received == 2
    assert stats.unit_rates(date(2025, 3, 1), date(2025, 3, 31)) == []
    two_months = by_unit(stats.unit_rates(date(2025, 1, 1), date(2025, 2, 28)))  # UnitMonth
    assert (two_months["D1"].received, two_months["D1"].replied) == (2, 1)
    mixed = by_unit(stats.unit_rates(date(2024, 12, 15), date(2025, 2, 1)))  # days + a month
    assert mixed["D1"].received == 2


def test_split_period_into_whole_months_and_days():
    split = stats.split_period
    assert split(date(2025, 1, 1), date(2025, 2, 28)) == ([], (date(2025, 1, 1), date(2025, 2, 1)))
    assert split(date(2025, 1, 31), date(2025, 2, 1)) == (
        [(date(2025, 1, 31), date(2025, 2, 1))],
        None,
    )
    assert split(date(2026, 1, 1), date(2026, 11, 22)) == (
        [(date(2026, 11, 1), date(2026, 11, 22))], (date(2026, 1, 1), date(2026, 10, 1)))  # fmt: skip
    assert split(date(2025, 12, 15), date(2026, 2, 3)) == (
        [(date(2025, 12, 15), date(2025, 12, 31)), (date(2026, 2, 1), date(2026, 2, 3))],
        (date(2026, 1, 1), date(2026, 1, 1)))  # fmt: skip
    assert split(date(2025, 3, 5), date(2025, 3, 20)) == (
        [(date(2025, 3, 5), date(2025, 3, 20))],
        None,
    )


def test_period_bounds():
    today = date(2025, 8, 20)
    assert stats.period_bounds("month", today) == (date(2025, 8, 1), today)
    assert stats.period_bounds("quarter", today) == (date(2025, 7, 1), today)
    assert stats.period_bounds("year", today) == (date(2025, 1, 1), today)
    assert stats.period_bounds("custom", today, date(2025, 5, 9), date(2025, 3, 1)) == (
        date(2025, 3, 1), date(2025, 5, 9))  # fmt: skip
    assert stats.quarter_bounds(2025, 4) == (date(2025, 10, 1), date(2025, 12, 31))
    assert stats.month_bounds(2024, 2) == (date(2024, 2, 1), date(2024, 2, 29))
    assert stats.year_before(date(2025, 8, 20)) == date(2024, 8, 21)
    assert stats.year_before(date(2024, 2, 29)) == date(2023, 3, 1)


def test_levels_follow_the_unit_tree(handmade, tree, personas, make):
    make(tree.county, steps=replied(1))
    levels = stats.unit_levels([tree.city, tree.edu, tree.county, tree.town1, tree.town2])
    assert levels == {tree.city.pk: "city", tree.edu.pk: "city", tree.county.pk: "county",
                      tree.town1.pk: "township", tree.town2.pk: "township"}  # fmt: skip
    assert set(by_unit(stats.unit_rates(*MARCH, level="city"))) == {"D1", "D2"}
    assert set(by_unit(stats.unit_rates(*MARCH, level="county"))) == {"X1"}
    assert set(by_unit(stats.unit_rates(*MARCH, level="township"))) == {"X1T1"}
    with pytest.raises(ValueError):
        stats.unit_rates(*MARCH, level="province")
    assert stats.period_totals(*MARCH, level="city").received == 6
    assert stats.period_totals(*MARCH).received == 8


def test_ranking_order_and_sorting(handmade, make, tree):
    make(tree.county, steps=replied(1))
    rows = stats.unit_rates(*MARCH)
    assert [r.unit.code for r in rows] == ["X1", "X1T1", "D1", "D2"]  # 100 %, 100 %, 80 %, 0 %
    assert [r.rank for r in rows] == [1, 2, 3, 4]
    by_volume = stats.unit_rates(*MARCH, sort="received")
    assert by_volume[0].unit.code == "D1"
    fastest = stats.unit_rates(*MARCH, sort="avg_workdays")
    assert fastest[0].unit.code == "X1" and fastest[-1].unit.code == "D2"  # no data last
    total = stats.totals(rows)
    assert (total.received, total.replied) == (8, 6)
    assert total == stats.period_totals(*MARCH)


def test_advanced_units_rule(make, tree):
    for _ in range(3):
        make(tree.edu, steps=replied(1, "satisfied"))
        make(tree.fin, steps=replied(1, "basic"))
    make(tree.fin, steps=[("accept", 0, {})])  # fin: 3 of 4 replied
    make(tree.county, steps=replied(1, "satisfied"))  # too few messages
    chosen = stats.advanced_units(2025, top=5, min_messages=3)
    assert [(a.rank, a.rates.unit.code) for a in chosen] == [(1, "D1"), (2, "D2")]
    assert chosen[0].score == 1.0
    assert chosen[1].score == pytest.approx(0.4 * 3 / 4 + 0.3 + 0.3)
    assert stats.advanced_units(2025, top=1, min_messages=3)[0].rates.unit.code == "D1"
    assert stats.advanced_units(2025, level="county", min_messages=1)[0].rates.unit.code == "X1"
    assert stats.advanced_units(2024, min_messages=1) == []


def test_composite_gives_missing_weights_to_the_others():
    rates = stats.make_rates(None, {"received": 4, "replied": 2, "on_time": 1})
    assert stats.composite(rates) == pytest.approx((0.4 * 0.5 + 0.3 * 0.5) / 0.7)


def test_the_scoring_engine_gets_a_year_of_rates(handmade, tree):
    from govsite.evaluations.scoring import message_rates

    def site(unit, today):
        return SimpleNamespace(website=SimpleNamespace(unit=unit), run=SimpleNamespace(today=today))

    assert message_rates(site(tree.edu, date(2026, 3, 2))) == {
        "reply_rate": 0.8, "on_time_rate": 0.75, "satisfaction": 0.75}  # fmt: skip
    assert message_rates(site(tree.edu, date(2026, 3, 3))) is None  # March 3rd 2025 is out
    assert message_rates(site(tree.county, date(2025, 12, 1))) is None
    assert (
        message_rates(SimpleNamespace(website=None, run=SimpleNamespace(today=date(2026, 3, 2))))
        is None
    )


# -- the public page ----------------------------------------------------------------------


def test_the_ranking_page_renders_and_filters(handmade, client):
    page = client.get("/messages/stats/", {"from": "2025-03-01", "to": "2025-03-31"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "示范市教育局" in html and "80.0%" in html and "青山县城关镇" in html
    assert "王小明" not in html and "13800000001" not in html
    towns = client.get("/messages/stats/", {"from": "2025-03-01", "to": "2025-03-31",
                                            "level": "township"}).content.decode()  # fmt: skip
    assert "青山县城关镇" in towns and "示范市教育局" not in towns
    assert "青山县石桥镇" in towns  # units without messages are listed, without a rank
    empty = client.get("/messages/stats/", {"period": "year"}).content.decode()
    assert "示范市教育局" in empty and "80.0%" not in empty  # 2025 is not this year
    for junk in ({"period": "x", "level": "y", "sort": "z"}, {"from": "2025-13-45"},
                 {"from": "1800-01-01"}):  # fmt: skip
        assert client.get("/messages/stats/", junk).status_code == 200
    sorted_page = client.get("/messages/stats/", {"from": "2025-03-01", "to": "2025-03-31",
                                                  "sort": "received"}).content.decode()  # fmt: skip
    assert sorted_page.index("示范市教育局") < sorted_page.index("青山县城关镇")


def test_the_advanced_page(make, tree, client):
    for _ in range(2):
        make(tree.edu, steps=replied(1, "satisfied"))
    assert client.get("/messages/stats/advanced/2025/").status_code == 200
    assert client.get("/messages/stats/advanced/1999/").status_code == 404


# -- exports ------------------------------------------------------------------------------


def docx_text(data: bytes) -> str:
    from docx import Document

    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def xlsx_text(data: bytes) -> str:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data))
    return "\n".join(str(v) for sheet in book for row in sheet.iter_rows(values_only=True)
                     for v in row if v is not None)  # fmt: skip


@pytest.fixture
def with_report(handmade, make, tree):
    """A 举报 about the finance bureau, replied and rated: it must never be a typical case,
    and its sender never named."""
    return make(tree.fin, message_type="report", name="举报人赵六", phone="13900000009",
                title="举报某局违规收费", steps=replied(1, "satisfied"))  # fmt: skip


def test_exports_open_and_never_name_a_report_sender(with_report, client, personas):
    client.force_login(personas.supervisor)
    for fmt, read in (("docx", docx_text), ("xlsx", xlsx_text)):
        response = client.get(f"/messages/stats/bulletin/2025/1/{fmt}/",
                              {"typical": [with_report.number]})  # fmt: skip
        assert response.status_code == 200, fmt
        assert "attachment" in response["Content-Disposition"]
        text = read(response.content)
        assert "2025年第1季度" in text and "示范市教育局" in text
        assert "举报人赵六" not in text and "13900000009" not in text
        assert "举报某局违规收费" not in text and with_report.number not in text
        assert "王小明" not in text and "13800000001" not in text
        monthly = client.get(f"/messages/stats/summary/2025/3/{fmt}/")
        assert monthly.status_code == 200
        text = read(monthly.content)
        assert "2025年3月" in text and "举报人赵六" not in text and "举报某局违规收费" not in text
        assert "关于小区冬季供暖温度一直不达标" in text  # best-rated public ones by default


def test_the_word_bulletin_has_the_house_layout(with_report, client, personas):
    """Official margins and Chinese fonts, the statistics table on landscape pages with its
    header repeated on every page: the same layout as the evaluation bulletin."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.oxml.ns import qn
    from docx.shared import Cm

    client.force_login(personas.supervisor)
    doc = Document(io.BytesIO(client.get("/messages/stats/bulletin/2025/1/docx/").content))
    text, table = doc.sections

    def cm(length) -> float:  # Word stores lengths in twips: 3.7 cm comes back as 3.70064
        return round(length / Cm(1), 2)

    assert (cm(text.top_margin), cm(text.left_margin)) == (3.7, 2.8)
    assert table.orientation == WD_ORIENT.LANDSCAPE and table.page_width > table.page_height
    assert cm(table.top_margin) == cm(table.left_margin) == 2.0
    fonts = doc.styles["Normal"].element.rPr.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == "SimSun"
    header = doc.tables[0].rows[0]
    assert header._tr.trPr.find(qn("w:tblHeader")) is not None
    assert all(run.bold for cell in header.cells for run in cell.paragraphs[0].runs)


def test_chosen_typical_cases_keep_their_order_and_skip_private_ones(make, tree):
    from govsite.messaging.stats_reports import typical_cases

    a = make(tree.edu, title="甲事项", steps=replied(1, "basic"))
    b = make(tree.edu, title="乙事项", steps=replied(1))
    private = make(tree.edu, title="丙事项", publish=False, steps=replied(1, "satisfied"))
    waiting = make(tree.edu, title="丁事项")
    chosen = typical_cases(*MARCH, numbers=[b.number, private.number, waiting.number, a.number])
    assert [c.title for c in chosen] == ["乙事项", "甲事项"]
    assert chosen[1].satisfaction == "基本满意" and chosen[0].satisfaction == "未评价"
    picked = typical_cases(*MARCH)
    assert [c.title for c in picked] == ["甲事项"]  # rated 满意 / 基本满意, public, replied


def test_exports_are_for_staff_only(handmade, client, personas):
    url = "/messages/stats/bulletin/2025/1/docx/"
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(personas.edu_officer)
    assert client.get(url).status_code == 403
    client.force_login(personas.evaluator)
    assert client.get(url).status_code == 200
    assert client.get("/messages/stats/bulletin/2025/5/docx/").status_code == 404
    assert client.get("/messages/stats/bulletin/2025/1/pdf/").status_code == 404
    assert client.get("/messages/stats/bulletin/2099/1/xlsx/").status_code == 404
    form = client.get("/messages/stats/export/", {"kind": "month", "year": "2025", "number": "3",
                                                  "format": "xlsx", "typical": "1, 2"})  # fmt: skip
    assert form.status_code == 302 and form["Location"].startswith(
        "/messages/stats/summary/2025/3/xlsx/"
    )


def test_cells_that_look_like_formulas_are_defused(make, tree, client, personas):
    from openpyxl import load_workbook

    m = make(tree.edu, title='=HYPERLINK("http://x")', steps=replied(1, "satisfied"))
    client.force_login(personas.information)
    data = client.get("/messages/stats/summary/2025/3/xlsx/", {"typical": m.number}).content
    cases = load_workbook(io.BytesIO(data))["典型案例"]
    titles = [row[2] for row in cases.iter_rows(min_row=3, values_only=True)]
    assert titles == ['\'=HYPERLINK("http://x")']
