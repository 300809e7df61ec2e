"""Demo government websites of 示范市 with known defects and a ground truth.

They let ``govsite evaluate`` run with no internet and let CI check how accurate it is.
Nothing here imports Django.

API
===
``generate(out_dir, today, seed=1, scale=1, *, base_port=18101, dead_port=None) -> Manifest``
    Writes one directory per site, plus ``ground_truth.json``, ``sites.csv``
    (``name,url,unit,category``) and ``demosites.json``, the server config. That last file also
    marks the directory as ours: a non-empty directory without it is never overwritten. The
    output is byte-for-byte deterministic for (today, seed, scale, base_port). Site *n* (1-based,
    in the table below) is served on ``base_port + n - 1``. ``dead_port`` defaults to
    ``base_port + 99`` and must stay closed. ``scale=k`` multiplies articles, list pages,
    guides and answered messages about k-fold: 2,598 pages at scale 1 and 11,250 at scale 5.
    The defects stay the same.
``serve(root, host="127.0.0.1", *, slow_seconds=None, unreachable="refuse") -> DemoServer``
    One aiohttp application per site, all in one event loop. Use it as ``with serve(root):``
    (the loop runs in a background thread) or as ``async with serve(root):``. See
    :mod:`govsite.demosites.server`.
``main(argv) -> int``
    ``python -m govsite.demosites [--out DIR] [--today YYYY-MM-DD] [--base-port 18101]
    [--seed 1] [--scale 1] [--serve] [--unreachable refuse|hang]``.
:mod:`govsite.demosites.contract`
    The findings contract: ``CODES``, ``ITEMS``, ``ITEM_LABELS``, ``GUIDE_ELEMENTS``,
    ``GUIDE_LABELS``, ``FOOTER_PARTS``, ``FORBIDDEN_EXPRESSIONS``, the update windows, and
    ``validate_ground_truth()``.

Sites
=====
Ages are in days before ``today``. "Hard" cases are listed in ``not_findings`` and must
**not** be reported.

1. ``shifan`` 示范市人民政府 (other). TRS (``createPageHTML`` → ``index_1.html``), UTF-8,
   ``<ul>``, dates 2025-11-01. **No defects.** Hard cases: the 政务要闻 list continues on
   ``index_1.html``; the first row of 通知公告 is a ``[置顶]`` item 300 days old; a
   ``href="javascript:void(0);" onclick="window.open('/bsfw/index.html')"`` link; one unanswered
   message that is only weeks old. It links to every other live site.
2. ``fgw`` 示范市发展和改革委员会 (city_department). Hanweb (``/col/colN/index.html``, jpage
   records in ``<script type="text/xml">``), UTF-8, ``<ul>``, ``[2025-11-01]``. column_stale
   通知公告 (231); guide_incomplete [fees, supervision] (a guide laid out as numbered sections);
   broken_link to a deleted article from a 工作动态 article.
3. ``jyj`` 示范市教育局 (city_department). TRS, **GBK** (the director 王喆 is written with a
   character outside GB2312), ``<table>``, 2025/11/01. column_stale 人事信息 (433);
   messages_overdue 3 (咨询投诉 board). One recent unanswered message and one from more than a
   year ago are not counted. broken_link: a missing image in a 学校动态 article and a missing
   attachment on 下载中心.
4. ``dongcheng`` 东城区人民政府 (county_portal). Hanweb, UTF-8, ``<ul>``, 2025-11-01. **No
   defects.** Hard cases: 政策解读 is offered as 解读回应, and the mailbox is 区长信箱.
5. ``qingshan`` 青山县人民政府 (county_portal). TRS, **GB2312**, ``<ul>``, 2025年11月01日.
   guide_incomplete [time_limit]. Hard cases: fresh columns whose dates read 2025年11月01日;
   a mailbox named 县长信箱; a ``window.open`` link.
6. ``wjw`` 示范市卫生健康委员会 (city_department). Plain dynamic URLs (``list.asp?classid=N``,
   ``&page=2`` with 首页/上一页/下一页/尾页, ``show.asp?id=N``). **Meta trap**: the ``<meta>``
   says gb2312, the bytes are UTF-8, and the HTTP header names no charset. ``<table>``,
   2025.11.01. column_stale 卫健动态 (27); server_error ``/wsbs/apply.jsp`` (500, linked from
   在线申报; not also a broken_link).
7. ``zrzy`` 示范市自然资源和规划局 (city_department). **Frames** (``index.html`` is a frameset
   of ``top.htm``, ``main.htm`` and ``bottom.htm``; static ``.htm`` lists with 下一页 links),
   GBK (李堃), ``<dl>``, 2025-11-01. column_empty 专题专栏; missing_item english and survey;
   broken_link to the dead port ``http://127.0.0.1:<dead>/`` from ``main.htm``.
8. ``gjj`` 示范市住房公积金管理中心 (directly_affiliated). **Poor.** Plain, UTF-8, ``<ul>``,
   2025-11-01. homepage_stale (41); column_stale for 工作动态 (41), 行业动态 (63), 通知公告 (252)
   and 规划计划 (521); 政策文件 (95) is not stale. missing_item interview, survey,
   result_feedback, english; messages_overdue 5; footer_incomplete [site_code,
   party_gov_badge]; broken_link to a missing ``page.asp?id=N`` on the home page.
9. ``jgswj`` 示范市机关事务管理局 (directly_affiliated). **Poor.** TRS, UTF-8, ``<table>``,
   2025-11-01. column_empty 在线访谈 and 意见征集; missing_item survey, forms, online_accept,
   status_query, result_feedback, english; guide_incomplete [basis, materials] and [location,
   time_limit, phone]; forbidden_expression 中华人名共和国 in a 工作动态 article; broken_link
   to a missing home-page banner image, to a deleted article (from a 节能动态 article) and to a
   missing attachment (in a 通知公告 article).
10. ``baisha`` 白沙镇人民政府 (township). **Poor.** Plain, UTF-8, ``<dl>``, 2025-11-01.
    column_stale for 镇务动态 (58), 村居动态 (71) and 规划计划 (702); column_empty 政策解读;
    missing_item approval_items, interview, solicitation, survey, status_query,
    result_feedback, english, search; messages_overdue 2; footer_incomplete
    [party_gov_badge].
11. ``tjj`` 示范市统计局 (city_department). Hanweb, UTF-8, ``<ul>``, 2025/11/01. slow_page:
    one 统计数据 article is delayed 4 s. broken_link to the dead port from a 统计要闻 article.
    Hard cases: robots.txt has ``Disallow: /admin/``, and a 网站管理 link points to
    ``/admin/login.jsp``, which would answer 404; one recent unanswered message.
12. ``nanhu`` 南湖街道办事处 (township). site_unreachable: it is listed in ``sites.csv``, but
    nothing listens on its port (or, with ``unreachable="hang"``, it accepts and never
    answers). No other site links to it.
13. ``xiling`` 西岭县人民政府 (county_portal). TRS, UTF-8, ``<ul>``, 2025.11.01. column_stale
    人事信息 (412); missing_item english; guide_incomplete [conditions]; forbidden_expression
    国务院总里 in a 部门动态 article; broken_link to a missing attachment on 表格下载. Labels:
    县长信箱, 图解政策, 政策法规, 投诉举报.
14. ``scjg`` 示范市市场监督管理局 (city_department). Hanweb, GBK (赵玥), ``<table>``,
    [2025-11-01]. column_stale 政策文件 (262); guide_incomplete [procedure, fees];
    messages_overdue 2; footer_incomplete [police_record]; broken_link to a missing home-page
    banner image.

Conventions of the ground truth
===============================
* URLs are absolute (``http://127.0.0.1:PORT/path[?query]``) and spelled exactly as linked,
  after HTML-unescaping (``&amp;`` → ``&``).
* ``pages`` (site) counts the same-origin HTML pages that answer 200 and can be reached from
  ``/`` through ``<a href>``, ``<frame src>``, ``createPageHTML(...)`` pages, jpage
  ``<record>`` entries, ``?page=N`` / 下一页 links and ``window.open('...')``. Pages reached
  only by submitting a form (the search result page) are not counted.
* broken_link: a target that answers 404 or refuses the connection. It may be linked by
  ``href``, ``src`` or ``window.open``. ``pages`` lists every counted page that links to it.
  A 500 is reported only as server_error. Links disallowed by robots.txt are not followed.
  The 党政机关 badge links to the real ``http://bszs.conac.cn/sitename?...``, the only
  outside address. Do not check it offline; every site that has the badge lists it in
  ``not_findings``.
* homepage_stale: the newest date in the home page's lists (``main.htm`` for the frames site)
  is more than 14 days old. column_stale: the newest date over **all** pages of a column,
  against its window: 14 days for 动态/要闻, 183 for 通知公告/政策文件, 365 for
  人事信息/规划计划. Other columns have no window. Ages are kept well away from the
  boundaries. column_empty: a list page with no entries (暂无信息). Only columns without a
  window are empty, so nothing is reported twice.
* missing_item: no link labelled with any of ``contract.ITEM_LABELS[item]`` on the home page
  (frames merged), and for ``search`` no search form. An item a site lacks leaves no trace
  anywhere on that site.
* guide_incomplete: guide headings (``<th>`` or ``<h4>``) are matched against
  ``contract.GUIDE_LABELS``.
* messages_overdue: rows on the message board (all of its pages) marked 未回复 and posted
  more than 92 and at most 365 days ago. The ages used are 100–330, or 400+ for messages
  outside the look-back.
* footer_incomplete: judged on the home page's footer (``bottom.htm`` for the frames site).
  site_code = 网站标识码, icp = ICP备, police_record = 公网安备, party_gov_badge = a
  ``bszs.conac.cn/sitename`` link with an image.
* forbidden_expression: planted in an article body (never in a title), and only on the page
  recorded.

Besides the contract's keys, each site entry in the ground truth also carries ``key``,
``port``, ``cms``, ``charset`` and ``columns``. ``columns`` lists every list column with its
first-page url, kind (news/notice/plan/other), window, newest date and item count, so that a
checker's column discovery can be compared against it.
"""

import importlib

# Imported on first use (PEP 562): ``govsite.demosites.contract`` is read by the scoring code
# of every ``govsite evaluate``, which must not pay for the generator and the web server
# (~80 ms of start-up) to read a few tables.
_LAZY = {"main": "cli", "Manifest": "generate", "generate": "generate", "DemoServer": "server",
         "serve": "server", "SITE_SPECS": "sites"}  # fmt: skip


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


__all__ = ["SITE_SPECS", "DemoServer", "Manifest", "generate", "main", "serve"]
