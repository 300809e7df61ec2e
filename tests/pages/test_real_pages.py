"""What each of the 27 saved real government pages must yield.

The expectations come from reading the pages themselves (their visible text and markup),
not from running the code: each row says what a person checking the page would write down.
"""

from __future__ import annotations

import json

import pytest
from pages_corpus import PAGES

# name: (encoding, kind, publication date shown by the page, or None)
EXPECTED = {
    # "发布日期: 2012-06-24" under the headline.
    "cmse_2012": ("utf-8", "article", "2012-06-24"),
    # "发布日期: 2021-01-05", although the URL says t20210106.
    "cmse_2021": ("utf-8", "article", "2021-01-05"),
    # <meta name="firstpublishedtime" content="2007-08-20-23:59:59">; the body's
    # "2007年6月29日…通过" is the adoption date and "页面生成时间 2023-10-23" the build time.
    "govcn_gazette": ("utf-8", "article", "2007-08-20"),
    "zj_fgw": ("utf-8", "article", "2016-11-22"),  # PubDate meta and "发布日期：2016-11-22"
    "shanxi": ("utf-8", "article", "2019-09-18"),  # PubDate meta and "时间：2019-09-18 06:23"
    "bynr": ("utf-8", "article", "2022-02-11"),  # PubDate meta, "2022-02-11 09:52" under title
    "nmg": ("utf-8", "article", "2022-02-11"),  # PubDate meta, "发布日期：2022-02-11 08:52"
    # 发布日期 2022年01月28日; the 成文日期 2022年01月27日 is the document's own date.
    "jl_xxgk": ("utf-8", "article", "2022-01-28"),
    # Genuine GB2312; "2005年08月16日　来源：新华网" right under the headline.
    "chinaneast_gb2312": ("gb18030", "article", "2005-08-16"),
    "nfra_penalty": ("utf-8", "article", "2024-07-12"),  # 发布时间：2024-07-12
    "nfra_zhejiang": ("utf-8", "article", "2025-06-03"),  # 发布时间：2025-06-03
    # Site search results: a listing has no date of its own.
    "jiujiang_search": ("utf-8", "list", None),
    # PubDate meta 2018-03-14 (also the URL's t20180314). Not the log line's 2020-03-09 nor
    # the "公开日期 2018-01-01" field (the law's effective date typed into the form).
    "wuhan_bom_log": ("utf-8", "article", "2018-03-14"),
    # Four search results only (< 5): neither a list page nor an article.
    "gansu_search": ("utf-8", "other", None),
    # Meta says gb2312, bytes are UTF-8; a column page of recalls.
    "samr_recall_p1": ("utf-8", "list", None),
    "samr_recall_p89": ("utf-8", "list", None),
    "nc_policy_trs": ("utf-8", "list", None),
    "nmpa_notices": ("utf-8", "list", None),
    "nmpa_work": ("utf-8", "list", None),
    "lishui": ("utf-8", "article", "2023-10-23"),  # 发布时间：2023-10-23 08:59 (成文 10-16)
    "kepu": ("utf-8", "article", "2023-12-01"),  # "2023-12-01 14:43" under the headline
    # Housing-statistics dashboards: data "截止日期", but no publication date.
    "bjjs_20180519": ("utf-8", "other", None),
    "bjjs_20180520": ("utf-8", "other", None),
    "bjjs_20191207": ("utf-8", "other", None),
    "bjjs_20210423": ("utf-8", "other", None),
    "bjjs_20230906": ("utf-8", "other", None),
    "bjjs_20230907": ("utf-8", "other", None),
}

# name: (网站标识码, ICP, 公安备案, 党政机关 badge) as displayed in the footer.
FOOTERS = {
    "cmse_2012": (None, "京ICP备20027467号-1", None, False),
    "cmse_2021": (None, "京ICP备20027467号-1", None, False),
    "govcn_gazette": ("bm01000001", "京ICP备05070218号", "京公网安备11010202000001号", True),
    "zj_fgw": ("3300000020", "浙ICP备05018911号", "浙公网安备33010602009328号", True),
    "shanxi": ("1400000045", "晋ICP备12000773号", "晋公网安备14010502050691号", True),
    # "蒙ICP备 05006530" (no 号 on the page) and a "公安机关备案号：" label.
    "bynr": ("1508000002", "蒙ICP备05006530", "公安机关备案号：15081599004-00001", True),
    "nmg": ("1500000001", "蒙ICP备05000248号", "蒙公网安备15010502000333号", True),
    # Footer lives in iframes; the badge/ICP markup left in the page is commented out.
    "jl_xxgk": (None, None, None, False),
    "chinaneast_gb2312": (None, None, None, False),
    "nfra_penalty": ("bm55000001", "京ICP备19014889号", "京公网安备11010202008000号", True),
    "nfra_zhejiang": ("bm55000001", "京ICP备19014889号", "京公网安备11010202008000号", True),
    # "赣公安备案 36040202000107号" is how Jiujiang writes it.
    "jiujiang_search": ("3604000043", "赣ICP备19007231号", "赣公安备案36040202000107号", True),
    "wuhan_bom_log": ("4201000010", "鄂ICP备11011361号", "鄂公网安备42010302000475号", True),
    # Gansu's ICP prefix is 陇, its 公网安备 prefix 甘.
    "gansu_search": ("6200000052", "陇ICP备19000877号", "甘公网安备62010202000690号", True),
    "samr_recall_p1": (None, "京ICP备13027807号", None, True),
    "samr_recall_p89": (None, "京ICP备13027807号", None, True),
    "nc_policy_trs": (None, None, None, False),  # footer is an iframe (/ncszf/bottom/)
    "nmpa_notices": ("bm35000001", "京ICP备13027807号", "京公网安备11010202008311号", True),
    "nmpa_work": ("bm35000001", "京ICP备13027807号", "京公网安备11010202008311号", True),
    "lishui": (None, None, None, False),  # saved without its footer
    "kepu": ("bm06000004", "京ICP备05022684号-3", None, True),
    "bjjs_20180519": (None, "京ICP备17053655号", "京公网安备110401300020号", True),
    "bjjs_20180520": (None, "京ICP备17053655号", "京公网安备110401300020号", True),
    "bjjs_20191207": ("1100000159", "京ICP备17053655号", "京公网安备11040102700048号", True),
    # After the 2021 redesign the footer is written by zjw_footer.js: nothing in the HTML.
    "bjjs_20210423": (None, None, None, False),
    "bjjs_20230906": (None, None, None, False),
    "bjjs_20230907": (None, None, None, False),
}

# name: (item count, newest item date, pagination kind, total pages, first page, last page)
LISTS = {
    "jiujiang_search": (10, "2025-11-28", "javascript", None, None, None),
    "samr_recall_p1": (
        20,
        "2018-10-12",
        "links",
        109,
        "http://samr.cfda.gov.cn/WS01/CL1948/index.html",
        "http://samr.cfda.gov.cn/WS01/CL1948/index_108.html",
    ),
    "samr_recall_p89": (
        20,
        "2015-09-30",
        "links",
        109,
        "http://samr.cfda.gov.cn/WS01/CL1948/index.html",
        "http://samr.cfda.gov.cn/WS01/CL1948/index_108.html",
    ),
    "nc_policy_trs": (
        15,
        "2019-05-20",
        "trs",
        106,
        "http://www.nc.gov.cn/ncszf/szfwj/nav_list.shtml",
        "http://www.nc.gov.cn/ncszf/szfwj/nav_list_106.shtml",
    ),
    "nmpa_notices": (
        20,
        "2025-10-14",
        "links",
        1227,
        "https://www.nmpa.gov.cn/yaopin/ypggtg/index.html",
        "https://www.nmpa.gov.cn/yaopin/ypggtg/index_1226.html",
    ),
    "nmpa_work": (
        20,
        "2025-10-13",
        "links",
        39,
        "https://www.nmpa.gov.cn/yaopin/ypjgdt/index.html",
        "https://www.nmpa.gov.cn/yaopin/ypjgdt/index_38.html",
    ),
}


def test_expectations_cover_every_saved_page():
    assert set(EXPECTED) == set(PAGES) == set(FOOTERS)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_real_page_yields_its_encoding_kind_and_publication_date(analysed, name):
    encoding, kind, published = EXPECTED[name]
    result = analysed(name)
    assert (result["encoding"], result["kind"], result["publication_date"]) == (
        encoding,
        kind,
        published,
    )


@pytest.mark.parametrize("name", sorted(FOOTERS))
def test_each_real_page_yields_the_footer_identifiers_it_displays(analysed, name):
    footer = analysed(name)["footer"]
    got = (
        footer["site_code"],
        footer["icp"],
        footer["police_record"],
        footer["party_gov_badge"],
    )
    assert got == FOOTERS[name]


@pytest.mark.parametrize("name", sorted(LISTS))
def test_each_real_list_page_yields_its_items_newest_date_and_pages(analysed, name):
    count, newest, kind, total, first, last = LISTS[name]
    listing = analysed(name)["list"]
    assert listing is not None
    assert len(listing["items"]) == count
    assert listing["newest_date"] == newest
    assert all(item["date"] and item["url"].startswith("http") for item in listing["items"])
    pagination = listing["pagination"]
    assert (pagination["kind"], pagination["total_pages"]) == (kind, total)
    if first is not None:
        assert pagination["pages"][0] == first
        assert pagination["pages"][-1] == last
        assert len(pagination["pages"]) == total


@pytest.mark.parametrize("name", sorted(set(EXPECTED) - set(LISTS)))
def test_pages_that_are_not_lists_report_no_list(analysed, name):
    assert analysed(name)["list"] is None


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_analysis_of_every_real_page_is_json_serialisable(analysed, name):
    assert json.loads(json.dumps(analysed(name), ensure_ascii=False))["kind"]


# --- the traps, one by one --------------------------------------------------------------


def test_gb2312_meta_with_utf8_bytes_decodes_as_utf8(analysed):
    result = analysed("samr_recall_p1")
    assert result["encoding"] == "utf-8"
    assert result["title"] == "医疗器械-医疗器械召回"


def test_genuine_gb2312_page_decodes_as_gb18030_with_readable_title(analysed):
    result = analysed("chinaneast_gb2312")
    assert result["encoding"] == "gb18030"
    assert result["title"] == "农机专家李金泽：为农机行业搭建现代化信息平台_振兴东北"


def test_utf8_bom_and_log_line_before_html_do_not_disturb_analysis(analysed):
    result = analysed("wuhan_bom_log")
    assert result["encoding"] == "utf-8"
    assert not result["title"].startswith("\ufeff")
    # The log line's 2020-03-09 timestamp is not the page's date.
    assert result["publication_date"] == "2018-03-14"


def test_later_gb2312_meta_inside_embedded_word_html_does_not_override_utf8(analysed):
    # nfra pages embed Word HTML with charset=gb2312 far below the real <meta charset=UTF-8>.
    assert analysed("nfra_penalty")["title"] == "国家金融监督管理总局"


def test_trs_create_page_html_pager_lists_every_page(analysed):
    pages = analysed("nc_policy_trs")["list"]["pagination"]["pages"]
    # createPageHTML('page_div',106, 1,'nav_list','shtml',1590): this skin numbers from 2.
    assert pages[:3] == [
        "http://www.nc.gov.cn/ncszf/szfwj/nav_list.shtml",
        "http://www.nc.gov.cn/ncszf/szfwj/nav_list_2.shtml",
        "http://www.nc.gov.cn/ncszf/szfwj/nav_list_3.shtml",
    ]
    assert len(pages) == len(set(pages)) == 106


def test_truncated_list_titles_are_taken_from_the_title_attribute(analysed):
    items = analysed("nc_policy_trs")["list"]["items"]
    assert items[0]["title"] == (
        "南昌市人民政府关于印发南昌市推行“六多合一”审批服务模式实施方案及各实施细则的通知"
    )
    assert items[0]["url"] == (
        "http://www.nc.gov.cn/xxgkpt/qtygwj/201905/6d0f4105e5c941ac9471ffa235ff6c31.shtml"
    )
    assert items[0]["date"] == "2019-05-20"


def test_search_result_items_take_the_headline_not_the_source_name(analysed):
    items = analysed("jiujiang_search")["list"]["items"]
    assert items[1] == {
        "title": "种植趣味多",
        "url": "http://www.jjzxyey.cn/bjyd/blhyqxb_279601/dlxiaoerban/bjhd/202511/"
        "t20251128_7095247.html",
        "date": "2025-11-28",
    }
    assert "瑞昌市人民政府" not in {item["title"] for item in items}


def test_search_page_with_guide_cards_shows_time_limits_phone_department_and_address(analysed):
    guide = analysed("jiujiang_search")["guide"]
    assert guide is not None
    assert guide["found"] == ["department", "location", "time_limit", "phone"]
    assert guide["matched"]["time_limit"] == "法定时限"
    assert guide["matched"]["location"] == "咨询地址"
    assert "materials" in guide["missing"]


@pytest.mark.parametrize("name", sorted(set(EXPECTED) - {"jiujiang_search"}))
def test_pages_without_guide_cards_are_not_service_guides(analysed, name):
    assert analysed(name)["guide"] is None


def test_issuing_date_label_does_not_win_over_publication_date(analysed):
    # 成文日期 2022年01月27日 sits above 发布日期 2022年01月28日.
    assert analysed("jl_xxgk")["publication_date"] == "2022-01-28"


def test_attachments_are_counted_including_hanweb_download_links(analysed):
    assert analysed("jl_xxgk")["links"]["attachment"] == 2  # 8389416.pdf, 8389416.doc
    # /module/download/downfile.jsp?…filename=….pdf
    assert analysed("lishui")["links"]["attachment"] == 1


def test_footer_change_across_daily_snapshots_is_visible(analysed):
    old = analysed("bjjs_20180519")["footer"]
    redesigned = analysed("bjjs_20191207")["footer"]
    after_cms_change = analysed("bjjs_20210423")["footer"]
    assert old["site_code"] is None and redesigned["site_code"] == "1100000159"
    assert old["police_record"] != redesigned["police_record"]
    assert after_cms_change["icp"] is None and not after_cms_change["party_gov_badge"]


def test_badge_injected_by_conac_script_counts_as_present(analysed):
    footer = analysed("bjjs_20180519")["footer"]
    assert footer["party_gov_badge"] is True
    assert footer["party_gov_badge_via"] == "script"


def test_site_code_meta_is_reported_separately_from_the_displayed_code(analysed):
    footer = analysed("jl_xxgk")["footer"]
    assert footer["site_code"] is None
    assert footer["site_code_meta"] == "2200000019"


def test_link_counts_are_reported_by_kind(analysed):
    links = analysed("shanxi")["links"]
    assert set(links) == {"page", "image", "attachment", "css", "script", "frame"}
    assert links["page"] > 300  # the province's big link directory
    assert links["css"] > 0 and links["script"] > 0
