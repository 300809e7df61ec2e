"""Chinese date parsing and a page's publication date."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pages_corpus import TODAY

from govsite.pages.dates import (
    find_dates,
    find_publication_date,
    parse_date,
    publication_date,
)

D = date(2025, 11, 1)

CN_DIGITS = "〇一二三四五六七八九"


def cn_year(year: int) -> str:
    return "".join(CN_DIGITS[int(digit)] for digit in str(year))


def cn_number(value: int) -> str:
    tens, ones = divmod(value, 10)
    if tens == 0:
        return CN_DIGITS[ones]
    return ("" if tens == 1 else CN_DIGITS[tens]) + "十" + (CN_DIGITS[ones] if ones else "")


FULLWIDTH = str.maketrans("0123456789-", "０１２３４５６７８９－")

# Every written form of a date our pages use, as a function of the date.
FORMS = {
    "iso": lambda d: d.strftime("%Y-%m-%d"),
    "cjk_padded": lambda d: d.strftime("%Y年%m月%d日"),
    "cjk_unpadded": lambda d: f"{d.year}年{d.month}月{d.day}日",
    "slash": lambda d: d.strftime("%Y/%m/%d"),
    "slash_unpadded": lambda d: f"{d.year}/{d.month}/{d.day}",
    "bracketed": lambda d: d.strftime("[%Y-%m-%d]"),
    "dotted": lambda d: d.strftime("%Y.%m.%d"),
    "with_time": lambda d: d.strftime("%Y-%m-%d 10:20:30"),
    "parenthesised": lambda d: d.strftime("(%Y-%m-%d)"),
    "labelled": lambda d: d.strftime("发布时间：%Y-%m-%d"),
    "fullwidth": lambda d: d.strftime("%Y-%m-%d").translate(FULLWIDTH),
    "fullwidth_cjk": lambda d: d.strftime("%Y年%m月%d日").translate(FULLWIDTH),
    "chinese_numerals": lambda d: f"{cn_year(d.year)}年{cn_number(d.month)}月{cn_number(d.day)}日",
    "iso_unpadded": lambda d: f"{d.year}-{d.month}-{d.day}",
    "cms_timestamp": lambda d: d.strftime("%Y-%m-%d-23:59:59"),
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-11-01", D),
        ("2025年11月01日", D),
        ("2025年1月1日", date(2025, 1, 1)),
        ("2025/11/01", D),
        ("[2025-11-01]", D),
        ("2025.11.01", D),
        ("2025-11-01 10:20:30", D),
        ("(2025-11-01)", D),
        ("发布时间：2025-11-01", D),
        ("２０２５-１１-０１", D),
        ("２０２５年１１月０１日", D),
        ("二〇二五年十一月一日", D),
        ("二〇二五年一月三十一日", date(2025, 1, 31)),
        ("二○一九年十二月二十日", date(2019, 12, 20)),
        ("2025 年 11 月 1 日", D),
        ("2007-08-20-23:59:59", date(2007, 8, 20)),
        ("2018/5/18期房网上认购", date(2018, 5, 18)),
    ],
)
def test_every_written_form_of_a_date_parses(text, expected):
    assert parse_date(text, today=TODAY) == expected


@pytest.mark.parametrize(
    "text",
    [
        "2025-13-01",  # no 13th month
        "2025-02-30",  # no 30 February
        "2025年11月31日",
        "1989-12-31",  # before 1990: not a web page date
        "1899-01-01",
        "2025-11",  # month only
        "2025年",
        "吉政明电〔2022〕1号",
        "192.168.1.1",
        "v10.2019.1.1",
        "",
    ],
)
def test_impossible_or_incomplete_dates_are_rejected(text):
    assert parse_date(text, today=TODAY) is None


def test_dates_after_tomorrow_are_rejected():
    today = date(2025, 11, 1)
    assert parse_date("2025-11-02", today=today) == date(2025, 11, 2)
    assert parse_date("2025-11-03", today=today) is None


def test_find_dates_returns_every_date_in_order():
    text = "成文日期：2022年01月27日 发布日期：2022-01-28 (2022/2/1) 无效 2022-02-30"
    assert find_dates(text, today=TODAY) == [
        date(2022, 1, 27),
        date(2022, 1, 28),
        date(2022, 2, 1),
    ]


@settings(max_examples=300, deadline=None)
@given(
    day=st.dates(min_value=date(1990, 1, 1), max_value=TODAY),
    form=st.sampled_from(sorted(FORMS)),
)
def test_any_valid_date_in_any_form_parses_back_to_itself(day, form):
    assert parse_date(FORMS[form](day), today=TODAY) == day


@settings(max_examples=100, deadline=None)
@given(
    day=st.dates(min_value=date(1990, 1, 1), max_value=TODAY),
    form=st.sampled_from(sorted(FORMS)),
    before=st.text(alphabet="通知公告关于发布时间来源：| ", max_size=12),
    after=st.text(alphabet="来源新华社浏览次数 ", max_size=12),
)
def test_a_date_inside_running_text_is_found(day, form, before, after):
    assert find_dates(f"{before}{FORMS[form](day)} {after}", today=TODAY) == [day]


@settings(max_examples=100, deadline=None)
@given(day=st.dates(min_value=TODAY + timedelta(days=2), max_value=date(2099, 12, 31)))
def test_future_dates_never_parse(day):
    assert parse_date(day.isoformat(), today=TODAY) is None


# --- publication date of a page --------------------------------------------------------


def html(head: str = "", body: str = "", title: str = "关于做好2025年防汛工作的通知") -> str:
    return f"<html><head><title>{title}</title>{head}</head><body>{body}</body></html>"


@pytest.mark.parametrize(
    "meta",
    [
        '<meta name="PubDate" content="2025-11-01 10:00">',
        '<meta name="pubdate" content="2025-11-01">',
        '<meta name="publishdate" content="2025年11月01日">',
        '<meta name="firstpublishedtime" content="2025-11-01-23:59:59">',
        '<meta property="article:published_time" content="2025-11-01T08:00:00+08:00">',
    ],
)
def test_publication_meta_tags_give_the_date(meta):
    found = find_publication_date(html(meta, "<p>发布时间：2024-01-02</p>"), today=TODAY)
    assert (found.date, found.source) == (D, "meta")


def test_empty_or_invalid_meta_falls_through_to_the_label():
    page = html('<meta name="PubDate" content="">', "<span>发布日期：2025-11-01</span>")
    assert publication_date(page, today=TODAY) == D


@pytest.mark.parametrize(
    "label",
    [
        "发布时间：",
        "发布日期：",
        "发布时间:",
        "日期：",
        "时间：",
        "公开日期",
        "发布日期: \n",
        "更新时间：",
    ],
)
def test_labelled_date_is_the_publication_date(label):
    page = html(body=f"<h1>关于做好防汛工作的通知</h1><div>{label}2025-11-01</div><p>正文。</p>")
    found = find_publication_date(page, today=TODAY)
    assert (found.date, found.source) == (D, "label")


@pytest.mark.parametrize("label", ["成文日期：", "截止日期：", "留言时间：", "施行日期："])
def test_other_dates_with_labels_are_not_publication_dates(label):
    page = html(title="无标题", body=f"<div>{label}2025-11-01</div><p>正文内容。</p>")
    assert find_publication_date(page, today=TODAY, use_htmldate=False) is None


def test_strong_label_beats_an_earlier_bare_date_label():
    body = "<div>日期：2025-10-01</div><div>发布时间：2025-11-01</div>"
    assert publication_date(html(body=body), today=TODAY) == D


def test_labels_repeated_on_every_list_item_are_not_the_page_date():
    items = "".join(
        f'<li><a href="/a{i}.html">文章{i}</a>发布时间：2025-10-{i:02d}</li>' for i in range(1, 8)
    )
    page = html(title="无标题", body=f"<ul>{items}</ul>")
    assert find_publication_date(page, today=TODAY, use_htmldate=False) is None


def test_date_just_under_the_headline_is_the_publication_date():
    body = (
        "<div>首页 > 新闻</div><h1>关于做好2025年防汛工作的通知</h1>"
        "<div>来源：市水利局</div><div>2025-11-01 14:43</div><p>正文提到2024-05-05。</p>"
    )
    found = find_publication_date(html(body=body), today=TODAY)
    assert (found.date, found.source) == (D, "title")


def test_htmldate_is_used_only_when_nothing_else_is_found():
    page = html(
        '<meta property="og:updated_time" content="2025-11-01T10:00:00">',
        "<p>没有日期标签的正文。</p>",
        title="无标题",
    )
    found = find_publication_date(page, today=TODAY)
    assert found is not None and found.source == "htmldate" and found.date == D


def test_cms_build_time_is_not_taken_as_publication_date():
    page = html('<meta name="createDate" content="2018-05-19 16:39:07">', "<p>数据统计</p>")
    assert publication_date(page, today=TODAY) is None


def test_year_only_guess_padded_to_january_first_is_rejected(monkeypatch):
    import htmldate

    calls = []

    def year_only(*args, **kwargs):
        calls.append(kwargs)
        return "2018-01-01"  # how htmldate reports a bare year such as "© 2018"

    monkeypatch.setattr(htmldate, "find_date", year_only)
    page = html(body="<p>© 2018 版权所有</p>", title="无标题")
    assert publication_date(page, today=TODAY) is None
    assert calls and calls[0]["extensive_search"] is False


def test_genuine_january_first_from_htmldate_is_kept(monkeypatch):
    import htmldate

    monkeypatch.setattr(htmldate, "find_date", lambda *args, **kwargs: "2018-01-01")
    page = html(body="<p>本规定自2018年1月1日起施行。</p>", title="无标题")
    found = find_publication_date(page, today=TODAY)
    assert (found.date, found.source) == (date(2018, 1, 1), "htmldate")


def test_htmldate_failure_is_not_fatal(monkeypatch):
    import htmldate

    def broken(*args, **kwargs):
        raise ValueError("bad tree")

    monkeypatch.setattr(htmldate, "find_date", broken)
    assert publication_date(html(body="<p>x</p>", title="无标题"), today=TODAY) is None


def test_page_without_any_date_has_no_publication_date():
    assert publication_date(html(body="<p>欢迎访问</p>"), today=TODAY) is None


# --- the fast date scan ----------------------------------------------------------------

DATE_PIECES = [
    "2024", "1999", "2031", "20", "19", "1", "12", "31", "0", "5", "二〇二四", "一九九九",
    "二〇二", "十二", "三十一", "十", "一", "二", "〇", "年", "月", "日", "号", "-", "/", ".",
    " ", "x", "发布日期：", "１", "２０２４",
]  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(DATE_PIECES), max_size=16).map("".join))
def test_the_fast_date_scan_finds_exactly_what_the_date_pattern_finds(text):
    """iter_dates tries the full pattern only where a year starts; nothing may change."""
    from govsite.pages.dates import _DATE, _date_matches

    for sample in (text, f"1{text}", f".{text}", f"{text}2025-1-1"):
        expected = [(m.span(), m.groupdict()) for m in _DATE.finditer(sample)]
        assert [(m.span(), m.groupdict()) for m in _date_matches(sample)] == expected


def test_a_year_right_after_a_digit_or_a_dot_is_not_a_date_start():
    assert find_dates("12020-01-02 v1.2021.3.4 2022-05-06", today=TODAY) == [date(2022, 5, 6)]
