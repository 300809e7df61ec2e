"""Whatever a site serves, analysis finishes quickly and never raises."""

from __future__ import annotations

import json
import subprocess
import sys
import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pages_corpus import TODAY

from govsite.pages import analyse_page

URL = "http://www.example.gov.cn/col/col1/index.html"


def test_five_megabyte_page_completes_in_bounded_time():
    item = '<li><a href="/art/{i}.html">关于第{i}项重点工作进展情况的通报</a><span>2025-10-{d:02d}</span></li>'
    items = "".join(item.format(i=i, d=i % 28 + 1) for i in range(40000))
    body = f"<html><head><title>通知公告</title></head><body><ul>{items}</ul>"
    body += "<p>" + "正文文字" * 200000 + "</p></body></html>"
    data = body.encode("utf-8")
    assert len(data) > 5_000_000
    started = time.perf_counter()
    result = analyse_page(data, URL, today=TODAY)
    elapsed = time.perf_counter() - started
    assert result["kind"] in ("list", "article")
    assert elapsed < 10, f"5 MB page took {elapsed:.1f} s"


def test_deeply_nested_malformed_html_is_analysed():
    body = (
        "<div><span><table><tr><td><p><b>" * 3000 + "发布时间：2025-11-01 正文" + "</i></ul>" * 50
    )
    result = analyse_page(body.encode("utf-8"), URL, today=TODAY)
    assert result["publication_date"] == "2025-11-01"
    json.dumps(result)


def test_unclosed_tags_attributes_and_stray_brackets_do_not_break_links():
    body = (
        '<html><body><a href="/a.html"<b>标题<a href=/b.html>二<a href=\'/c.html\' x=">'
        "<<<>>><img src=/x.png <p>"
    )
    result = analyse_page(body.encode("utf-8"), URL, today=TODAY)
    assert result["links"]["page"] >= 2


def test_invalid_bytes_in_gbk_and_utf8_pages_never_raise():
    gbk = '<meta charset="gbk"><p>通知</p>'.encode("gbk") + b"\x81\xff\xfe\x80" * 100
    utf8 = '<meta charset="utf-8"><p>通知</p>'.encode() + b"\xc3\x28\xe2\x82" * 100
    for data in (gbk, utf8):
        assert analyse_page(data, URL, today=TODAY)["encoding"] in ("gb18030", "utf-8")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=4000))
def test_random_bytes_never_raise(data):
    json.dumps(analyse_page(data, URL, today=TODAY))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "<a href='/x.html'>",
                "</a>",
                "<li>",
                "<ul>",
                "</ul>",
                "<table><tr><td>",
                "2025-11-01",
                "发布时间：",
                "下一页",
                "<script>createPageHTML(",
                "<!--",
                "-->",
                "网站标识码",
                "京ICP备",
                "<base href=",
                "javascript:",
                "<![CDATA[",
                "<record>",
                "\x00",
                "\ufffd",
                "&#0;",
            ]
        ),
        max_size=60,
    )
)
def test_random_tag_soup_never_raises(parts):
    json.dumps(analyse_page("".join(parts).encode("utf-8"), URL, today=TODAY))


def test_importing_govsite_pages_imports_no_django():
    code = (
        "import sys, govsite.pages, govsite.pages.command\n"
        "bad = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
