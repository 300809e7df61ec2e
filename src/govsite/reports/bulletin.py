"""A first draft of the published bulletin (通报), in the style of seed 001 (延政办函〔2017〕19号).

The evaluator edits the draft as plain text in the web app; the facts (counts, extremes,
names) come from the scored RESULT.json so that the edit is about tone, not arithmetic.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date as Date

from govsite.reports.document import (
    Row,
    attachments,
    categories,
    check_scored,
    points,
    score_heading,
    site_kind,
    style,
    unit_of,
)
from govsite.reports.labels import CATEGORY_ADDRESSEES, code_label, item_label

CHINESE_NUMERALS = "一二三四五六七八九十"


@dataclass(frozen=True)
class ProblemGroup:
    """One of 001's “不及时、不全面、不回应、不实用”, with the requirement it calls for."""

    key: str  # 不及时 …
    title: str  # the problem, as the bulletin names it
    codes: tuple[str, ...]  # finding codes (missing_item counts through ``items``)
    items: tuple[str, ...]  # missing_item items that belong here
    requirement: str  # heading of the numbered requirement
    ask: str  # the requirement's body (001's tone)
    asks: dict[str, str] = field(default_factory=dict)  # extra sentence when a code occurs


PROBLEM_GROUPS: tuple[ProblemGroup, ...] = (
    ProblemGroup(
        key="不及时",
        title="信息更新不及时",
        codes=("homepage_stale", "column_stale", "column_empty"),
        items=(),
        requirement="加强网站信息内容更新发布",
        ask="各单位要按照“谁主管谁负责”“谁发布谁负责”的原则，依法及时准确发布政府信息，"
        "制定和完善信息发布内容清单，明确日常发布、定期发布和随时发布的类别、时限和主体，"
        "确保发布的信息量和更新速度。",
        asks={
            "homepage_stale": "首页要保持经常更新，确保首页信息“常看常新”。",
            "column_empty": "对内容更新没有保障的栏目要及时归并或关闭，坚决杜绝空白栏目。",
        },
    ),
    ProblemGroup(
        key="不全面",
        title="信息公开不全面",
        codes=("guide_incomplete", "footer_incomplete"),
        items=(
            "functions",
            "leaders",
            "contact",
            "approval_items",
            "laws",
            "policy_interpretation",
            "annual_report",
            "budget",
        ),
        requirement="全面准确公开政府信息",
        ask="各单位要对照政府信息公开和政府网站建设的有关要求，逐项补齐机构职能、领导信息、"
        "联系方式、权责清单、政策文件、政策解读、信息公开年报、财政预决算等必设栏目，"
        "将政府网站建成政府信息公开的第一平台。",
        asks={
            "guide_incomplete": "办事指南应包括事项名称、办理依据、申请条件、申请材料、办理流程、"
            "承办单位、办理地点、办理时限、联系电话、收费依据及标准、监督方式等要素。",
            "footer_incomplete": "网站页脚要规范标注网站标识码、ICP备案编号、公安机关备案标识"
            "和党政机关标识。",
        },
    ),
    ProblemGroup(
        key="不回应",
        title="互动交流不回应",
        codes=("messages_overdue",),
        items=("complaint", "mailbox", "message_board", "interview", "solicitation", "survey"),
        requirement="做好社会关切回应和网民留言办理工作",
        ask="各单位要加强领导信箱、网民留言、在线访谈、意见征集、网上调查等栏目建设，"
        "强化回应关切和网民意见建议办理，做到网上问题网下有人办。",
        asks={
            "messages_overdue": "对网民意见建议5个工作日内必须反馈处理意见，"
            "情况复杂的可延长5个工作日，无法办理的应予以解释说明。",
        },
    ),
    ProblemGroup(
        key="不实用",
        title="网站功能不实用",
        codes=(
            "site_unreachable",
            "broken_link",
            "server_error",
            "slow_page",
            "no_https",
            "tls_invalid",
            "mixed_content",
        ),
        items=(
            "guides",
            "forms",
            "online_accept",
            "status_query",
            "result_feedback",
            "search",
            "english",
        ),
        requirement="提升网站可用性和网上服务水平",
        ask="各单位要加强网站日常运行维护，定期开展自查，确保网站稳定可用；认真梳理行政许可和"
        "其他服务事项的办事指南，加快实现在线申报、状态查询、结果公示和表格下载等办事服务功能。",
        asks={
            "broken_link": "对不可用链接要及时修复或撤除。",
            "server_error": "对出现服务器错误的页面要及时排查修复。",
            "slow_page": "要优化页面，提高访问速度。",
            "no_https": "要尽快启用 HTTPS 安全访问。",
            "tls_invalid": "要及时更换无效或即将过期的数字证书。",
            "mixed_content": "HTTPS 页面不得加载不安全的外部资源。",
        },
    ),
    ProblemGroup(
        key="不严谨",
        title="内容审核不严谨",
        codes=("forbidden_expression",),
        items=(),
        requirement="严格落实信息发布审核制度",
        ask="各单位要严格执行“先审后发”和“三审三校”制度，加强对网站发布内容的审核把关，"
        "坚决杜绝严重表述错误，发现问题立即整改。",
    ),
)


@dataclass
class Bulletin:
    """The draft. ``sections`` are (heading, paragraphs), an empty heading for the lead-in;
    ``attachments`` are (category name, rows in ranking order); ``score_heading`` is 得分 or
    扣分 by the ruleset's style. ``signature_lines``, when set, replace the issuer and date at
    the end (an edited text keeps its own)."""

    title: str
    salutation: str
    sections: list[tuple[str, list[str]]]
    attachments: list[tuple[str, list[Row]]]
    issuer: str = ""
    date: Date | None = None
    score_heading: str = "得分"
    signature_lines: list[str] | None = None

    def with_text(self, title: str, text: str) -> Bulletin:
        """The evaluator's edited text (as :func:`bulletin_to_text` wrote it, with or without
        the title line) in place of the drafted one; the tables stay as computed. Lines equal
        to a drafted heading stay headings, the list of attachments is left to the writers
        (it must match the tables), and a last block with a date is the signature."""
        blocks = _blocks(text)
        if blocks and blocks[0] == [title.strip()]:
            blocks.pop(0)
        salutation = ""
        if blocks and len(blocks[0]) == 1 and blocks[0][0].endswith(("：", ":")):
            salutation = blocks.pop(0)[0]
        signature: list[str] = []
        if blocks and any(DATE_LINE.search(line) for line in blocks[-1]):
            signature = blocks.pop()
        if blocks and all(ATTACHMENT_LINE.match(line) for line in blocks[-1]):
            blocks.pop()
        headings = {heading for heading, _ in self.sections if heading}
        sections: list[tuple[str, list[str]]] = [("", [])]
        for line in (line for block in blocks for line in block):
            if line in headings:
                sections.append((line, []))
            else:
                sections[-1][1].append(line)
        return replace(
            self,
            title=title.strip(),
            salutation=salutation,
            sections=[(h, p) for h, p in sections if h or p],
            signature_lines=signature,
        )


DATE_LINE = re.compile(r"\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日")
ATTACHMENT_LINE = re.compile(r"^附件\s*\d*\s*[：:]")


def _blocks(text: str) -> list[list[str]]:
    """Blank-line separated blocks of stripped, non-empty lines."""
    blocks: list[list[str]] = [[]]
    for line in text.splitlines():
        if line.strip():
            blocks[-1].append(line.strip())
        elif blocks[-1]:
            blocks.append([])
    return [b for b in blocks if b]


def draft_bulletin(
    document: dict,
    *,
    title: str | None = None,
    issuer: str = "",
    date: Date | None = None,
    threshold: float = 100,
    units_without_site: Iterable[str] = (),
) -> Bulletin:
    """Draft the bulletin for a scored RESULT.json (see docs/scoring-contract.md)."""
    check_scored(document)
    date = date or Date.today()
    tables = attachments(document)
    found = problem_counts(document)
    sections = [
        ("", [lead_in(document, issuer)]),
        ("总体情况", overall(document, tables, threshold, list(units_without_site))),
    ]
    if found:
        sections.append(("存在的主要问题", problems(found)))
        sections.append(("工作要求", requirements(found)))
    sections[-1][1].append(closing(document, threshold))  # no heading of its own, as 001
    return Bulletin(
        title=title or default_title(document, issuer),
        salutation=salutation(document),
        sections=sections,
        attachments=[(name, rows) for _, name, rows in tables],
        issuer=issuer,
        date=date,
        score_heading=score_heading(document),
    )


def default_title(document: dict, issuer: str = "") -> str:
    year = str(document.get("today", ""))[:4]
    period = f"{year}年" if year.isdigit() else ""
    return f"{issuer}关于{period}全市政府网站检查评估情况的通报"


def salutation(document: dict) -> str:
    """Addressees follow the categories evaluated, as 001: 各县区人民政府，市政府各工作部门、各直属机构："""
    levels: dict[str, list[str]] = {}
    for code in categories(document):
        if code in CATEGORY_ADDRESSEES:
            level, name = CATEGORY_ADDRESSEES[code]
            levels.setdefault(level, []).append(name)
    text = "，".join("、".join(dict.fromkeys(names)) for names in levels.values())
    return (text or "各有关单位") + "："


def lead_in(document: dict, issuer: str) -> str:
    basis = ruleset_title(document["ruleset"].get("name") or document["ruleset"].get("id", ""))
    basis = f"依据{basis}，" if basis else ""
    count = len(document["sites"])
    return f"{basis}{issuer}对全市{count}个政府网站开展了检查评估工作，现将评估情况通报如下："


def ruleset_title(name: str) -> str:
    """政府网站与政务新媒体检查指标（国办秘函〔2019〕19号） → 《…》（国办秘函〔2019〕19号）."""
    if not name or "《" in name:
        return name
    title, bracket, number = name.partition("（")
    return f"《{title}》{bracket}{number}"


def overall(
    document: dict, tables: list[tuple[str, str, list[Row]]], threshold: float, no_site: list[str]
) -> list[str]:
    """001's second paragraph: per category counts, vetoes, extremes, over-threshold units."""
    counts = "；".join(_category_counts(name, rows) for _, name, rows in tables)
    paragraphs = [
        f"此次共检查评估政府网站{len(document['sites'])}个。" + (counts and f"{counts}。")
    ]
    vetoed = [s for s in document["sites"] if s.get("vetoes")]
    if vetoed:
        paragraphs.append(_vetoes(vetoed))
    facts = [_extremes(document)]
    over = _over_threshold(document, threshold)
    if len(over) > 1 and len(over) == len({unit_of(s) for s in document["sites"]}):
        facts.append(f"全部参评单位的评分结果扣分均超过{points(threshold)}分。")
    elif over:
        both = "均" if len(over) > 1 else ""
        facts.append(f"{'、'.join(over)}的评分结果扣分{both}超过{points(threshold)}分。")
    if no_site:
        facts.append(f"截至目前，{'、'.join(no_site)}仍没有建立网站。")
    paragraphs.append("".join(facts))
    return [p for p in paragraphs if p]


def _category_counts(name: str, rows: list[Row]) -> str:
    passed = sum(r.passed for r in rows)
    vetoed = sum(bool(r.vetoes) for r in rows)
    failed = len(rows) - passed
    outcome = (
        "全部合格"
        if not failed
        else "全部不合格"
        if not passed
        else f"合格{passed}个，不合格{failed}个"
    )
    text = f"{site_kind(name)}参评{len(rows)}个，{outcome}"
    return text + (f"（其中单项否决{vetoed}个）" if vetoed else "")


def _vetoes(vetoed: list[dict]) -> str:
    """Sites grouped by veto, so twenty stale home pages make one clause, not twenty; the
    reason is given when a veto hit a single site."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for site in vetoed:
        for veto in site["vetoes"]:
            label = veto.get("name") or veto.get("indicator", "")
            groups.setdefault(label, []).append(
                (unit_of(site) + _site_name(site), veto.get("reason"))
            )
    parts = []
    for label, hits in groups.items():
        reason = f"（{hits[0][1]}）" if len(hits) == 1 and hits[0][1] else ""
        parts.append(f"{'、'.join(name for name, _ in hits)}因{label}{reason}")
    return f"{len(vetoed)}个网站被单项否决：{'；'.join(parts)}。"


def _site_name(site: dict) -> str:
    """The site's name in brackets unless it only repeats the unit (市教育局 / 市教育局网站)."""
    name, unit = site.get("name") or "", unit_of(site)
    return "" if not name or name == unit or name == f"{unit}网站" else f"（{name}）"


def _extremes(document: dict) -> str:
    """Lowest and highest deduction (001), and in the points style the scores as well."""
    sites = [s for s in document["sites"] if not s.get("vetoes")]
    if not sites:
        return ""
    deducted = [s.get("deducted") or 0 for s in sites]
    prefix = "除单项否决的网站外，" if len(sites) < len(document["sites"]) else ""
    text = f"此次参评网站最低扣分{points(min(deducted))}分，最高扣分{points(max(deducted))}分。"
    scores = [s["score"] for s in sites if s.get("score") is not None]
    if style(document) == "points" and scores:
        text = (
            f"此次参评网站最高得分{points(max(scores))}分，最低得分{points(min(scores))}分；"
            f"最低扣分{points(min(deducted))}分，最高扣分{points(max(deducted))}分。"
        )
    return prefix + text


def _over_threshold(document: dict, threshold: float) -> list[str]:
    """Units whose deductions exceed the threshold, most deducted first (001: over 100)."""
    over = [s for s in document["sites"] if (s.get("deducted") or 0) > threshold]
    over.sort(key=lambda s: -(s.get("deducted") or 0))
    return list(dict.fromkeys(unit_of(s) for s in over))


def group_of(finding: dict) -> ProblemGroup | None:
    code = finding.get("code")
    for group in PROBLEM_GROUPS:
        if code == "missing_item" and finding.get("item") in group.items:
            return group
        if code in group.codes:
            return group
    return None


def _problem_key(finding: dict) -> str:
    """missing_item is counted per item (缺少在线访谈 …), every other code on its own."""
    if finding.get("code") == "missing_item":
        return f"缺少{item_label(finding.get('item', ''))}"
    return code_label(finding.get("code", ""))


@dataclass
class GroupCount:
    """How widespread one problem group is: sites, not findings, as 001 counts."""

    sites: set[int] = field(default_factory=set)  # indices into document["sites"]
    problems: dict[str, set[int]] = field(default_factory=dict)  # 链接不可用 → sites
    codes: set[str] = field(default_factory=set)  # finding codes seen (picks the asks)


def problem_counts(document: dict) -> dict[str, GroupCount]:
    """Group key → its count, in PROBLEM_GROUPS order; groups nobody has are left out."""
    counts: dict[str, GroupCount] = {}
    for index, site in enumerate(document["sites"]):
        for finding in site.get("findings") or ():
            group = group_of(finding)
            if group is None:
                continue
            count = counts.setdefault(group.key, GroupCount())
            count.sites.add(index)
            count.problems.setdefault(_problem_key(finding), set()).add(index)
            count.codes.add(finding["code"])
    return {g.key: counts[g.key] for g in PROBLEM_GROUPS if g.key in counts}


def problems(found: dict[str, GroupCount]) -> list[str]:
    groups = [g for g in PROBLEM_GROUPS if g.key in found]
    keys = "、".join(g.key for g in groups)
    paragraphs = [f"从检查情况看，网站“{keys}”的问题不同程度存在。"]
    for number, group in enumerate(groups, 1):
        count = found[group.key]
        widest = Counter({p: len(s) for p, s in count.problems.items()}).most_common()
        detail = "、".join(f"{_spaced(p)}{n}个" for p, n in widest)
        paragraphs.append(
            f"（{CHINESE_NUMERALS[number - 1]}）{group.title}。"
            f"共有{len(count.sites)}个网站存在此类问题，其中{detail}。"
        )
    return paragraphs


def _spaced(text: str) -> str:
    """未启用 HTTPS + 1个 → "未启用 HTTPS 1个": a space between Latin letters and digits."""
    return text + " " if text[-1:].isascii() and text[-1:].isalnum() else text


def requirements(found: dict[str, GroupCount]) -> list[str]:
    """One numbered requirement per problem group that occurs (001: 一、落实…  二、加强…)."""
    paragraphs = [
        "政府网站是信息化条件下政府密切联系人民群众的重要桥梁，也是网络时代政府履行职责的"
        "重要平台。各单位要进一步提升政府网站建设管理水平，重点抓好以下几项工作："
    ]
    groups = [g for g in PROBLEM_GROUPS if g.key in found]
    for number, group in enumerate(groups, 1):
        seen = found[group.key].codes
        extra = "".join(text for code, text in group.asks.items() if code in seen)
        paragraphs.append(
            f"{CHINESE_NUMERALS[number - 1]}、{group.requirement}。{group.ask}{extra}"
        )
    return paragraphs


def closing(document: dict, threshold: float) -> str:
    """What units do next; the units over the threshold are named above, so not again."""
    focus = ""
    if _over_threshold(document, threshold):
        focus = f"，扣分超过{points(threshold)}分的单位要作为整改重点"
    return (
        f"请各单位对照附件中的评估结果和扣分项逐项整改{focus}，整改情况及时报送政府网站主管部门。"
    )


def attachment_title(number: int, name: str) -> str:
    return f"附件{number}：{site_kind(name)}检查评估结果"


def bulletin_to_text(bulletin: Bulletin) -> str:
    """The plain text an evaluator edits in a textarea: headings on their own line."""
    lines = [bulletin.title, "", bulletin.salutation, ""]
    for heading, paragraphs in bulletin.sections:
        if heading:
            lines += [heading, ""]
        for paragraph in paragraphs:
            lines += [paragraph, ""]
    listed = attachment_list(bulletin)
    lines += [*listed, ""] if listed else []
    lines += signature(bulletin)
    return "\n".join(lines).rstrip() + "\n"


def attachment_list(bulletin: Bulletin) -> list[str]:
    """附件1：… lines, unless the (edited) text already lists them: never print them twice."""
    titles = [attachment_title(n, name) for n, (name, _) in enumerate(bulletin.attachments, 1)]
    written = {p for _, paragraphs in bulletin.sections for p in paragraphs}
    return [] if titles and titles[0] in written else titles


def signature(bulletin: Bulletin) -> list[str]:
    if bulletin.signature_lines is not None:
        return list(bulletin.signature_lines)
    out = [bulletin.issuer] if bulletin.issuer else []
    if bulletin.date:
        out.append(chinese_date(bulletin.date))
    return out


def chinese_date(day: Date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


__all__ = [
    "Bulletin",
    "PROBLEM_GROUPS",
    "attachment_title",
    "bulletin_to_text",
    "draft_bulletin",
]
