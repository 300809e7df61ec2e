"""Link extraction: every source of links, resolved, canonical, labelled by kind."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govsite.pages.links import canonical_url, count_by_kind, extract_links, resolve_href

PAGE_URL = "http://www.example.gov.cn/col/col123/index.html"


def links_of(body: str, head: str = "", url: str = PAGE_URL):
    return extract_links(f"<html><head>{head}</head><body>{body}</body></html>", url)


def pairs(links):
    return [(link.url, link.kind) for link in links]


def test_anchor_links_are_resolved_against_the_page_url_with_their_text():
    links = links_of('<a href="../../art/2025/11/1/art_1.html"> 关于 \n 通知 </a>')
    assert [(link.url, link.kind, link.text) for link in links] == [
        ("http://www.example.gov.cn/art/2025/11/1/art_1.html", "page", "关于 通知")
    ]


def test_every_tag_that_links_is_read_with_its_kind():
    body = """
      <a href="/a.html">页面</a>
      <map><area href="/map.html" alt="地图"></map>
      <iframe src="/frame/bottom.html"></iframe>
      <img src="/images/logo.png" alt="标志">
      <script src="/js/app.js"></script>
    """
    head = (
        '<link rel="stylesheet" href="/css/site.css">'
        '<link rel="shortcut icon" href="/favicon.ico">'
        '<link rel="alternate" href="/rss.xml">'
    )
    assert pairs(links_of(body, head)) == [
        ("http://www.example.gov.cn/css/site.css", "css"),
        ("http://www.example.gov.cn/favicon.ico", "image"),
        ("http://www.example.gov.cn/a.html", "page"),
        ("http://www.example.gov.cn/map.html", "page"),
        ("http://www.example.gov.cn/frame/bottom.html", "frame"),
        ("http://www.example.gov.cn/images/logo.png", "image"),
        ("http://www.example.gov.cn/js/app.js", "script"),
    ]


def test_frameset_frames_are_links():
    doc = '<html><frameset><frame src="top.html"><frame src="main.html"></frameset></html>'
    assert pairs(extract_links(doc, PAGE_URL)) == [
        ("http://www.example.gov.cn/col/col123/top.html", "frame"),
        ("http://www.example.gov.cn/col/col123/main.html", "frame"),
    ]


@pytest.mark.parametrize("ext", ["pdf", "doc", "docx", "xls", "xlsx", "wps", "zip", "rar", "ofd"])
def test_document_files_are_attachments(ext):
    links = links_of(f'<a href="/files/附件1.{ext.upper()}">附件1</a>')
    assert links[0].kind == "attachment"


def test_hanweb_download_script_and_file_named_link_text_are_attachments():
    body = (
        '<a href="/module/download/downfile.jsp?classid=0&filename=be5f1a.pdf">附件</a>'
        '<a href="/getfile.jsp?id=7">2023年预算表.xlsx</a>'
    )
    assert [link.kind for link in links_of(body)] == ["attachment", "attachment"]


@pytest.mark.parametrize(
    "onclick",
    [
        "window.open('/art/1.html')",
        'window.open("/art/1.html","_blank")',
        "location.href='/art/1.html'",
        "window.location.href = '/art/1.html';return false;",
        "javascript:window.location='/art/1.html'",
    ],
)
def test_links_in_onclick_handlers_are_found(onclick):
    quote = "'" if '"' in onclick else '"'
    links = links_of(f"<span onclick={quote}{onclick}{quote}>查看详情</span>")
    assert pairs(links) == [("http://www.example.gov.cn/art/1.html", "page")]
    assert links[0].text == "查看详情"


def test_javascript_window_open_in_href_is_followed():
    links = links_of("<a href=\"javascript:window.open('/doc/plan.pdf')\">规划</a>")
    assert pairs(links) == [("http://www.example.gov.cn/doc/plan.pdf", "attachment")]


def test_onclick_on_a_badge_image_is_a_link():
    body = "<img src='/red.png' onclick=\"window.open('http://bszs.conac.cn/sitename?id=1')\">"
    assert ("http://bszs.conac.cn/sitename?id=1", "page") in pairs(links_of(body))


@pytest.mark.parametrize(
    "href",
    [
        "javascript:void(0)",
        "javascript:;",
        "JavaScript:void(0);",
        "#",
        "#top",
        "mailto:webmaster@example.gov.cn",
        "tel:12345",
        "",
        "   ",
        "data:image/png;base64,AAAA",
    ],
)
def test_non_navigating_hrefs_are_dropped(href):
    assert links_of(f'<a href="{href}">x</a>') == []


def test_fragments_are_stripped_and_duplicates_merged():
    body = '<a href="/a.html#p1">一</a><a href="/a.html#p2"></a><a href="/a.html">一</a>'
    assert pairs(links_of(body)) == [("http://www.example.gov.cn/a.html", "page")]


def test_base_href_is_respected():
    links = links_of('<a href="art/1.html">x</a>', '<base href="http://cdn.example.gov.cn/site/">')
    assert links[0].url == "http://cdn.example.gov.cn/site/art/1.html"


def test_relative_base_href_is_resolved_against_the_page():
    links = links_of('<a href="1.html">x</a>', '<base href="/other/">')
    assert links[0].url == "http://www.example.gov.cn/other/1.html"


def test_empty_base_element_is_ignored():
    links = links_of('<a href="1.html">x</a>', "<base /><base target=_blank>")
    assert links[0].url == "http://www.example.gov.cn/col/col123/1.html"


def test_canonical_url_normalises_case_ports_escapes_and_drops_fragment():
    assert canonical_url("HTTP://WWW.Example.GOV.cn:80/a b/%e4%b8%ad?q=中 文&b=1#frag") == (
        "http://www.example.gov.cn/a%20b/%E4%B8%AD?q=%E4%B8%AD%20%E6%96%87&b=1"
    )
    assert canonical_url("https://www.gov.cn:443") == "https://www.gov.cn/"


def test_canonical_url_keeps_query_order_and_meaningful_escapes():
    assert canonical_url("http://x.gov.cn/s?b=2&a=1&path=%2F") == (
        "http://x.gov.cn/s?b=2&a=1&path=%2F"
    )


def test_canonical_url_rejects_non_web_schemes_and_hostless_urls():
    assert canonical_url("mailto:a@b.cn") is None
    assert canonical_url("http:///nohost") is None


def test_resolve_href_handles_protocol_relative_and_absolute_links():
    assert resolve_href(PAGE_URL, "//bszs.conac.cn/sitename") == "http://bszs.conac.cn/sitename"
    assert resolve_href(PAGE_URL, "https://www.gov.cn/") == "https://www.gov.cn/"


def test_count_by_kind_reports_every_kind():
    links = links_of('<a href="/a.html">a</a><a href="/b.pdf">b</a><img src="/c.png">')
    assert count_by_kind(links) == {
        "page": 1,
        "image": 1,
        "attachment": 1,
        "css": 0,
        "script": 0,
        "frame": 0,
    }


def test_anchor_text_falls_back_to_title_then_image_alt():
    body = '<a href="/a.html" title="标题"></a><a href="/b.html"><img src="/b.png" alt="图"></a>'
    assert [link.text for link in links_of(body) if link.kind == "page"] == ["标题", "图"]


@given(
    st.sampled_from(["http://a.gov.cn", "http://a.gov.cn/", "http://a.gov.cn/x/y.html",
                     "http://a.gov.cn/x/", "http://a.gov.cn/x/y.html?p=1", "https://b.gov.cn:8080/z"]),
    st.sampled_from(["/c.html", "c.html", "../c.html", "?page=2", "//cdn.gov.cn/x.js",
                     "http://o.gov.cn/a", "./d/e.html", "", "#top", "c.html?x=1"]),
)  # fmt: skip
def test_cached_resolution_equals_plain_urljoin(base, href):
    from urllib.parse import urljoin

    from govsite.pages.links import _resolve, canonical_url, resolve_href

    expected = _resolve.__wrapped__(base, href)
    assert resolve_href(base, href) == expected
    if href and not href.startswith("#"):
        assert expected == canonical_url(urljoin(base, href))


@settings(max_examples=400, deadline=None)
@given(
    base=st.sampled_from(
        ["http://h/a/b.html", "http://h/a/b.html?q=1", "https://h/a/", "http://k/a/c.html",
         "http://h", "https://k:8443/x/y.html#frag", "file:///tmp/p.html"]
    ),
    ref=st.one_of(
        st.text(alphabet="ab/.?#;:", max_size=10),
        st.tuples(st.sampled_from(["http:", "HTTP:", "https:", "file:", "\x01", "//", ""]),
                  st.text(alphabet="ab/.?#;:", max_size=6)).map("".join),
    ),
)  # fmt: skip
def test_script_sources_joined_through_the_cache_equal_urljoin(base, ref):
    """Document._join caches by the part of the base a reference depends on (join_scope):
    every page of a site loads the same scripts. It must still agree with urljoin."""
    from urllib.parse import urljoin

    from govsite.pages.document import _join

    expected = urljoin(base, ref.strip()) if ref.strip() else None
    assert _join(base, ref) == expected
