"""Footer identifiers: 网站标识码, ICP, 公安备案 and the 党政机关 badge."""

from __future__ import annotations

import pytest

from govsite.pages.footer import footer_identifiers


def footer(body: str, head: str = "") -> dict:
    return footer_identifiers(f"<html><head>{head}</head><body>{body}</body></html>")


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("网站标识码：3201000001", "3201000001"),
        ("网站标识码:bm01000001", "bm01000001"),
        ("政府网站标识码 1500000001", "1500000001"),
        ("网站标识码bm35000001 备案序号", "bm35000001"),
        (
            "甘公网安备 62010202000690号网站标识码：6200000052网站备案号：陇ICP备19000877号",
            "6200000052",
        ),
    ],
)
def test_site_code_is_read_after_its_label(text, code):
    assert footer(f'<div class="footer">{text}</div>')["site_code"] == code


def test_site_code_must_be_ten_characters():
    assert footer("<p>网站标识码：12345678901</p>")["site_code"] is None
    assert footer("<p>网站标识码：123456</p>")["site_code"] is None


@pytest.mark.parametrize(
    ("text", "icp"),
    [
        ("京ICP备12345678号-1", "京ICP备12345678号-1"),
        ("苏ICP备05001234号", "苏ICP备05001234号"),
        ("备案号：浙ICP备 05018911 号", "浙ICP备05018911号"),
        ("蒙ICP备 05006530", "蒙ICP备05006530"),
        ("陇ICP备19000877号", "陇ICP备19000877号"),
    ],
)
def test_icp_numbers_are_read(text, icp):
    assert footer(f"<footer>{text}</footer>")["icp"] == icp


@pytest.mark.parametrize(
    ("text", "record"),
    [
        ("京公网安备 11010502030143号", "京公网安备11010502030143号"),
        ("京公网安备11010202000001号", "京公网安备11010202000001号"),
        ("赣公安备案 36040202000107号", "赣公安备案36040202000107号"),
        ("公安机关备案号：15081599004-00001", "公安机关备案号：15081599004-00001"),
    ],
)
def test_police_records_are_read(text, record):
    assert footer(f'<div id="bottom">{text}</div>')["police_record"] == record


@pytest.mark.parametrize(
    ("body", "via"),
    [
        (
            '<a href="https://bszs.conac.cn/sitename?method=show&id=1"><img src="/a.png"></a>',
            "link",
        ),
        ('<img src="/images/dzjg.png">', "image"),
        ('<img src="//dcs.conac.cn/image/red.png">', "image"),
        (
            "<span id='_ideConac'></span><script>document.write(unescape(\"%3Cscript "
            "src='http://dcs.conac.cn/js/33/000/0000/60414076/CA3300.js'%3E%3C/script%3E\"));"
            "</script>",
            "script",
        ),
        ('<script src="https://dcs.conac.cn/js/33/000/0000/6094/CA33.js"></script>', "script"),
        (
            "<img src='/red.png' onclick=\"window.open('http://bszs.conac.cn/sitename?id=9')\">",
            "link",
        ),
        ('<div class="footer">党政机关</div>', "text"),
    ],
)
def test_party_government_badge_is_found_however_it_is_embedded(body, via):
    result = footer(body)
    assert result["party_gov_badge"] is True
    assert result["party_gov_badge_via"] == via


def test_commented_out_badge_and_empty_placeholder_do_not_count():
    body = (
        "<!-- <span id='_ideConac'><a href='//bszs.conac.cn/sitename'></a></span> -->"
        "<span id='_ideConac'></span><p>版权所有</p>"
    )
    assert footer(body)["party_gov_badge"] is False


def test_footer_region_is_preferred_over_identifiers_quoted_in_the_body():
    body = (
        "<div class='content'>本文提到的京ICP备00000001号是示例。</div>"
        "<div class='copyright'>京ICP备17053655号</div>"
    )
    assert footer(body)["icp"] == "京ICP备17053655号"


def test_identifiers_outside_a_marked_footer_are_still_found():
    assert footer("<p>主办单位：某市人民政府 京ICP备12345678号</p>")["icp"] == "京ICP备12345678号"


def test_page_without_identifiers_reports_none():
    assert footer("<p>欢迎</p>") == {
        "site_code": None,
        "icp": None,
        "police_record": None,
        "party_gov_badge": False,
        "party_gov_badge_via": None,
        "site_code_meta": None,
    }


def test_site_code_meta_is_reported_separately():
    result = footer("<p>x</p>", '<meta name="SiteIDCode" content="3300000020">')
    assert (result["site_code"], result["site_code_meta"]) == (None, "3300000020")
