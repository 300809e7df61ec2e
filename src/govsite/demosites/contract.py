"""The findings contract shared by the demo sites' ground truth and ``govsite evaluate``.

Everything here is plain data plus one validator, so the evaluator, the scoring code and the
tests can import it without pulling in the generator.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

CATEGORIES: tuple[str, ...] = (
    "county_portal",
    "city_department",
    "directly_affiliated",
    "township",
    "other",
)

#: Finding codes, with the keys each finding carries besides ``code``.
CODES: dict[str, tuple[str, ...]] = {
    "broken_link": ("url", "pages"),
    "homepage_stale": ("last_update",),
    "column_stale": ("url", "last_update"),
    "column_empty": ("url",),
    "missing_item": ("item",),
    "guide_incomplete": ("url", "missing"),
    "messages_overdue": ("url", "count"),
    "server_error": ("url",),
    "footer_incomplete": ("missing",),
    "forbidden_expression": ("url", "text"),
    "site_unreachable": (),
    "slow_page": ("url",),
}

#: Items a government website must offer (``missing_item``), in report order.
ITEMS: tuple[str, ...] = (
    "functions",
    "leaders",
    "contact",
    "approval_items",
    "laws",
    "guides",
    "policy_interpretation",
    "annual_report",
    "budget",
    "complaint",
    "mailbox",
    "message_board",
    "interview",
    "solicitation",
    "survey",
    "forms",
    "online_accept",
    "status_query",
    "result_feedback",
    "english",
    "search",
)

#: The link texts the demo sites use for each item (a checker should accept all of them).
#: ``search`` is also offered as a ``<form>`` whose submit button reads 搜索.
ITEM_LABELS: dict[str, tuple[str, ...]] = {
    "functions": ("机构职能", "机构设置", "主要职责"),
    "leaders": ("领导信息", "领导之窗", "领导分工"),
    "contact": ("联系方式", "联系我们"),
    "approval_items": ("行政审批事项", "行政许可事项", "权责清单"),
    "laws": ("法律法规", "政策法规"),
    "guides": ("办事指南",),
    "policy_interpretation": ("政策解读", "解读回应", "图解政策"),
    "annual_report": ("政府信息公开年报", "政府信息公开年度报告"),
    "budget": ("财政预决算", "预决算公开", "部门预决算"),
    "complaint": ("监督投诉", "投诉举报"),
    "mailbox": ("领导信箱", "市长信箱", "县长信箱", "区长信箱", "局长信箱", "主任信箱", "镇长信箱"),
    "message_board": ("网上留言", "咨询投诉", "留言咨询"),
    "interview": ("在线访谈",),
    "solicitation": ("意见征集",),
    "survey": ("网上调查", "民意调查"),
    "forms": ("表格下载", "下载中心"),
    "online_accept": ("在线受理", "在线申报"),
    "status_query": ("状态查询", "办件查询"),
    "result_feedback": ("结果反馈", "结果公示"),
    "english": ("English",),
    "search": ("站内搜索", "搜索"),
}

#: The eleven 办事指南 elements (``guide_incomplete.missing``), in report order.
GUIDE_ELEMENTS: tuple[str, ...] = (
    "name",
    "basis",
    "conditions",
    "materials",
    "procedure",
    "department",
    "location",
    "time_limit",
    "phone",
    "fees",
    "supervision",
)

#: The headings the demo sites use for each guide element (synonyms vary per site).
GUIDE_LABELS: dict[str, tuple[str, ...]] = {
    "name": ("事项名称",),
    "basis": ("办理依据", "设定依据", "实施依据", "法律依据"),
    "conditions": ("申请条件", "受理条件", "办理条件"),
    "materials": ("申请材料", "申报材料", "办理材料"),
    "procedure": ("办理流程", "办事流程", "办理程序"),
    "department": ("承办单位", "办理机构", "实施主体", "受理部门"),
    "location": ("办理地点", "受理地点", "办公地址"),
    "time_limit": ("办理时限", "承诺时限", "法定时限", "承诺期限"),
    "phone": ("联系电话", "咨询电话", "咨询方式"),
    "fees": ("收费依据及标准", "收费标准", "是否收费"),
    "supervision": ("监督方式", "监督渠道", "监督评价"),
}

#: The four footer parts (``footer_incomplete.missing``), in report order.
FOOTER_PARTS: tuple[str, ...] = ("site_code", "icp", "police_record", "party_gov_badge")

#: Serious wording errors (wrong → right) the demo sites plant in article bodies.
FORBIDDEN_EXPRESSIONS: dict[str, str] = {
    "中华人名共和国": "中华人民共和国",
    "国务院总里": "国务院总理",
    "社会主意核心价值观": "社会主义核心价值观",
}

#: Update windows in days per column kind (动态/要闻 14 d, 通知公告/政策文件 6 months,
#: 人事/规划计划 1 year). Columns of any other kind have no window.
COLUMN_WINDOWS: dict[str, int] = {"news": 14, "notice": 183, "plan": 365}
HOMEPAGE_WINDOW_DAYS = 14
#: Consultation messages posted within the look-back and unanswered for longer than the limit.
MESSAGE_LOOKBACK_DAYS = 365
MESSAGE_UNANSWERED_DAYS = 92  # "3 months"
#: A page slower than this (seconds) is a ``slow_page``.
SLOW_PAGE_SECONDS = 3.0

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _problem_list(site: Mapping[str, Any], index: int) -> list[str]:
    where = f"sites[{index}] ({site.get('name', '?')})"
    problems: list[str] = []
    for key in ("name", "url", "unit", "category", "pages", "findings", "not_findings"):
        if key not in site:
            problems.append(f"{where}: missing key {key!r}")
    if site.get("category") not in CATEGORIES:
        problems.append(f"{where}: bad category {site.get('category')!r}")
    if not isinstance(site.get("pages"), int) or site.get("pages", -1) < 0:
        problems.append(f"{where}: pages must be a non-negative int")
    for finding in site.get("findings", []):
        problems.extend(f"{where}: {p}" for p in validate_finding(finding))
    for nf in site.get("not_findings", []):
        if nf.get("code") not in CODES:
            problems.append(f"{where}: not_finding with unknown code {nf.get('code')!r}")
        if not nf.get("why"):
            problems.append(f"{where}: not_finding without why: {nf!r}")
    return problems


def validate_finding(finding: Mapping[str, Any]) -> list[str]:
    """Return the ways ``finding`` breaks the contract (empty when it is valid)."""
    code = finding.get("code")
    if code not in CODES:
        return [f"unknown code {code!r}"]
    problems: list[str] = []
    expected = {"code", *CODES[code]}
    if set(finding) != expected:
        problems.append(f"{code}: keys {sorted(finding)} != {sorted(expected)}")
    url = finding.get("url")
    if "url" in expected and not (isinstance(url, str) and url.startswith("http")):
        problems.append(f"{code}: url must be absolute, got {url!r}")
    if "pages" in expected:
        pages = finding.get("pages")
        if not pages or not all(isinstance(p, str) and p.startswith("http") for p in pages):
            problems.append(f"{code}: pages must be a non-empty list of absolute URLs")
    if "last_update" in expected and not _DATE.match(str(finding.get("last_update"))):
        problems.append(f"{code}: last_update must be YYYY-MM-DD")
    if code == "missing_item" and finding.get("item") not in ITEMS:
        problems.append(f"missing_item: unknown item {finding.get('item')!r}")
    if code == "guide_incomplete":
        problems.extend(_subset_problems(code, finding.get("missing"), GUIDE_ELEMENTS))
    if code == "footer_incomplete":
        problems.extend(_subset_problems(code, finding.get("missing"), FOOTER_PARTS))
    if code == "messages_overdue" and not (
        isinstance(finding.get("count"), int) and finding["count"] > 0
    ):
        problems.append("messages_overdue: count must be a positive int")
    if code == "forbidden_expression" and finding.get("text") not in FORBIDDEN_EXPRESSIONS:
        problems.append(f"forbidden_expression: text {finding.get('text')!r} not in the list")
    return problems


def _subset_problems(code: str, missing: Any, allowed: Iterable[str]) -> list[str]:
    allowed = tuple(allowed)
    if not isinstance(missing, list) or not missing:
        return [f"{code}: missing must be a non-empty list"]
    problems = [f"{code}: unknown part {m!r}" for m in missing if m not in allowed]
    if not problems and missing != sorted(missing, key=allowed.index):
        problems.append(f"{code}: missing must follow the order {allowed}")
    return problems


def validate_ground_truth(data: Mapping[str, Any]) -> list[str]:
    """Return the ways a ground-truth document breaks the contract (empty when valid)."""
    problems: list[str] = []
    if data.get("generated_by") != "govsite.demosites":
        problems.append("generated_by must be 'govsite.demosites'")
    if not _DATE.match(str(data.get("today"))):
        problems.append("today must be YYYY-MM-DD")
    sites = data.get("sites")
    if not isinstance(sites, list) or not sites:
        return [*problems, "sites must be a non-empty list"]
    for index, site in enumerate(sites):
        problems.extend(_problem_list(site, index))
    return problems
