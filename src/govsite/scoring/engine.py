"""Apply a ruleset to the sites of a RESULT.json: vetoes, deductions, bonus, ranking.

Arithmetic is exact (fractions) so that boundaries behave as written in the rules: 7 of 140
probes failing is 5 % and a veto; a site at 80 points exactly gets no bonus.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, fields
from fractions import Fraction
from typing import Any

from govsite.demosites.contract import ITEM_LABELS
from govsite.scoring.rulebook import (
    FINDING_CODES,
    MESSAGE_METRICS,
    SOURCE_GROUPS,
    Indicator,
    Ruleset,
)

METRIC_LABELS = {"reply_rate": "回复率", "on_time_rate": "回复及时率", "satisfaction": "满意度"}
SOURCE_LABELS = {"manual": "人工检查录入", "expert": "专家评议录入", "public": "公众评议录入"}
UNCATEGORIZED = "uncategorized"


@dataclass(frozen=True)
class SiteInputs:
    """What a site is scored on besides its findings. None always means "no data", never 0.

    * ``availability``: ``{"probes": int, "failures": int}`` over the week before the check.
    * ``expert``, ``public``, ``manual``: indicator id → value. For a deduction indicator
      the value is the points deducted (0..points); for a bonus indicator the points
      awarded (0..points); for a manual veto, true (or 1) means vetoed.
    * ``messages``: ``{"reply_rate", "on_time_rate", "satisfaction"}``, each in 0..1.
    """

    availability: Mapping[str, int] | None = None
    expert: Mapping[str, float] | None = None
    public: Mapping[str, float] | None = None
    manual: Mapping[str, float | bool] | None = None
    messages: Mapping[str, float | None] | None = None

    def __post_init__(self) -> None:
        if self.availability is not None:
            _check_availability(self.availability)
        for name in ("expert", "public", "manual"):
            values = getattr(self, name)
            if values is not None and not all(
                isinstance(k, str) and isinstance(v, int | float) for k, v in values.items()
            ):
                raise ValueError(f"{name} 须为 指标 id → 数值 的映射")
        if self.messages is not None:
            for key, value in self.messages.items():
                if key not in MESSAGE_METRICS:
                    raise ValueError(
                        f"messages 中未知的项 {key}（可用：{', '.join(MESSAGE_METRICS)}）"
                    )
                if value is not None and not (_is_number(value) and 0 <= value <= 1):
                    raise ValueError(f"messages.{key} 须在 0 到 1 之间")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SiteInputs:
        """From JSON (``govsite score --inputs``); unknown keys are an error."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(
                f"未知的输入项 {', '.join(unknown)}（可用：{', '.join(sorted(known))}）"
            )
        return cls(**data)


def _check_availability(data: Mapping[str, int]) -> None:
    probes, failures = data.get("probes"), data.get("failures")
    if not (isinstance(probes, int) and isinstance(failures, int) and 0 <= failures <= probes):
        raise ValueError("availability 须为 {probes, failures}，0 ≤ failures ≤ probes 的整数")


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _exact(value: float) -> Fraction:
    return Fraction(str(value))


def _round(value: Fraction) -> float:
    """Half up to two decimals, as people round scores."""
    return float(Fraction(math.floor(value * 100 + Fraction(1, 2)), 100))


# -- one site -------------------------------------------------------------------------------


@dataclass
class _Site:
    """What the indicators of one site look at."""

    findings: list[dict]
    inputs: SiteInputs
    checked: bool  # False when the crawl itself errored: findings are no data, not "none"
    no_data: list[str]


@dataclass
class _Tally:
    """One evaluation source: points of the indicators that had data, and deducted."""

    base: Fraction = Fraction(0)
    deducted: Fraction = Fraction(0)


def score_site(ruleset: Ruleset, site: Mapping[str, Any], inputs: SiteInputs | None = None) -> dict:
    """The scoring fields for one site of a RESULT.json (see docs/scoring-contract.md)."""
    facts = _Site(findings=list(site.get("findings") or []), inputs=inputs or SiteInputs(),
                  checked=(site.get("crawl") or {}).get("state") != "error", no_data=[])  # fmt: skip
    applies = _applicability(ruleset, site.get("category") or "")
    vetoes = [v for i in ruleset.of_kind("veto") if applies(i) and (v := _veto(i, facts))]
    deductions, tallies = _deductions(ruleset, facts, applies)
    bonuses = _bonuses(ruleset, facts, applies)
    result = _combine(ruleset, tallies, bonuses, vetoed=bool(vetoes))
    return {**result, "vetoes": vetoes, "deductions": deductions, "bonuses": bonuses,
            "no_data": facts.no_data, "ruleset": ruleset.id}  # fmt: skip


def _applicability(ruleset: Ruleset, category: str) -> Callable[[Indicator], bool]:
    """Indicators limited to other categories do not apply; categories without public
    services skip the no-service part (national: 办事服务)."""
    no_service = ruleset.no_service
    skipped = no_service.part if no_service and category in no_service.categories else None

    def applies(indicator: Indicator) -> bool:
        if indicator.categories is not None and category not in indicator.categories:
            return False
        return indicator.part != skipped

    return applies


def _matching(indicator: Indicator, findings: list[dict]) -> list[int]:
    return [
        index for index, finding in enumerate(findings)
        if finding.get("code") in indicator.sources
        and all(_field(finding, key) in allowed for key, allowed in indicator.match.items())
    ]  # fmt: skip


def _field(finding: Mapping[str, Any], dotted: str) -> Any:
    value: Any = finding
    for key in dotted.split("."):
        value = value.get(key) if isinstance(value, Mapping) else None
    return value


def _input_value(indicator: Indicator, facts: _Site) -> Fraction | None:
    """The entered value for a manual/expert/public indicator, checked against its points."""
    values = getattr(facts.inputs, indicator.sources[0])
    if values is None or indicator.id not in values:
        return None
    value = _exact(float(values[indicator.id]))
    if indicator.kind != "veto" and not 0 <= value <= _exact(indicator.points):
        raise ValueError(f"{indicator.id}：录入值须在 0 到 {indicator.points:g} 之间（{value}）")
    return value


# -- vetoes ---------------------------------------------------------------------------------


def _veto(indicator: Indicator, facts: _Site) -> dict | None:
    """The veto record when the indicator fires; indicators without data go to no_data."""
    source = indicator.sources[0]
    if source == "availability":
        hit = _availability_veto(indicator, facts)
    elif source == "manual":
        value = _input_value(indicator, facts)
        if value is None:
            facts.no_data.append(indicator.id)
        hit = ([], "检查人员认定") if value else None
    elif not facts.checked:
        facts.no_data.append(indicator.id)
        hit = None
    else:
        hit = _findings_veto(indicator, facts.findings)
    if hit is None:
        return None
    used, reason = hit
    return {"indicator": indicator.id, "name": indicator.name, "reason": reason,
            "findings": used, "verified": indicator.verified}  # fmt: skip


def _availability_veto(indicator: Indicator, facts: _Site) -> tuple[list[int], str] | None:
    """A week of probes decides when there are enough of them (20 a day × 7); otherwise the
    availability is no data and the crawl's own site_unreachable finding stands in."""
    threshold = indicator.threshold
    data = facts.inputs.availability
    if data is not None and data["probes"] >= threshold.min_probes:
        ratio = Fraction(data["failures"], data["probes"])
        if ratio < _exact(threshold.failure_ratio):
            return None
        return [], (f"一周 {data['probes']} 次监测中 {data['failures']} 次无法访问"
                    f"（{float(ratio):.1%}，否决线 {threshold.failure_ratio:.0%}）")  # fmt: skip
    facts.no_data.append(indicator.id)
    fallback = [i for i, f in enumerate(facts.findings) if f.get("code") == indicator.fallback]
    if not (fallback and facts.checked):
        return None
    have = "没有可用性监测数据" if data is None else f"可用性监测仅 {data['probes']} 次"
    error = (_field(facts.findings[fallback[0]], "evidence.error")) or "无法访问"
    return fallback, f"{have}（须满 {threshold.min_probes} 次）；本次检查首页无法访问（{error}）"


def _findings_veto(indicator: Indicator, findings: list[dict]) -> tuple[list[int], str] | None:
    matched = _matching(indicator, findings)
    threshold = indicator.threshold
    if threshold.all:
        key, wanted = next((k, v) for k, v in indicator.match.items() if len(v) > 1)
        present = {_field(findings[i], key) for i in matched}
        if not set(wanted) <= present:
            return None
        return matched, "均未提供：" + "、".join(_label(key, w) for w in wanted)
    if len(matched) < threshold.count:
        return None
    if threshold.count > 1:
        return matched, f"共 {len(matched)} 项，达到否决线（≥{threshold.count}）"
    return matched, "；".join(_describe(findings[i]) for i in matched[:3])


def _label(key: str, value: Any) -> str:
    labels = ITEM_LABELS.get(value) if key == "item" else None
    return labels[0] if labels else str(value)


def _describe(finding: Mapping[str, Any]) -> str:
    """One short Chinese phrase for a finding, for veto reasons."""
    code = finding.get("code")
    if code == "homepage_stale":
        window = _field(finding, "evidence.window_days") or 14
        if not finding.get("last_update"):
            return f"首页信息未标注日期，视为超过 {window} 天未更新"
        return f"首页最新信息 {finding['last_update']}，超过 {window} 天未更新"
    if code == "forbidden_expression":
        right = f"应为“{finding['correct']}”" if finding.get("correct") else ""
        return f"“{finding.get('text')}”{right}（{finding.get('url')}）"
    if code == "messages_overdue":
        return f"{finding.get('count')} 条留言超过 3 个月未答复（{finding.get('url')}）"
    if code == "missing_item":
        return "未提供：" + _label("item", finding.get("item"))
    return str(finding.get("url") or code)


# -- deductions and bonus -------------------------------------------------------------------


def _deductions(ruleset: Ruleset, facts: _Site, applies) -> tuple[list[dict], dict[str, _Tally]]:
    """Deductions in file order. A finding counts under the first indicator that matches it
    and never again (no double counting); each indicator deducts at most its cap."""
    consumed: set[int] = set()
    entries: list[dict] = []
    tallies: dict[str, _Tally] = {}
    for indicator in ruleset.of_kind("deduction"):
        if not applies(indicator):
            continue
        got = _deduct(indicator, facts, consumed)
        if got is None:
            facts.no_data.append(indicator.id)
            continue
        value, used, detail = got
        tally = tallies.setdefault(indicator.group, _Tally())
        tally.base += _exact(indicator.points)
        tally.deducted += value
        if value or used:
            entries.append(_entry(indicator, value, used, detail))
    return entries, tallies


def _deduct(indicator: Indicator, facts: _Site, consumed: set[int]):
    """(points deducted, finding indices, detail), or None when there is no data."""
    limit = _exact(indicator.limit)
    source = indicator.sources[0]
    if source in FINDING_CODES:
        if not facts.checked:
            return None
        used = [i for i in _matching(indicator, facts.findings) if i not in consumed]
        consumed.update(used)
        occurrences = sum(_occurrences(facts.findings[i], indicator.count_by) for i in used)
        return min(_exact(indicator.per) * occurrences, limit), used, None
    if source == "messages":
        rate = (facts.inputs.messages or {}).get(indicator.metric)
        if rate is None:
            return None
        value = min(_exact(indicator.points) * (1 - _exact(rate)), limit)
        return value, [], f"{METRIC_LABELS[indicator.metric]} {rate:.0%}"
    value = _input_value(indicator, facts)
    if value is None:
        return None
    return min(value, limit), [], SOURCE_LABELS[source]


def _occurrences(finding: Mapping[str, Any], count_by: str | None) -> int:
    """How many times a finding counts: once, or by a count or list field (e.g. 3 missing
    guide elements, 4 overdue messages)."""
    if count_by is None:
        return 1
    value = finding.get(count_by)
    if isinstance(value, bool) or value is None:
        return 1
    if isinstance(value, int):
        return max(value, 0)
    return len(value) if isinstance(value, list | tuple) else 1


def _entry(indicator: Indicator, value: Fraction, used: list[int], detail: str | None) -> dict:
    entry = {"indicator": indicator.id, "name": indicator.name, "part": indicator.part,
             "source": indicator.source, "points": _round(value), "findings": used,
             "verified": indicator.verified}  # fmt: skip
    if detail:
        entry["detail"] = detail
    return entry


def _bonuses(ruleset: Ruleset, facts: _Site, applies) -> list[dict]:
    out = []
    for indicator in ruleset.of_kind("bonus"):
        if not applies(indicator):
            continue
        value = _input_value(indicator, facts)
        if value is None:
            facts.no_data.append(indicator.id)
        elif value:
            out.append(_entry(indicator, min(value, _exact(indicator.limit)), [],
                              SOURCE_LABELS[indicator.sources[0]]))  # fmt: skip
    return out


# -- putting the sources together -----------------------------------------------------------


def _source_value(ruleset: Ruleset, tally: _Tally) -> Fraction:
    """Points style: the source's score, rescaled from the points it could be judged on
    (75 × 4/3 for no-service units; likewise when an indicator had no data).
    deduction_total style: the points it deducted."""
    if ruleset.style == "deduction_total":
        return tally.deducted
    full = _exact(ruleset.max_points)
    return (tally.base - tally.deducted) * full / tally.base


def _combine(ruleset: Ruleset, tallies: dict[str, _Tally], bonuses: list[dict],
             vetoed: bool) -> dict:  # fmt: skip
    """Weighted over the sources that have data: a source without data is never a zero,
    its weight goes to the others."""
    judged = {g: t for g, t in tallies.items() if t.base > 0 and g in ruleset.sources}
    values = {g: _source_value(ruleset, t) for g, t in judged.items()}
    sources = {g: (_round(values[g]) if g in values else None) for g in SOURCE_GROUPS
               if g in ruleset.sources}  # fmt: skip
    weights = {g: _exact(ruleset.sources[g].weight) for g in judged}
    total_weight = sum(weights.values())
    if total_weight == 0:
        return {"score": None, "passed": False if vetoed else None, "deducted": None,
                "bonus": 0.0, "sources": sources}  # fmt: skip
    score = sum(weights[g] * values[g] for g in judged) / total_weight
    deducted = _round(sum(weights[g] * judged[g].deducted for g in judged) / total_weight)
    if ruleset.style == "deduction_total":
        passed = _round(score) <= ruleset.fail_above
        bonus = Fraction(0)
    else:
        passed = _round(score) >= ruleset.pass_mark
        bonus = _bonus(ruleset, _round(score), bonuses)
    if vetoed:
        return {"score": None, "passed": False, "deducted": deducted, "bonus": 0.0,
                "sources": sources}  # fmt: skip
    return {"score": _round(score + bonus), "passed": passed, "deducted": deducted,
            "bonus": _round(bonus), "sources": sources}  # fmt: skip


def _bonus(ruleset: Ruleset, score: float, bonuses: list[dict]) -> Fraction:
    """Counted only above bonus_above (80 exactly gets none), never above bonus_max."""
    if ruleset.bonus_above is None or score <= ruleset.bonus_above:
        return Fraction(0)
    return min(sum((_exact(b["points"]) for b in bonuses), Fraction(0)), _exact(ruleset.bonus_max))


# -- ranking and the whole document ---------------------------------------------------------


def rank(sites: Iterable[Mapping[str, Any]], ruleset: Ruleset) -> dict[str, list[dict]]:
    """Scored sites ranked within their category: points style by score descending,
    deduction_total by points deducted ascending. Equal scores share a rank (1, 2, 2, 4);
    sites without a score (vetoed, or no data) come last, sharing the next rank, by name."""
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for site in sites:
        groups.setdefault(site.get("category") or UNCATEGORIZED, []).append(site)
    order = {code: n for n, code in enumerate(ruleset.categories)}
    return {category: _rank_group(groups[category], ruleset)
            for category in sorted(groups, key=lambda c: (order.get(c, len(order)), c))}  # fmt: skip


def _rank_group(sites: list[Mapping[str, Any]], ruleset: Ruleset) -> list[dict]:
    sign = -1 if ruleset.style == "points" else 1
    scored = sorted((s for s in sites if s.get("score") is not None),
                    key=lambda s: (sign * s["score"], s.get("name") or ""))  # fmt: skip
    unscored = sorted((s for s in sites if s.get("score") is None),
                      key=lambda s: s.get("name") or "")  # fmt: skip
    out: list[dict] = []
    for position, site in enumerate(scored, start=1):
        tied = out and out[-1]["score"] == site["score"]
        out.append(_rank_entry(out[-1]["rank"] if tied else position, site))
    out.extend(_rank_entry(len(scored) + 1, site) for site in unscored)
    return out


def _rank_entry(position: int, site: Mapping[str, Any]) -> dict:
    return {"rank": position, "name": site.get("name"), "url": site.get("url"),
            "unit": site.get("unit"), "score": site.get("score"), "deducted": site.get("deducted"),
            "passed": site.get("passed"), "vetoed": bool(site.get("vetoes"))}  # fmt: skip


def score_document(
    document: Mapping[str, Any],
    ruleset: Ruleset,
    inputs_by_url: Mapping[str, SiteInputs] | None = None,
) -> dict:
    """A copy of a RESULT.json with every site scored, the ranking and the ruleset."""
    inputs_by_url = inputs_by_url or {}
    sites = [{**site, **score_site(ruleset, site, inputs_by_url.get(site.get("url")))}
             for site in document.get("sites") or []]  # fmt: skip
    return {**document, "ruleset": ruleset.summary(), "sites": sites,
            "ranking": rank(sites, ruleset)}  # fmt: skip
