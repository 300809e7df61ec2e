"""Hand-written scored RESULT.json documents (docs/scoring-contract.md), one per scoring style.

They do not come from govsite.scoring on purpose: the reports must follow the contract, not
whatever the engine happens to emit.

Points style (national-2019), problems: 不及时 3 sites, 不全面 2, 不实用 5, no 不回应.
Deduction-total style (shanghai-2003, as 001): 不及时 1, 不回应 2, 不严谨 1; three units over
100 points deducted.
"""

from __future__ import annotations

import json

import pytest


def site(name, unit, category, url, *, score, deducted, passed, findings=(), deductions=(),
         vetoes=(), ruleset="national-2019"):  # fmt: skip
    return {
        "name": name,
        "url": url,
        "unit": unit,
        "category": category,
        "findings": list(findings),
        "score": score,
        "passed": passed,
        "vetoes": list(vetoes),
        "deductions": list(deductions),
        "deducted": deducted,
        "bonus": 0,
        "sources": {"daily": score, "expert": None, "public": None},
        "no_data": [],
        "ruleset": ruleset,
    }


def deduction(indicator, name, points, findings, part="网站可用性"):
    return {"indicator": indicator, "name": name, "part": part, "points": points,
            "findings": list(findings), "verified": False}  # fmt: skip


def ranked(rank, s, vetoed=False):
    return {"rank": rank, "name": s["name"], "url": s["url"], "unit": s["unit"],
            "score": s["score"], "deducted": s["deducted"], "passed": s["passed"],
            "vetoed": vetoed}  # fmt: skip


def make_points_document():
    qingshan = site(
        "青山县人民政府网站", "青山县人民政府", "county_portal", "http://qs.gov.cn/",
        score=92.5, deducted=7.5, passed=True,
        findings=[
            {"code": "column_stale", "url": "http://qs.gov.cn/tzgg/", "last_update": "2025-06-01"},
            {"code": "column_stale", "url": "http://qs.gov.cn/gzdt/", "last_update": "2025-05-11"},
            {"code": "broken_link", "url": "http://qs.gov.cn/x.html", "page": "http://qs.gov.cn/",
             "pages": ["http://qs.gov.cn/"]},
        ],
        deductions=[deduction("content.column_stale", "栏目更新", 5, [0, 1], "信息发布"),
                    deduction("links.broken", "链接可用性", 2.5, [2])],
    )  # fmt: skip
    shiqiao = site(
        "石桥县人民政府网站", "石桥县人民政府", "county_portal", "http://sq.gov.cn/",
        score=71, deducted=29, passed=True,
        findings=[
            {"code": "homepage_stale", "url": "http://sq.gov.cn/", "last_update": "2025-08-01"},
            {"code": "missing_item", "item": "forms"},
            {"code": "slow_page", "url": "http://sq.gov.cn/big.html"},
            {"code": "no_https", "url": "http://sq.gov.cn/"},
        ],
        deductions=[deduction("content.homepage", "首页更新", 15, [0], "信息发布"),
                    deduction("service.items", "办事服务功能", 8, [1], "办事服务"),
                    deduction("usability.speed", "访问速度", 2, [2]),
                    deduction("security.https", "安全防护", 4, [3])],
    )  # fmt: skip
    hekou = site(
        "河口县政府网", "河口县人民政府", "county_portal", "http://hk.gov.cn/",
        score=55, deducted=45, passed=False,
        findings=[
            {"code": "column_empty", "url": "http://hk.gov.cn/zcjd/"},
            {"code": "missing_item", "item": "budget"},
            {"code": "footer_incomplete", "url": "http://hk.gov.cn/",
             "missing": ["site_code", "police_record"]},
        ],
        deductions=[deduction("content.empty", "空白栏目", 30, [0], "信息发布"),
                    deduction("disclosure.items", "信息公开栏目", 10, [1], "信息公开"),
                    deduction("footer", "网站标识", 5, [2], "信息公开")],
    )  # fmt: skip
    education = site(
        "市教育局网站", "市教育局", "city_department", "http://jyj.example.gov.cn/",
        score=88, deducted=12, passed=True,
        findings=[
            {"code": "guide_incomplete", "url": "http://jyj.example.gov.cn/bszn/1.html",
             "missing": ["fees", "supervision"]},
            {"code": "broken_link", "url": "http://jyj.example.gov.cn/a.html",
             "pages": ["http://jyj.example.gov.cn/"]},
            {"code": "broken_link", "url": "http://jyj.example.gov.cn/b.html",
             "pages": ["http://jyj.example.gov.cn/"]},
        ],
        deductions=[deduction("service.guides", "办事指南", 7, [0], "办事服务"),
                    deduction("links.broken", "链接可用性", 5, [1, 2])],
    )  # fmt: skip
    finance = site(
        "市财政局网站", "市财政局", "city_department", "http://czj.example.gov.cn/",
        score=None, deducted=0, passed=False,
        findings=[{"code": "site_unreachable", "evidence": {"error": "connect timeout"}}],
        vetoes=[{"indicator": "veto.unreachable", "name": "站点无法访问",
                 "reason": "连续一周首页无法访问"}],
    )  # fmt: skip
    affairs = site(
        "市机关事务局网站", "市机关事务局", "directly_affiliated", "http://jgswj.example.gov.cn/",
        score=96, deducted=4, passed=True,
        findings=[{"code": "broken_link", "url": "http://jgswj.example.gov.cn/c.html",
                   "pages": ["http://jgswj.example.gov.cn/"]}],
        deductions=[deduction("links.broken", "链接可用性", 4, [0])],
    )  # fmt: skip
    return {
        "evaluated_at": "2025-11-20T02:00:00+00:00",
        "today": "2025-11-20",
        "generator": "hand-written test fixture",
        "ruleset": {"id": "national-2019", "style": "points", "pass_mark": 60, "max_points": 100,
                    "name": "政府网站与政务新媒体检查指标（国办秘函〔2019〕19号）"},
        "sites": [qingshan, shiqiao, hekou, education, finance, affairs],
        "ranking": {
            # deliberately not in report order: the reports follow the category order
            "directly_affiliated": [ranked(1, affairs)],
            "city_department": [ranked(1, education), ranked(2, finance, vetoed=True)],
            "county_portal": [ranked(1, qingshan), ranked(2, shiqiao), ranked(3, hekou)],
        },
    }  # fmt: skip


def make_deduction_document():
    def s(name, unit, category, host, deducted, findings=(), deductions=()):
        return site(name, unit, category, f"http://{host}.ya.gov.cn/", score=deducted,
                    deducted=deducted, passed=deducted <= 60, findings=findings,
                    deductions=deductions, ruleset="shanghai-2003")  # fmt: skip

    luochuan = s("洛川县人民政府网", "洛川县", "county_portal", "lc", 120.5,
                 [{"code": "homepage_stale", "url": "http://lc.ya.gov.cn/",
                   "last_update": "2016-09-01"}],
                 [deduction("maint.update", "信息更新", 120.5, [0], "系统维护")])  # fmt: skip
    yichuan = s("宜川县人民政府网", "宜川县", "county_portal", "yc", 8.5,
                [], [deduction("maint.other", "系统维护", 8.5, [], "系统维护")])  # fmt: skip
    fgw = s("延安市发展和改革委员会", "市发改委", "city_department", "fgw", 266.5,
            [{"code": "messages_overdue", "url": "http://fgw.ya.gov.cn/ly/", "count": 12},
             {"code": "forbidden_expression", "url": "http://fgw.ya.gov.cn/n/1.html",
              "text": "错误表述"}],
            [deduction("supervise.reply", "投诉处理", 200, [0], "监督投诉"),
             deduction("disclosure.accuracy", "信息准确", 66.5, [1], "信息公开")])  # fmt: skip
    ghj = s("延安市规划局", "市规划局", "city_department", "ghj", 101,
            [{"code": "missing_item", "item": "mailbox"},
             {"code": "missing_item", "item": "message_board"}],
            [deduction("supervise.channels", "监督投诉渠道", 101, [0, 1], "监督投诉")])  # fmt: skip
    kjj = s("延安市科技局", "市科技局", "city_department", "kjj", 60,
            [], [deduction("service.online", "网上服务", 60, [], "网上服务")])  # fmt: skip
    return {
        "evaluated_at": "2017-02-20T02:00:00+00:00",
        "today": "2017-02-20",
        "ruleset": {"id": "shanghai-2003", "name": "上海市政府部门网站评议考核内容（沪府办〔2003〕63号）",
                    "style": "deduction_total", "pass_mark": 60, "max_points": 100},
        "sites": [luochuan, yichuan, fgw, ghj, kjj],
        "ranking": {
            "county_portal": [ranked(1, yichuan), ranked(2, luochuan)],
            "city_department": [ranked(1, kjj), ranked(2, ghj), ranked(3, fgw)],
        },
    }  # fmt: skip


@pytest.fixture
def points_document():
    return make_points_document()


@pytest.fixture
def deduction_document():
    return make_deduction_document()


@pytest.fixture
def write_json(tmp_path):
    def write(document, name="RESULT.json"):
        path = tmp_path / name
        path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
        return path

    return write


@pytest.fixture(scope="session")
def make_document():
    """The builders, for module-scoped fixtures (a PDF is rendered once per module)."""
    return {"points": make_points_document, "deduction": make_deduction_document}
