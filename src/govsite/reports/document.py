"""Reading a scored RESULT.json (docs/scoring-contract.md) into what the reports print.

Every writer (bulletin, xlsx, docx, pdf) goes through :func:`attachments` so the three formats
can never disagree on order, wording or numbers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from govsite.reports.labels import (
    CATEGORY_NAMES,
    FOOTER_PART_LABELS,
    GUIDE_ELEMENT_LABELS,
    code_label,
    item_label,
)

#: How many deductions the 主要扣分项 column shows (largest first); the full list is on the
#: 问题明细 sheet.
MAIN_DEDUCTIONS = 3

NOT_SCORED = "该结果文件尚未评分，请先用 govsite score 或 govsite evaluate --ruleset 评分"


class ReportError(ValueError):
    """A RESULT.json the reports cannot use; the message is for the user, in Chinese."""


@dataclass(frozen=True)
class Row:
    """One line of a category's results table (seed 001's attachments)."""

    rank: int
    unit: str
    name: str
    url: str
    score: float | None  # None when vetoed; deduction_total style: the points deducted
    deducted: float
    passed: bool
    vetoes: tuple[str, ...]
    deductions: tuple[str, ...]  # "链接可用性 2.5分", largest first

    @property
    def score_text(self) -> str:
        return "—" if self.score is None else points(self.score)

    @property
    def passed_text(self) -> str:
        return "合格" if self.passed else "不合格"

    @property
    def veto_text(self) -> str:
        return "；".join(self.vetoes)

    @property
    def deduction_text(self) -> str:
        return "；".join(self.deductions)


def points(value: float | int | None) -> str:
    """8.5 → "8.5", 266.0 → "266": a bulletin never prints "266.0分"."""
    if value is None:
        return "—"
    return f"{float(value):.2f}".rstrip("0").rstrip(".")


def load_result(path: str | Path) -> dict:
    """Read and check a scored RESULT.json; :class:`ReportError` says what is wrong."""
    path = Path(path)
    if not path.is_file():
        raise ReportError(f"找不到结果文件：{path}")
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ReportError(f"{path} 不是 RESULT.json（无法按 UTF-8 JSON 读取：{exc}）") from exc
    check_scored(document, str(path))
    return document


def check_scored(document: Any, source: str = "结果文件") -> None:
    """A report needs the scoring engine's output, not just the findings."""
    if not isinstance(document, dict) or not isinstance(document.get("sites"), list):
        raise ReportError(f"{source} 不是 RESULT.json（缺少 sites 列表）")
    sites = document["sites"]
    ruleset = document.get("ruleset")
    if (
        not isinstance(ruleset, dict)
        or not isinstance(document.get("ranking"), dict)
        or any(not isinstance(s, dict) or "score" not in s or "passed" not in s for s in sites)
    ):
        raise ReportError(f"{source}：{NOT_SCORED}")
    if ruleset.get("style") not in ("points", "deduction_total"):
        raise ReportError(f"{source}：未知的评分方式 ruleset.style = {ruleset.get('style')!r}")


def style(document: dict) -> str:
    return document["ruleset"]["style"]


def score_heading(document: dict) -> str:
    """得分 for the points style, 扣分 when the result is the total deducted."""
    return "扣分" if style(document) == "deduction_total" else "得分"


def category_name(document: dict, code: str) -> str:
    named = document["ruleset"].get("categories") or {}
    return named.get(code) or CATEGORY_NAMES.get(code) or code or "未分类"


def site_kind(name: str) -> str:
    """市政府工作部门 → 市政府工作部门网站; 县区政府门户网站 stays as it is."""
    return name if name.endswith("网站") else f"{name}网站"


def categories(document: dict) -> list[str]:
    """Category codes in report order: the default order, then the ruleset's, then the rest."""
    present = list(document["ranking"])
    known = [*CATEGORY_NAMES, *(document["ruleset"].get("categories") or {})]
    order = {code: i for i, code in reversed(list(enumerate(known)))}
    return sorted(present, key=lambda c: (order.get(c, len(order)), c))


def unit_of(site: dict) -> str:
    return site.get("unit") or site.get("name") or site.get("url", "")


def sites_by_key(document: dict) -> dict[tuple[str, str], dict]:
    return {(s.get("category") or "", s.get("url", "")): s for s in document["sites"]}


def attachments(document: dict) -> list[tuple[str, str, list[Row]]]:
    """(category code, category name, rows in ranking order) for every ranked category."""
    sites = sites_by_key(document)
    out = []
    for code in categories(document):
        rows = [_row(entry, sites.get((code, entry.get("url", "")), {}))
                for entry in document["ranking"][code]]  # fmt: skip
        out.append((code, category_name(document, code), rows))
    return out


def _row(entry: dict, site: dict) -> Row:
    vetoes = tuple(
        f"{v.get('name') or v.get('indicator', '')}：{v['reason']}" if v.get("reason")
        else v.get("name") or v.get("indicator", "")
        for v in site.get("vetoes") or ()
    )  # fmt: skip
    deductions = sorted(site.get("deductions") or (), key=lambda d: -(d.get("points") or 0))
    return Row(
        rank=entry.get("rank", 0),
        unit=entry.get("unit") or unit_of(site) or entry.get("name", ""),
        name=entry.get("name") or site.get("name", ""),
        url=entry.get("url", ""),
        score=entry.get("score"),
        deducted=entry.get("deducted", site.get("deducted")) or 0,
        passed=bool(entry.get("passed")),
        vetoes=vetoes,
        deductions=tuple(
            f"{d.get('name') or d.get('indicator')} {points(d.get('points'))}分"
            for d in deductions[:MAIN_DEDUCTIONS]
            if d.get("points")
        ),
    )


def finding_detail(finding: dict) -> str:
    """What a reader needs to find the problem again, in words."""
    code = finding.get("code", "")
    if code == "missing_item":
        return f"缺少“{item_label(finding.get('item', ''))}”"
    if code == "guide_incomplete":
        missing = "、".join(GUIDE_ELEMENT_LABELS.get(m, m) for m in finding.get("missing") or ())
        return f"缺少要素：{missing}"
    if code == "footer_incomplete":
        missing = "、".join(FOOTER_PART_LABELS.get(m, m) for m in finding.get("missing") or ())
        return f"缺少：{missing}"
    if code in ("homepage_stale", "column_stale") and finding.get("last_update"):
        return f"最近更新 {finding['last_update']}"
    if code == "messages_overdue":
        return f"超期未回复 {finding.get('count', 0)} 条"
    if code == "broken_link":
        pages = finding.get("pages") or ()
        return f"出现在 {len(pages)} 个页面" if pages else ""
    if code == "forbidden_expression":
        return f"“{finding.get('text', '')}”"
    if code == "tls_invalid":
        return str(finding.get("reason") or "")
    return ""


def finding_rows(document: dict) -> list[dict[str, Any]]:
    """Every finding with the indicator it was scored under (问题明细), in ranking order."""
    sites = sites_by_key(document)
    out = []
    for code, name, rows in attachments(document):
        for row in rows:
            site = sites.get((code, row.url), {})
            scored_by = _deductions_by_finding(site)
            for index, finding in enumerate(site.get("findings") or ()):
                for deduction in scored_by.get(index) or [None]:
                    out.append({
                        "category": name,
                        "unit": row.unit,
                        "site": row.name,
                        "problem": code_label(finding.get("code", "")),
                        "detail": finding_detail(finding),
                        "url": finding.get("url", ""),
                        "indicator": (deduction or {}).get("name", ""),
                        "points": (deduction or {}).get("points"),
                    })  # fmt: skip
    return out


def _deductions_by_finding(site: dict) -> dict[int, list[dict]]:
    by_index: dict[int, list[dict]] = {}
    for deduction in site.get("deductions") or ():
        for index in deduction.get("findings") or ():
            by_index.setdefault(index, []).append(deduction)
    return by_index


def table_header(score_heading: str) -> list[str]:
    """The columns of every results table (xlsx sheet, docx and pdf attachment)."""
    return ["排名", "单位", "网站名称", "网址", score_heading, "是否合格", "单项否决", "主要扣分项"]


def table_texts(row: Row) -> list[str]:
    return [
        str(row.rank),
        row.unit,
        row.name,
        row.url,
        row.score_text,
        row.passed_text,
        row.veto_text,
        row.deduction_text,
    ]
