"""The saved real pages used as test resources, their short names and their addresses.

Kept apart from conftest.py so test modules can import it (pytest runs with
``--import-mode=importlib``; conftest puts this directory on ``sys.path``).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

RESOURCES = Path(__file__).parent / "resources"

#: Tests pass this as ``today`` so date plausibility never depends on the clock.
TODAY = date(2026, 11, 21)

#: Short names for the saved pages (see resources/MANIFEST.tsv for where each came from).
PAGES = {
    "cmse_2012": "GeneralNewsExtractor__GeneralNewsExtractor__tests__cmse__1.html",
    "cmse_2021": "GeneralNewsExtractor__GeneralNewsExtractor__visiable_test__cmse__1.html",
    "govcn_gazette": "GeneralNewsExtractor__GeneralNewsExtractor__tests__other__1.html",
    "zj_fgw": "GeneralNewsExtractor__GeneralNewsExtractor__tests__gzggw__1.html",
    "shanxi": "GeneralNewsExtractor__GeneralNewsExtractor__tests__shanxi__1.html",
    "bynr": "adbar__trafilatura__eval__benchmark__dataset_original__14.html",
    "nmg": "adbar__trafilatura__eval__benchmark__dataset_original__15.html",
    "jl_xxgk": "adbar__trafilatura__eval__benchmark__dataset_original__17.html",
    "chinaneast_gb2312": "adbar__trafilatura__eval__benchmark__zh-original__zh-original__51.html",
    "nfra_penalty": "Yuhamixli__nfra.gov.cn__tests__page_source_debug.html",
    "nfra_zhejiang": "Yuhamixli__nfra.gov.cn__tests__merged_cells_page_source.html",
    "jiujiang_search": "LoveSunday7__government_policy_crawler__index.html",
    "wuhan_bom_log": "bigcpp110__policy_crawl__spiders__scjdj__all__test.html",
    "gansu_search": "chenpython__myWeb__gansu_samr__success_home.html",
    "samr_recall_p1": "atuskong__play_web_crawler__page_source_play05.html",
    "samr_recall_p89": "atuskong__play_web_crawler__page_swap.html",
    "nc_policy_trs": "alpssj__zfwz__gentelella__production__zhengce.html",
    "nmpa_notices": "mengguiyouziyi__nmpa__yiya-crawler-deploy__outputs__page_20251014T112101_200.html",
    "nmpa_work": "mengguiyouziyi__nmpa__yiya-crawler-deploy__outputs__page_20251014T112104_200.html",
    "lishui": "magictomagic__policy_crawler_v1__unit_test__raw_content__lishui_detail.html",
    "kepu": "opendatalab__magic-html__benchmark__data__article__htmls__"
    "4e55eac42f97a6d97d14795891d2e24b715bec8c057c592a81c3d7ca08aafa10.html",
    "bjjs_20180519": "crawlerclub__bjjs__data__20180519.html",
    "bjjs_20180520": "crawlerclub__bjjs__data__20180520.html",
    "bjjs_20191207": "crawlerclub__bjjs__data__20191207.html",
    "bjjs_20210423": "crawlerclub__bjjs__data__20210423.html",
    "bjjs_20230906": "crawlerclub__bjjs__data__20230906.html",
    "bjjs_20230907": "crawlerclub__bjjs__data__20230907.html",
}

#: Where each page lived, when the page itself tells us (comments, self links, pager links).
URLS = {
    "cmse_2012": "http://www.cmse.gov.cn/ztbd/xwfbh/201206/t20120624_43188.html",
    "cmse_2021": "http://www.cmse.gov.cn/xwzx/zhxw/202101/t20210106_47506.html",
    "zj_fgw": "http://fgw.zj.gov.cn/art/2016/11/22/art_1621004_30332664.html",
    "nmg": "https://www.nmg.gov.cn/zwyw/jrgz/202202/t20220211_2004628.html",
    "chinaneast_gb2312": "http://chinaneast.xinhuanet.com/jizhe/2005-08/16/content_4894059.htm",
    "wuhan_bom_log": "http://gsj.wuhan.gov.cn:9091/zwgk/whgszwgk/zwgk/zcfg/fl/201803/"
    "t20180314_224599.html",
    "samr_recall_p1": "http://samr.cfda.gov.cn/WS01/CL1948/index.html",
    "samr_recall_p89": "http://samr.cfda.gov.cn/WS01/CL1948/index_88.html",
    "nc_policy_trs": "http://www.nc.gov.cn/ncszf/szfwj/nav_list.shtml",
    "nmpa_notices": "https://www.nmpa.gov.cn/yaopin/ypggtg/index.html",
    "nmpa_work": "https://www.nmpa.gov.cn/yaopin/ypjgdt/index.html",
    "lishui": "http://www.lishui.gov.cn/art/2023/10/23/art_1229283449_2493752.html",
}


def page_bytes(name: str) -> bytes:
    return (RESOURCES / PAGES[name]).read_bytes()


def page_url(name: str) -> str:
    return URLS.get(name, f"http://{name}.example.gov.cn/page.html")
