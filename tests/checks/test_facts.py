"""The page analyser reads each page once: links to follow plus the facts checks use."""

from datetime import date
from pathlib import Path

from govsite.checks.facts import PageAnalyser, column_name, message_rows
from govsite.pages.document import Document

TODAY = date(2025, 11, 20)
ANALYSE = PageAnalyser(TODAY)
RESOURCES = Path(__file__).parents[1] / "pages" / "resources"


def items(n, start_day=18, fmt="{y}-{m:02d}-{d:02d}"):
    return "".join(
        f'<li><a href="/xw/{i}.html">新闻标题第{i}条</a><span>{fmt.format(y=2025, m=11, d=start_day - i)}</span></li>'
        for i in range(n)
    )


def test_list_page_facts_and_its_items_and_pages_become_links():
    html = (f'<title>工作动态_示范市</title><div class="position">当前位置：<a href="/">首页</a> &gt; '
            f'<a href="/xw/">工作动态</a></div><ul>{items(6)}</ul>'
            '<script>createPageHTML(3, 0, "index", "html");</script>')  # fmt: skip
    links, facts = ANALYSE(html, "http://s.gov.cn/xw/index.html")
    assert facts["column"] == "工作动态"
    assert facts["list"]["newest"] == "2025-11-18" and facts["list"]["dated"] == 6
    followed = {link.url for link in links}
    assert "http://s.gov.cn/xw/index_2.html" in followed and "http://s.gov.cn/xw/5.html" in followed
    assert facts["date"] is None


def test_script_built_hanweb_records_are_followed():
    records = "".join(
        f'<record><![CDATA[<li><a href="/art/{i}.html">记录{i}号文件标题</a><span>2025-10-{10 + i}</span></li>]]></record>'
        for i in range(6)
    )
    html = f'<title>通知公告</title><div id="1"><script type="text/xml"><datastore><recordset>{records}</recordset></datastore></script></div>'
    links, facts = ANALYSE(html, "http://s.gov.cn/col/col1/index.html")
    assert {f"http://s.gov.cn/art/{i}.html" for i in range(6)} <= {link.url for link in links}
    assert facts["list"]["newest"] == "2025-10-15"


def test_empty_column_text_is_noticed():
    _, facts = ANALYSE(
        "<title>专题专栏</title><p>暂无信息</p><p>共0条记录</p>", "http://s.gov.cn/zt/"
    )
    assert facts["empty"] is True


def test_a_list_of_guides_titled_banshi_zhinan_is_not_a_guide():
    _, facts = ANALYSE(f"<title>办事指南</title><ul>{items(6)}</ul>", "http://s.gov.cn/bszn/")
    assert "guide_missing" not in facts


def test_guide_page_lists_its_missing_elements():
    body = "".join(f"<tr><td>{k}</td><td>内容</td></tr>" for k in
                   ("事项名称", "设定依据", "受理条件", "申请材料", "办理流程", "实施主体",
                    "办理地点", "承诺时限", "咨询电话"))  # fmt: skip
    _, facts = ANALYSE(
        f"<title>某事项办事指南</title><table>{body}</table>", "http://s.gov.cn/g/1.html"
    )
    assert facts["guide_missing"] == ["fees", "supervision"]


def test_message_board_rows_open_and_answered():
    html = (
        "<table><tr><th>留言标题</th><th>留言时间</th><th>回复时间</th></tr>"
        "<tr><td><a href='/1'>咨询一</a></td><td>2025-08-01</td><td>未回复</td></tr>"
        "<tr><td><a href='/2'>咨询二</a></td><td>2025-08-02</td><td>2025-08-05</td></tr>"
        "<tr><td><a href='/3'>咨询三</a></td><td>2025年10月1日</td><td>办理中</td></tr></table>"
    )
    assert message_rows(html, TODAY) == {"rows": 3, "open": ["2025-08-01", "2025-10-01"]}
    assert message_rows("<p>没有留言板</p>", TODAY) is None


def test_forbidden_expression_and_mixed_content_and_search_form():
    html = ('<title>要闻</title><p>中华人名共和国国务院</p><img src="http://cdn.example/a.png">'
            '<form action="/search"><input name="q"><button>搜索</button></form>')  # fmt: skip
    _, facts = ANALYSE(html, "https://s.gov.cn/a.html")
    assert facts["forbidden"] == [("中华人名共和国", "中华人民共和国")]
    assert facts["mixed"] == ["http://cdn.example/a.png"]
    assert facts["search_form"] is True


def test_column_name_falls_back_to_the_title():
    assert column_name(Document.parse("<title>通知公告 - 示范市</title>", "")) == "通知公告"


def test_real_trs_column_page_yields_its_script_pager_and_items():
    # nc.gov.cn policy column: createPageHTML('page_div',106,1,'nav_list','shtml',1590).
    html = (RESOURCES / "alpssj__zfwz__gentelella__production__zhengce.html").read_text("utf-8")
    links, facts = ANALYSE(html, "http://www.nc.gov.cn/ncszf/szfwj/nav_list.shtml")
    followed = {link.url for link in links}
    assert "http://www.nc.gov.cn/ncszf/szfwj/nav_list_2.shtml" in followed
    assert "http://www.nc.gov.cn/ncszf/szfwj/nav_list_106.shtml" in followed
    assert facts["list"]["items"] == 15 and facts["list"]["newest"] == "2019-05-20"


def test_hostile_markup_does_not_raise():
    for html in (
        "",
        "<" * 10000,
        "<table>" * 3000,
        "\x00\ufffd<a href='javascript:alert(1)'>x</a>",
    ):
        links, facts = ANALYSE(html, "http://s.gov.cn/")
        assert isinstance(facts, dict)
