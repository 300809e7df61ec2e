"""Column pages: the main list's items, newest date, pagination; and page_kind."""

from __future__ import annotations

from datetime import date

import pytest
from pages_corpus import TODAY

from govsite.pages.analyse import page_kind
from govsite.pages.listing import parse_listing

URL = "http://www.example.gov.cn/col/col123/index.html"

NAV = "".join(f'<li><a href="/col/col{i}/index.html">栏目名称{i}</a></li>' for i in range(12))


def page(body: str, head: str = "", title: str = "通知公告") -> str:
    return (
        f"<html><head><title>{title}</title>{head}</head><body>"
        f'<div class="nav"><ul>{NAV}</ul></div>{body}</body></html>'
    )


def listing(body: str, head: str = "", url: str = URL):
    return parse_listing(page(body, head), url, today=TODAY)


def triples(result):
    return [(item.title, item.url, item.date) for item in result.items]


def ul_items(count: int = 6, fmt: str = "<span>{d}</span>") -> str:
    return "".join(
        f'<li><a href="/art/2025/11/{i}/art_{i}.html">关于第{i}项工作的通知</a>'
        + fmt.format(d=f"2025-11-{i:02d}")
        + "</li>"
        for i in range(1, count + 1)
    )


def test_ul_li_items_with_date_in_span_are_parsed():
    result = listing(f'<div class="list"><ul>{ul_items()}</ul></div>')
    assert triples(result)[0] == (
        "关于第1项工作的通知",
        "http://www.example.gov.cn/art/2025/11/1/art_1.html",
        date(2025, 11, 1),
    )
    assert len(result.items) == 6
    assert result.newest_date == date(2025, 11, 6)


def test_inline_bracketed_dates_are_read():
    result = listing(f"<ul>{ul_items(5, ' [{d}]')}</ul>")
    assert [item.date for item in result.items] == [date(2025, 11, i) for i in range(1, 6)]


def test_table_rows_with_date_in_its_own_cell_are_parsed():
    rows = "".join(
        f'<tr><td>{i}</td><td><a href="/xxgk/{i}.html">政府信息公开事项{i}</a></td>'
        f"<td>市政府办公室</td><td>2025年10月{i}日</td></tr>"
        for i in range(1, 8)
    )
    result = listing(f"<table><tbody>{rows}</tbody></table>")
    assert len(result.items) == 7
    assert result.items[2].title == "政府信息公开事项3"
    assert result.items[2].date == date(2025, 10, 3)
    assert result.newest_date == date(2025, 10, 7)


def test_dl_with_dt_and_dd_pairs_is_parsed():
    pairs = "".join(
        f'<dt><a href="/n/{i}.html">新闻标题第{i}条</a></dt><dd>2025/09/{i:02d}</dd>'
        for i in range(1, 7)
    )
    result = listing(f"<dl>{pairs}</dl>")
    assert [item.date for item in result.items] == [date(2025, 9, i) for i in range(1, 7)]
    assert result.items[0].url == "http://www.example.gov.cn/n/1.html"


def test_repeated_dl_blocks_are_one_list():
    blocks = "".join(
        f'<dl><dt><a href="/n/{i}.html">政策解读第{i}篇</a></dt><dd>({i:02d}-09-2025)</dd>'
        f"<dd>发布日期：2025-09-{i:02d}</dd></dl>"
        for i in range(1, 6)
    )
    result = listing(f'<div class="news">{blocks}</div>')
    assert len(result.items) == 5 and result.newest_date == date(2025, 9, 5)


def test_main_list_is_the_block_with_most_dated_links_not_the_sidebar_or_menu():
    sidebar = "".join(
        f'<li><a href="/hot/{i}.html">热点新闻标题{i}</a><span>2026-01-0{i}</span></li>'
        for i in range(1, 4)
    )
    body = (
        f'<div class="side"><ul>{sidebar}</ul></div><div class="main"><ul>{ul_items(8)}</ul></div>'
    )
    result = listing(body)
    assert len(result.items) == 8
    assert result.newest_date == date(2025, 11, 8)  # not the sidebar's 2026 dates
    assert all("/art/" in item.url for item in result.items)


def test_lists_split_into_several_uls_are_merged():
    first = ul_items(5)
    second = first.replace("art_", "art_b").replace("关于", "有关")
    result = listing(f'<div class="list"><ul>{first}</ul><ul>{second}</ul></div>')
    assert len(result.items) == 10


def test_truncated_titles_use_the_title_attribute():
    items = "".join(
        f'<li><a href="/{i}.html" title="关于印发某市推进政务服务标准化规范化便利化实施方案的通知{i}">'
        f"关于印发某市推进政务服务标准化...</a><span>2025-08-0{i}</span></li>"
        for i in range(1, 6)
    )
    result = listing(f"<ul>{items}</ul>")
    assert result.items[0].title == "关于印发某市推进政务服务标准化规范化便利化实施方案的通知1"


def test_page_without_dated_links_has_no_items():
    result = listing("<p>欢迎访问本网站</p>")
    assert result.items == [] and result.newest_date is None
    assert result.pagination.kind == "none"


# --- pagination -----------------------------------------------------------------------


def test_trs_create_page_html_gives_index_then_index_1_to_count_minus_1():
    script = '<script>createPageHTML(5, 0, "index", "html");</script>'
    result = listing(f"<ul>{ul_items()}</ul>{script}", url="http://www.example.gov.cn/tzgg/")
    assert result.pagination.kind == "trs"
    assert result.pagination.total_pages == 5
    assert result.pagination.pages == [
        "http://www.example.gov.cn/tzgg/index.html",
        "http://www.example.gov.cn/tzgg/index_1.html",
        "http://www.example.gov.cn/tzgg/index_2.html",
        "http://www.example.gov.cn/tzgg/index_3.html",
        "http://www.example.gov.cn/tzgg/index_4.html",
    ]


def test_trs_pager_written_with_variables_is_read():
    script = """<script>
        var currentPage = 0;//所在页从0开始
        var countPage = 3//共多少页
        createPageHTML(countPage, currentPage, "index", "shtml");
    </script>"""
    result = listing(
        f"<ul>{ul_items()}</ul>{script}", url="http://www.example.gov.cn/a/index.shtml"
    )
    assert [p.rsplit("/", 1)[1] for p in result.pagination.pages] == [
        "index.shtml",
        "index_1.shtml",
        "index_2.shtml",
    ]


def test_trs_pager_function_definition_is_not_mistaken_for_the_call():
    script = """<script>
        function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt) {
            if (_nPageCount == null || _nPageCount <= 1) return;
        }
        createPageHTML(2, 0, "index", "htm");
    </script>"""
    result = listing(f"<ul>{ul_items()}</ul>{script}", url="http://x.gov.cn/a/")
    assert result.pagination.pages == [
        "http://x.gov.cn/a/index.htm",
        "http://x.gov.cn/a/index_1.htm",
    ]


def test_trs_pager_of_a_single_page_has_only_that_page():
    script = '<script>createPageHTML(1, 0, "index", "html");</script>'
    result = listing(f"<ul>{ul_items()}</ul>{script}", url="http://x.gov.cn/a/")
    assert result.pagination.pages == ["http://x.gov.cn/a/index.html"]


HANWEB = """
<div id="4922853"><script type="text/xml"><datastore>
<nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&webid=1&path=/&columnid=1229218734&unitid=4922853&webname=市政府&permissiontype=0"></a>]]></nextgroup>
<recordset>
{records}
</recordset></datastore></script></div>
<script>$(function(){{$('#4922853').jpage({{themeName:'default',showMode:'full',totalRecord:256,
dataStore:null,groupSize:3,proxyUrl:'/module/web/jpage/dataproxy.jsp',perPage:15,
ajaxParam:{{col:1,webid:1,columnid:1229218734,unitid:'4922853'}}}});}});</script>
"""


def hanweb_records(count: int = 7) -> str:
    return "\n".join(
        f"<record><![CDATA[<li><a href='/art/2025/10/{i}/art_1229218734_{i}.html' "
        f"title='市政府关于第{i}项工作的通知'>市政府关于第{i}项工作的通知</a>"
        f"<span>2025-10-{i:02d}</span></li>]]></record>"
        for i in range(1, count + 1)
    )


def test_hanweb_records_inside_script_xml_are_the_items():
    url = "http://www.lishui.gov.cn/col/col1229218734/index.html"
    result = parse_listing(page(HANWEB.format(records=hanweb_records())), url, today=TODAY)
    assert len(result.items) == 7
    assert result.items[0].url == "http://www.lishui.gov.cn/art/2025/10/1/art_1229218734_1.html"
    assert result.newest_date == date(2025, 10, 7)


def test_hanweb_jpage_pagination_is_derived_from_total_record_and_per_page():
    url = "http://www.lishui.gov.cn/col/col1229218734/index.html"
    result = parse_listing(page(HANWEB.format(records=hanweb_records())), url, today=TODAY)
    pagination = result.pagination
    assert pagination.kind == "hanweb"
    assert pagination.total_pages == 18  # ceil(256 / 15)
    assert pagination.pages[0] == (
        "http://www.lishui.gov.cn/col/col1229218734/index.html?uid=4922853&pageNum=1"
    )
    assert pagination.pages[-1].endswith("?uid=4922853&pageNum=18")


def test_hanweb_records_in_an_older_javascript_array_are_read():
    records = ",".join(
        f"'<li><a href=\"/art/{i}.html\">采购公告第{i}号项目</a>[2014-05-0{i}]</li>'"
        for i in range(1, 6)
    )
    script = (
        f"<div id='49468'></div><script>var InitData49468=[{records}];"
        "$(function(){$('#49468').jpage({totalRecord:1418,dataStore:InitData49468,"
        "perPage:25,ajaxParam:{unitid:'49468'}});});</script>"
    )
    result = parse_listing(page(script), "http://zfcg.example.gov.cn/col/col30067/index.html")
    assert len(result.items) == 5 and result.newest_date == date(2014, 5, 5)
    assert result.pagination.total_pages == 57


def test_next_and_last_links_expand_to_the_full_page_range():
    pager = (
        '<div class="page">第1页/共6页 <a href="index.html">首页</a> <a href="index_1.html">下一页</a>'
        ' <a href="index_5.html">尾页</a></div>'
    )
    result = listing(f"<ul>{ul_items()}</ul>{pager}")
    assert result.pagination.kind == "links"
    assert [p.rsplit("/", 1)[1] for p in result.pagination.pages] == [
        "index.html",
        "index_1.html",
        "index_2.html",
        "index_3.html",
        "index_4.html",
        "index_5.html",
    ]


def test_query_string_pagers_expand_page_numbers_without_inventing_page_one():
    pager = (
        '<a href="list.jsp?cat=7&page=2">2</a><a href="list.jsp?cat=7&page=3">3</a>'
        '<a href="list.jsp?cat=7&page=2">下一页</a><a href="list.jsp?cat=7&page=9">末页</a>'
    )
    result = listing(f"<ul>{ul_items()}</ul>{pager}", url="http://x.gov.cn/list.jsp?cat=7")
    assert result.pagination.kind == "query"
    # Page 1 is the page itself: list.jsp?cat=7&page=1 may not exist and is never guessed.
    assert result.pagination.pages[0] == "http://x.gov.cn/list.jsp?cat=7"
    assert result.pagination.pages[1] == "http://x.gov.cn/list.jsp?cat=7&page=2"
    assert result.pagination.pages[-1] == "http://x.gov.cn/list.jsp?cat=7&page=9"
    assert len(result.pagination.pages) == 9


def test_opaque_next_link_is_reported_as_is():
    pager = '<a href="/search?token=abc">下页</a>'
    result = listing(f"<ul>{ul_items()}</ul>{pager}")
    assert result.pagination.kind == "links"
    assert result.pagination.pages == ["http://www.example.gov.cn/search?token=abc"]


def test_script_driven_pager_is_recognised_without_urls():
    pager = '<a href="javascript:;" onclick="goPage(2)">下一页</a>'
    result = listing(f"<ul>{ul_items()}</ul>{pager}")
    assert (result.pagination.kind, result.pagination.pages) == ("javascript", [])


@pytest.mark.parametrize(
    "pager",
    [
        '<a href="list_2.html">下一<b>页</b></a>',  # the word split over two text nodes
        '<a href="list_2.html"><span>【下一页】</span></a>',
        '<a href="list_1.html"><span>[</span>1<span>]</span></a><a href="list_2.html">【2】</a>',
        '<a href="list_1.html"> 1 </a><a href="list_2.html"><em><i>2</i></em></a>',
    ],
)
def test_pagers_written_across_elements_are_found(pager):
    """The quick "no pager here" test reads the page's text nodes, not each link's text: a
    pager word or number spread over nested elements must still get through it."""
    result = listing(f"<ul>{ul_items()}</ul>{pager}")
    assert result.pagination.kind == "links" and result.pagination.pages


def test_a_lone_home_link_is_not_a_pager():
    result = listing(f'<ul>{ul_items()}</ul><a href="/index_3.html">首页</a>')
    assert result.pagination.kind == "none"


# --- page kind ------------------------------------------------------------------------


def test_page_with_five_dated_links_in_a_block_is_a_list():
    assert page_kind(page(f"<ul>{ul_items(5)}</ul>"), URL, today=TODAY) == "list"


def test_page_with_four_dated_links_is_not_a_list():
    assert page_kind(page(f"<ul>{ul_items(4)}</ul>"), URL, today=TODAY) == "other"


def test_dated_page_with_a_long_body_is_an_article_even_with_a_related_list():
    body = (
        "<h1>关于做好防汛工作的通知</h1><div>发布时间：2025-11-01</div>"
        + "<p>"
        + "各区县人民政府，市政府各部门：现就做好防汛工作有关事项通知如下。" * 8
        + "</p>"
        + f'<div class="related"><ul>{ul_items(6)}</ul></div>'
    )
    assert page_kind(page(body, title="关于做好防汛工作的通知"), URL, today=TODAY) == "article"


def test_dated_page_with_a_short_body_is_not_an_article():
    body = "<h1>关于做好防汛工作的通知</h1><div>发布时间：2025-11-01</div><p>详见附件。</p>"
    assert page_kind(page(body), URL, today=TODAY) == "other"


@pytest.mark.parametrize("body", ["", "<p>" + "没有日期的长篇文字。" * 50 + "</p>"])
def test_undated_pages_are_other(body):
    assert page_kind(page(body), URL, today=TODAY) == "other"


def test_items_without_a_date_in_the_main_list_are_kept_with_none():
    undated = '<li><a href="/art/new.html">最新一条暂未显示日期的通知</a></li>'
    result = listing(f'<ul class="list">{undated}{ul_items(5)}</ul>')
    assert [item.date for item in result.items][:2] == [None, date(2025, 11, 1)]
    assert result.items[0].title == "最新一条暂未显示日期的通知"
    assert len(result.items) == 6 and result.dated_count == 5
    assert result.newest_date == date(2025, 11, 5)
