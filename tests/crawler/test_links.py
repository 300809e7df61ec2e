"""Link extraction: what a page links to, resolved the way a browser would."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from govsite.crawler.links import extract_links, js_urls

BASE = "http://www.example.gov.cn/col/list.html"


def urls(html: str, base: str = BASE) -> list[tuple[str, str, str]]:
    return [(link.url, link.kind, link.tag) for link in extract_links(html, base)]


def test_anchors_images_frames_stylesheets_and_scripts_are_found():
    html = (
        '<link rel="stylesheet" href="/s.css"><link rel="icon" href="/f.ico">'
        '<script src="app.js"></script><script>var x;</script>'
        '<a href="../art/1.html">一</a><area href="/map.html">'
        '<img src="logo.png"><iframe src="//cdn.example.com/v.html">'
    )
    assert urls(html) == [
        ("http://www.example.gov.cn/s.css", "stylesheet", "link"),
        ("http://www.example.gov.cn/col/app.js", "script", "script"),
        ("http://www.example.gov.cn/art/1.html", "page", "a"),
        ("http://www.example.gov.cn/map.html", "page", "area"),
        ("http://www.example.gov.cn/col/logo.png", "image", "img"),
        ("http://cdn.example.com/v.html", "page", "iframe"),
    ]


def test_frameset_frames_are_page_links():
    html = (
        '<html><frameset cols="20%,80%"><frame src="/menu.html"><frame src="main.html"></frameset>'
    )
    assert urls(html) == [
        ("http://www.example.gov.cn/menu.html", "page", "frame"),
        ("http://www.example.gov.cn/col/main.html", "page", "frame"),
    ]


def test_script_opened_urls_are_found():
    html = (
        "<a href=\"javascript:window.open('/pop.html')\">弹窗</a>"
        "<div onclick=\"location.href='/click.html'\">点击</div>"
        "<span onclick='window.location = \"/assign.html\"'>x</span>"
        "<button onclick=\"window.open(&quot;/quoted.html&quot;, '_blank')\">b</button>"
    )
    assert urls(html) == [
        ("http://www.example.gov.cn/pop.html", "page", "js_href"),
        ("http://www.example.gov.cn/click.html", "page", "onclick"),
        ("http://www.example.gov.cn/assign.html", "page", "onclick"),
        ("http://www.example.gov.cn/quoted.html", "page", "onclick"),
    ]


def test_dead_ends_are_dropped():
    html = (
        '<a href="javascript:void(0)">打印</a><a href="javascript:;">x</a>'
        '<a href="mailto:a@b.cn">信箱</a><a href="tel:12345">电话</a><a href="#top">顶部</a>'
        '<a href="">empty</a><a>no href</a><img src="data:image/png;base64,AAAA">'
        '<a href="ftp://x/y">ftp</a>'
    )
    assert urls(html) == []


def test_fragments_are_removed_and_base_href_is_honoured():
    html = (
        '<base href="http://other.gov.cn/dir/"><a href="page.html#part">p</a><a href="/r#x">r</a>'
    )
    assert [u for u, _, _ in urls(html)] == [
        "http://other.gov.cn/dir/page.html",
        "http://other.gov.cn/r",
    ]


def test_whitespace_inside_hrefs_is_ignored_like_browsers_do():
    assert urls('<a href="  /a\n/b.html\t ">x</a>')[0][0] == "http://www.example.gov.cn/a/b.html"


def test_meta_refresh_is_a_page_link():
    html = '<meta http-equiv="refresh" content="0; url=/portal/index.html">'
    assert urls(html) == [("http://www.example.gov.cn/portal/index.html", "page", "meta_refresh")]


def test_anchor_text_is_whitespace_normalised_and_falls_back_to_title_or_alt():
    links = extract_links(
        '<a href="/a">  政务\n   公开 </a><a href="/b" title="标题"></a>'
        '<a href="/c"><img src="/i.png" alt="图片说明"></a>',
        BASE,
    )
    texts = [(link.url.rsplit("/", 1)[1], link.text) for link in links if link.kind == "page"]
    assert texts == [("a", "政务 公开"), ("b", "标题"), ("c", "图片说明")]


def test_relative_resolution_depends_on_the_page_directory():
    first = urls('<a href="x.html">x</a>', "http://h/a/one.html")
    second = urls('<a href="x.html">x</a>', "http://h/b/two.html")  # same href, other dir
    query = urls('<a href="?page=2">2</a>', "http://h/list?page=1")
    assert first[0][0] == "http://h/a/x.html" and second[0][0] == "http://h/b/x.html"
    assert query[0][0] == "http://h/list?page=2"


def test_js_urls_reads_open_and_location_calls():
    assert js_urls("window.open('a.html','_blank');location.replace(\"b.html\")") == [
        "a.html",
        "b.html",
    ]


@given(st.text(max_size=300))
def test_extraction_never_crashes_on_arbitrary_markup(text):
    for link in extract_links(text, BASE):
        assert link.url.startswith(("http://", "https://")) and "#" not in link.url


RESOLVER = None  # one cache across examples: a key that is too short shows as a mismatch
BASES = ["http://h/a/b.html", "https://h/a/b.html", "http://h/a/b.html?q=1", "https://k/a/",
         "http://k/a/c.html", "http://h", "http://h/a;p/b", "http://u@h:80/a//b/c", "HTTP://H/A/b",
         "http://h/a/..", "https://h/a/b.html#x/y"]  # fmt: skip
HREF_PIECES = ["a", "b", "/", ".", "..", "?", "#", ";", ":", "http:", "HTTP:", "https:", "//",
               "http://h", "//k", "\x01", "mailto:", "/art/a1.html", "/x", "x.html"]  # fmt: skip


@settings(max_examples=1000, deadline=None)
@given(base=st.sampled_from(BASES), href=st.lists(st.sampled_from(HREF_PIECES), min_size=1,
                                                   max_size=6).map("".join))  # fmt: skip
def test_the_resolver_cache_gives_exactly_what_urljoin_gives(base, href):
    """Cached by the part of the page URL an href depends on, yet always urljoin's answer
    (without the fragment; http(s) only)."""
    global RESOLVER
    from urllib.parse import urljoin

    from govsite.crawler.links import _Resolver

    RESOLVER = RESOLVER or _Resolver()
    expected = urljoin(base, href).split("#")[0]
    if not expected.startswith(("http://", "https://")):
        expected = None
    assert RESOLVER.for_base(base)(href) == expected


def test_links_are_built_as_real_link_tuples():
    from govsite.crawler.links import Link, _link

    link = _link(("http://h/x", "page", "文本", "a"))
    assert type(link) is Link and link == Link("http://h/x", "page", "文本", "a")
    assert link.text == "文本"
