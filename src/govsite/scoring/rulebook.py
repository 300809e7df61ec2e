"""Rulesets: which findings and inputs cost how many points, read from YAML.

A ruleset is data an administrator may edit, so loading it validates everything the engine
relies on and names each problem by file, line and field
(``national-2019.yaml:42: indicators[3].per: 须为非负数``). Line numbers come from the YAML
node marks (``yaml.compose``), not from the parsed values, which have lost them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor

from govsite.demosites.contract import COLUMN_WINDOWS, ITEMS

RULESETS_DIR = Path(__file__).with_name("rulesets")
DEFAULT_RULESET = "national-2019"

#: Every finding code ``govsite evaluate`` reports (tests hold this to govsite.checks.CODES).
FINDING_CODES: tuple[str, ...] = (
    "site_unreachable", "broken_link", "server_error", "slow_page", "homepage_stale",
    "column_stale", "column_empty", "missing_item", "guide_incomplete", "messages_overdue",
    "forbidden_expression", "mixed_content", "footer_incomplete", "no_https", "tls_invalid",
)  # fmt: skip
#: Inputs that are not findings: probes, the two other evaluation sources, a person's
#: judgement, and message-handling statistics.
INPUT_SOURCES: tuple[str, ...] = ("availability", "expert", "public", "manual", "messages")
SOURCES = FINDING_CODES + INPUT_SOURCES
KINDS = ("veto", "deduction", "bonus")
STYLES = ("points", "deduction_total")
#: The three evaluation sources of seed 000 art.7; every indicator belongs to one.
SOURCE_GROUPS = ("daily", "expert", "public")
MESSAGE_METRICS = ("reply_rate", "on_time_rate", "satisfaction")

_ID = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_TOP_KEYS = (
    "id", "name", "year", "style", "max_points", "bonus_max", "bonus_above", "pass_mark",
    "fail_above", "no_service", "sources", "categories", "parts", "indicators",
)  # fmt: skip
_INDICATOR_KEYS = (
    "id", "name", "part", "kind", "source", "match", "threshold", "points", "per", "cap",
    "count_by", "metric", "fallback", "categories", "verified", "notes",
)  # fmt: skip


class RulesetError(ValueError):
    """A ruleset file that does not validate; ``errors`` holds one line per problem."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


class UnknownRuleset(LookupError):
    def __init__(self, name: str):
        known = "、".join(list_rulesets()) or "（无）"
        super().__init__(f"未知的规则集 {name!r}；可用：{known}")
        self.name = name


@dataclass(frozen=True)
class Threshold:
    """When a veto fires: ``count`` matching findings (or ``all`` matched values present);
    for availability, a failure ratio over at least ``min_probes`` probes."""

    count: int = 1
    all: bool = False
    failure_ratio: float | None = None
    min_probes: int = 0


@dataclass(frozen=True)
class Indicator:
    id: str
    name: str
    part: str
    kind: str  # veto | deduction | bonus
    sources: tuple[str, ...]  # finding codes, or one of INPUT_SOURCES
    verified: bool
    notes: str
    points: float = 0
    per: float | None = None
    cap: float | None = None
    match: dict[str, tuple] = field(default_factory=dict)
    threshold: Threshold | None = None
    count_by: str | None = None
    metric: str | None = None
    fallback: str | None = None
    categories: tuple[str, ...] | None = None
    line: int = 0

    @property
    def source(self) -> str:
        return "+".join(self.sources)

    @property
    def from_findings(self) -> bool:
        return self.sources[0] in FINDING_CODES

    @property
    def group(self) -> str:
        """The evaluation source (weight) the indicator counts towards."""
        return self.sources[0] if self.sources[0] in ("expert", "public") else "daily"

    @property
    def limit(self) -> float:
        """The most this indicator can deduct or award."""
        return self.points if self.cap is None else self.cap


@dataclass(frozen=True)
class Source:
    weight: float
    verified: bool = True
    notes: str = ""


@dataclass(frozen=True)
class NoService:
    """Categories without public services skip ``part``; points style rescales from
    ``scale_from`` (national: 75 × 4/3)."""

    part: str
    categories: tuple[str, ...]
    scale_from: float | None = None


@dataclass(frozen=True)
class Ruleset:
    id: str
    name: str
    style: str  # points | deduction_total
    sources: dict[str, Source]
    categories: dict[str, str]
    parts: dict[str, float | None]
    indicators: tuple[Indicator, ...]
    year: int | None = None
    max_points: float | None = None
    pass_mark: float | None = None
    fail_above: float | None = None
    bonus_max: float = 0
    bonus_above: float | None = None
    no_service: NoService | None = None
    path: Path | None = None

    def of_kind(self, kind: str) -> list[Indicator]:
        return [i for i in self.indicators if i.kind == kind]

    def summary(self) -> dict:
        """The ``ruleset`` object of a scored RESULT.json."""
        out = {"id": self.id, "name": self.name, "year": self.year, "style": self.style,
               "max_points": self.max_points, "pass_mark": self.pass_mark,
               "categories": dict(self.categories)}  # fmt: skip
        if self.style == "deduction_total":
            out["fail_above"] = self.fail_above
        else:
            out |= {"bonus_max": self.bonus_max, "bonus_above": self.bonus_above}
        return out


# -- public API ---------------------------------------------------------------------------


def list_rulesets() -> list[str]:
    """Ids of the shipped rulesets, the default first."""
    ids = sorted(p.stem for p in RULESETS_DIR.glob("*.yaml"))
    return sorted(ids, key=lambda i: i != DEFAULT_RULESET)


def load_ruleset(name_or_path: str | Path = DEFAULT_RULESET) -> Ruleset:
    """A shipped ruleset by id, or any ruleset file by path. Raises UnknownRuleset or
    RulesetError."""
    path = _resolve(name_or_path)
    ruleset, errors = _parse(path)
    if errors:
        raise RulesetError(errors)
    assert ruleset is not None
    return ruleset


def validate_file(path: str | Path) -> list[str]:
    """The problems of a ruleset file (empty when it loads)."""
    path = Path(path)
    if not path.is_file():
        return [f"{path}: 找不到文件"]
    return _parse(path)[1]


def _resolve(name_or_path: str | Path) -> Path:
    text = str(name_or_path)
    if isinstance(name_or_path, Path) or "/" in text or text.endswith((".yaml", ".yml")):
        path = Path(name_or_path)
        if not path.is_file():
            raise UnknownRuleset(text)
        return path
    path = RULESETS_DIR / f"{text}.yaml"
    if not _ID.match(text) or not path.is_file():
        raise UnknownRuleset(text)
    return path


# -- reading YAML nodes with their line numbers ---------------------------------------------


class _Reader:
    """Turns composed YAML nodes into values, recording each problem as file:line: field."""

    def __init__(self, filename: str):
        self.filename = filename
        self.errors: list[str] = []
        self._constructor = SafeConstructor()

    def error(self, node: yaml.Node, where: str, message: str) -> None:
        self.errors.append(f"{self.filename}:{node.start_mark.line + 1}: {where}: {message}")

    def in_file_order(self) -> list[str]:
        skip = len(self.filename) + 1
        return sorted(self.errors, key=lambda e: int(e[skip:].split(":", 1)[0]))

    def value(self, node: yaml.Node) -> Any:
        return self._constructor.construct_object(node, deep=True)

    def mapping(self, node: yaml.Node, where: str, allowed: tuple[str, ...] | None = None):
        """The mapping's fields, or None when the node is not a mapping."""
        if not isinstance(node, yaml.MappingNode):
            self.error(node, where or "（顶层）", "须为映射（key: value）")
            return None
        return _Fields(self, node, where, allowed)

    def sequence(self, node: yaml.Node, where: str) -> list[yaml.Node] | None:
        if not isinstance(node, yaml.SequenceNode):
            self.error(node, where, "须为列表")
            return None
        return list(node.value)


class _Fields:
    """One YAML mapping: typed getters that report a bad or missing field at its line."""

    def __init__(self, reader: _Reader, node: yaml.MappingNode, where: str, allowed):
        self.reader, self.node, self.where = reader, node, where
        self.nodes: dict[str, yaml.Node] = {}
        self.keys: dict[str, yaml.Node] = {}  # errors are reported on the key's line
        for key_node, value_node in node.value:
            key = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else None
            if key is None:
                reader.error(key_node, where, "字段名须为文字")
            elif key in self.nodes:
                reader.error(key_node, self.path(key), "字段重复")
            elif allowed is not None and key not in allowed:
                reader.error(key_node, self.path(key), f"未知字段（可用：{', '.join(allowed)}）")
            else:
                self.nodes[key], self.keys[key] = value_node, key_node

    def path(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def error(self, key: str, message: str) -> None:
        self.reader.error(self.keys.get(key, self.node), self.path(key), message)

    def has(self, key: str) -> bool:
        return key in self.nodes

    def raw(self, key: str) -> Any:
        return self.reader.value(self.nodes[key]) if key in self.nodes else None

    def text(self, key: str, required: bool = True) -> str | None:
        value = self.raw(key)
        if value is None:
            if required:
                self.error(key, "缺少此字段" if key not in self.nodes else "不能为空")
            return None
        if not isinstance(value, str) or not value.strip():
            self.error(key, "须为非空文字")
            return None
        return value.strip()

    def number(self, key: str, required: bool = False, positive: bool = False) -> float | None:
        if key not in self.nodes:
            if required:
                self.error(key, "缺少此字段")
            return None
        value = self.raw(key)
        if not _is_number(value) or value < 0 or (positive and value == 0):
            self.error(key, "须为正数" if positive else "须为非负数")
            return None
        return float(value)

    def integer(self, key: str, minimum: int = 0) -> int | None:
        value = self.raw(key)
        if value is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
            self.error(key, f"须为不小于 {minimum} 的整数")
            return None
        return value

    def boolean(self, key: str, required: bool = False) -> bool | None:
        if key not in self.nodes:
            if required:
                self.error(key, "缺少此字段（true 或 false）")
            return None
        value = self.raw(key)
        if not isinstance(value, bool):
            self.error(key, "须为 true 或 false")
            return None
        return value

    def words(self, key: str) -> tuple[str, ...] | None:
        """A string or a list of strings, as a tuple."""
        value = self.raw(key)
        if value is None:
            return None
        items = value if isinstance(value, list) else [value]
        if not items or not all(isinstance(v, str) and v for v in items):
            self.error(key, "须为文字或文字列表")
            return None
        return tuple(items)

    def forbid(self, key: str, why: str) -> None:
        if key in self.nodes:
            self.error(key, why)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _exact(value: float) -> Fraction:
    return Fraction(str(value))


# -- the ruleset ----------------------------------------------------------------------------


def _parse(path: Path) -> tuple[Ruleset | None, list[str]]:
    reader = _Reader(path.name)
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        return None, [f"{path.name}:{line}: YAML 语法错误：{getattr(exc, 'problem', exc)}"]
    except (OSError, UnicodeDecodeError) as exc:
        return None, [f"{path.name}: 无法读取：{exc}"]
    if root is None:
        return None, [f"{path.name}:1: 文件为空"]
    top = reader.mapping(root, "", _TOP_KEYS)
    if top is None:
        return None, reader.errors
    ruleset = _ruleset(top, path)
    if ruleset is not None and path.parent.resolve() == RULESETS_DIR.resolve():
        if ruleset.id != path.stem:
            top.error("id", f"须与文件名一致（{path.stem}）")
    errors = reader.in_file_order()
    return (None if errors else ruleset), errors


def _ruleset(top: _Fields, path: Path) -> Ruleset | None:
    rid = top.text("id")
    if rid and not _ID.match(rid):
        top.error("id", "只能用小写字母、数字、点、横线和下划线")
    name, style, year = top.text("name"), top.text("style"), top.integer("year", 1)
    if style and style not in STYLES:
        top.error("style", f"须为 {' 或 '.join(STYLES)}")
        style = None
    scale = _scale(top, style)
    categories = _categories(top)
    parts = _parts(top)
    sources = _sources(top)
    no_service = _no_service(top, categories, parts, style)
    indicators = _indicators(top, categories, parts, sources, scale)
    if style and indicators is not None and not top.reader.errors:  # totals of valid parts only
        _check_totals(top, style, scale, parts, indicators, no_service, categories)
    if None in (rid, name, style, categories, parts, sources, indicators):
        return None
    return Ruleset(id=rid, name=name, style=style, sources=sources, categories=categories,
                   parts=parts, indicators=tuple(indicators), year=year,
                   no_service=no_service, path=path, **scale)  # fmt: skip


def _scale(top: _Fields, style: str | None) -> dict:
    """The style's numbers: points style needs a full mark and a pass mark; the
    deduction_total style (seed 001) only a line above which the deducted total fails."""
    if style == "deduction_total":
        for key in ("max_points", "pass_mark", "bonus_above", "bonus_max"):
            top.forbid(key, "deduction_total 风格不使用此字段（用 fail_above）")
        return {"fail_above": top.number("fail_above", required=True)}
    top.forbid("fail_above", "仅用于 deduction_total 风格（points 风格用 pass_mark）")
    max_points = top.number("max_points", required=style == "points", positive=True)
    pass_mark = top.number("pass_mark", required=style == "points")
    bonus_max = top.number("bonus_max") or 0.0
    bonus_above = top.number("bonus_above", required=bonus_max > 0)
    for key, value in (("pass_mark", pass_mark), ("bonus_above", bonus_above)):
        if value is not None and max_points is not None and value > max_points:
            top.error(key, f"不能大于 max_points（{max_points:g}）")
    return {"max_points": max_points, "pass_mark": pass_mark, "bonus_max": bonus_max,
            "bonus_above": bonus_above}  # fmt: skip


def _categories(top: _Fields) -> dict[str, str] | None:
    if not top.has("categories"):
        top.error("categories", "缺少此字段")
        return None
    fields = top.reader.mapping(top.nodes["categories"], "categories")
    if fields is None:
        return None
    out = {}
    for code in fields.nodes:
        if not _ID.match(code):
            fields.error(code, "类别代码只能用小写字母、数字和下划线")
        label = fields.text(code)
        if label:
            out[code] = label
    if not out and not fields.nodes:
        top.error("categories", "至少要有一个类别")
    return out


def _parts(top: _Fields) -> dict[str, float | None] | None:
    """Part name → its points (null: no fixed points, e.g. 单项否决)."""
    if not top.has("parts"):
        top.error("parts", "缺少此字段")
        return None
    fields = top.reader.mapping(top.nodes["parts"], "parts")
    if fields is None:
        return None
    return {part: fields.number(part) if fields.raw(part) is not None else None
            for part in fields.nodes}  # fmt: skip


def _sources(top: _Fields) -> dict[str, Source] | None:
    """Weights of the evaluation sources (seed 000 art.7): a number or {weight, verified,
    notes}; they must sum to 1."""
    if not top.has("sources"):
        top.error("sources", "缺少此字段")
        return None
    fields = top.reader.mapping(top.nodes["sources"], "sources", SOURCE_GROUPS)
    if fields is None:
        return None
    out: dict[str, Source] = {}
    for group, node in fields.nodes.items():
        if isinstance(node, yaml.MappingNode):
            inner = top.reader.mapping(node, fields.path(group), ("weight", "verified", "notes"))
            weight = inner.number("weight", required=True)
            verified = inner.boolean("verified")
            notes = inner.text("notes", required=False) or ""
        else:
            weight, verified, notes = fields.number(group), None, ""
        if weight is not None and weight > 1:
            fields.error(group, "权重须在 0 到 1 之间")
        elif weight is not None:
            out[group] = Source(weight, True if verified is None else verified, notes)
    if len(out) == len(fields.nodes) and sum(_exact(s.weight) for s in out.values()) != 1:
        total = float(sum(_exact(s.weight) for s in out.values()))
        top.error("sources", f"各来源权重之和须为 1（现为 {total:g}）")
    return out


def _no_service(top, categories, parts, style) -> NoService | None:
    if not top.has("no_service"):
        return None
    fields = top.reader.mapping(top.nodes["no_service"], "no_service",
                                ("part", "scale_from", "categories"))  # fmt: skip
    if fields is None:
        return None
    part = fields.text("part")
    if part and parts is not None and part not in parts:
        fields.error("part", f"未在 parts 中声明：{part}")
    codes = fields.words("categories") or ()
    if not codes:
        fields.error("categories", "须列出没有对外服务的类别")
    for code in codes:
        if categories is not None and code not in categories:
            fields.error("categories", f"未知类别 {code}")
    if style == "deduction_total":
        fields.forbid("scale_from", "deduction_total 风格不折算（只跳过该部分）")
        scale_from = None
    else:
        scale_from = fields.number("scale_from", required=True, positive=True)
    return NoService(part, tuple(codes), scale_from) if part else None


# -- indicators -----------------------------------------------------------------------------


def _indicators(top, categories, parts, sources, scale) -> list[Indicator] | None:
    if not top.has("indicators"):
        top.error("indicators", "缺少此字段")
        return None
    nodes = top.reader.sequence(top.nodes["indicators"], "indicators")
    if nodes is None:
        return None
    if not nodes:
        top.error("indicators", "至少要有一项指标")
    context = _Context(categories or {}, parts or {}, sources or {}, scale.get("bonus_max", 0))
    out, seen = [], {}
    for index, node in enumerate(nodes):
        fields = top.reader.mapping(node, f"indicators[{index}]", _INDICATOR_KEYS)
        if fields is None:
            continue
        indicator = _indicator(fields, context)
        if indicator is None:
            continue
        if indicator.id in seen:
            fields.error("id", f"重复的 id {indicator.id}（第 {seen[indicator.id]} 行已使用）")
            continue
        seen[indicator.id] = indicator.line
        out.append(indicator)
    return out


@dataclass
class _Context:
    categories: dict[str, str]
    parts: dict[str, float | None]
    sources: dict[str, Source]
    bonus_max: float


def _indicator(fields: _Fields, context: _Context) -> Indicator | None:
    iid, name, part, kind = (fields.text(k) for k in ("id", "name", "part", "kind"))
    notes, verified = fields.text("notes"), fields.boolean("verified", required=True)
    if iid and not _ID.match(iid):
        fields.error("id", "只能用小写字母、数字、点、横线和下划线")
    if part and part not in context.parts:
        fields.error("part", f"未在 parts 中声明：{part}")
    if kind and kind not in KINDS:
        fields.error("kind", f"须为 {' / '.join(KINDS)}")
        kind = None
    sources = _indicator_sources(fields)
    categories = fields.words("categories")
    for code in categories or ():
        if code not in context.categories:
            fields.error("categories", f"未知类别 {code}")
    values = _kind_fields(fields, kind, sources, context) if kind and sources else None
    if None in (iid, name, part, notes, verified, values):
        return None
    return Indicator(id=iid, name=name, part=part, kind=kind, sources=sources, notes=notes,
                     verified=verified, categories=categories,
                     line=fields.node.start_mark.line + 1, **values)  # fmt: skip


def _indicator_sources(fields: _Fields) -> tuple[str, ...] | None:
    sources = fields.words("source")
    if sources is None:
        if not fields.has("source"):
            fields.error("source", "缺少此字段")
        return None
    unknown = [s for s in sources if s not in SOURCES]
    if unknown:
        fields.error("source", f"未知来源 {', '.join(unknown)}（可用：问题代码或 "
                               f"{', '.join(INPUT_SOURCES)}）")  # fmt: skip
        return None
    if len(sources) > 1 and any(s in INPUT_SOURCES for s in sources):
        fields.error("source", "多个来源只能都是问题代码")
        return None
    return sources


_ALLOWED_SOURCES = {
    "veto": FINDING_CODES + ("availability", "manual"),
    "deduction": FINDING_CODES + ("manual", "messages", "expert", "public"),
    "bonus": ("manual", "expert", "public"),
}


def _kind_fields(fields: _Fields, kind: str, sources, context: _Context) -> dict | None:
    """The fields that depend on kind and source, each checked where it is written."""
    errors_before = len(fields.reader.errors)
    source = sources[0]
    if source not in _ALLOWED_SOURCES[kind]:
        fields.error("source", f"{kind} 指标不能用来源 {source}")
        return None
    from_findings = source in FINDING_CODES
    group = source if source in ("expert", "public") else "daily"
    if context.sources and group not in context.sources:
        fields.error("source", f"sources 中没有 {group} 的权重")
    values: dict[str, Any] = {}
    if kind == "veto":
        for key in ("points", "per", "cap", "count_by", "metric"):
            fields.forbid(key, "单项否决指标不计分，不用此字段")
        values["threshold"] = _threshold(fields, source)
        values["fallback"] = _fallback(fields, source)
    else:
        for key, why in (("threshold", "只用于单项否决"), ("fallback", "只用于单项否决")):
            fields.forbid(key, why)
        values |= _points(fields, kind, source, context)
    if from_findings:
        values["match"] = _match(fields, sources)
        values["count_by"] = fields.text("count_by", required=False)
    else:
        fields.forbid("match", "只用于来源为问题代码的指标")
        fields.forbid("count_by", "只用于来源为问题代码的指标")
    if kind == "veto" and values["threshold"] and values["threshold"].all:
        lists = [v for v in values.get("match", {}).values() if len(v) > 1]
        if len(lists) != 1:
            fields.error("threshold", "all: true 需要 match 中恰有一个列表")
    return values if len(fields.reader.errors) == errors_before else None


def _points(fields: _Fields, kind: str, source: str, context: _Context) -> dict:
    points = fields.number("points", required=True, positive=True)
    cap = fields.number("cap")
    if cap is not None and points is not None and cap > points:
        fields.error("cap", f"不能大于 points（{points:g}）")
    if kind == "bonus" and points is not None and points > context.bonus_max:
        fields.error("points", f"加分指标分值不能大于 bonus_max（{context.bonus_max:g}）")
    per = None
    if source in FINDING_CODES:
        per = fields.number("per", required=True)
    else:
        fields.forbid("per", "只用于来源为问题代码的指标（人工录入的是分值本身）")
    metric = None
    if source == "messages":
        metric = fields.text("metric")
        if metric and metric not in MESSAGE_METRICS:
            fields.error("metric", f"须为 {' / '.join(MESSAGE_METRICS)}")
    else:
        fields.forbid("metric", "只用于来源为 messages 的指标")
    return {"points": points or 0, "cap": cap, "per": per, "metric": metric}


def _threshold(fields: _Fields, source: str) -> Threshold | None:
    if source == "manual":
        fields.forbid("threshold", "人工认定的否决项不设阈值")
        return None
    if source == "availability":
        allowed = ("failure_ratio", "min_probes")
    else:
        allowed = ("count", "all")
    if not fields.has("threshold"):
        if source == "availability":
            fields.error("threshold", "缺少此字段（failure_ratio、min_probes）")
        return Threshold() if source != "availability" else None
    inner = fields.reader.mapping(fields.nodes["threshold"], fields.path("threshold"), allowed)
    if inner is None:
        return None
    if source == "availability":
        ratio = inner.number("failure_ratio", required=True, positive=True)
        if ratio is not None and ratio > 1:
            inner.error("failure_ratio", "须在 0 到 1 之间")
        return Threshold(failure_ratio=ratio, min_probes=inner.integer("min_probes", 1) or 1)
    return Threshold(count=inner.integer("count", 1) or 1, all=bool(inner.boolean("all")))


def _fallback(fields: _Fields, source: str) -> str | None:
    fallback = fields.text("fallback", required=False)
    if fallback is None:
        return None
    if source != "availability":
        fields.error("fallback", "只用于来源为 availability 的否决项")
    elif fallback not in FINDING_CODES:
        fields.error("fallback", f"未知问题代码 {fallback}")
    return fallback


def _match(fields: _Fields, sources: tuple[str, ...]) -> dict[str, tuple]:
    """Filters on a finding's fields; a dotted key reads inside (``evidence.kind``)."""
    if not fields.has("match"):
        return {}
    inner = fields.reader.mapping(fields.nodes["match"], fields.path("match"))
    if inner is None:
        return {}
    out = {}
    for key in inner.nodes:
        value = inner.raw(key)
        values = tuple(value) if isinstance(value, list) else (value,)
        if not values or not all(isinstance(v, str | int) for v in values):
            inner.error(key, "须为值或值的列表")
            continue
        known = _known_values(key, sources)
        unknown = [str(v) for v in values if known is not None and v not in known]
        if unknown:
            inner.error(key, f"未知取值 {', '.join(unknown)}（可用：{', '.join(known)}）")
        out[key] = values
    return out


def _known_values(key: str, sources: tuple[str, ...]) -> tuple[str, ...] | None:
    if key == "item" and sources == ("missing_item",):
        return ITEMS
    if key == "evidence.kind" and sources == ("column_stale",):
        return tuple(COLUMN_WINDOWS)
    return None


# -- totals across indicators ---------------------------------------------------------------


def _check_totals(top: _Fields, style, scale, parts, indicators, no_service,
                  categories=None) -> None:  # fmt: skip
    """Declared part points must equal their indicators' points and, in points style, each
    evaluation source's deduction indicators share out exactly the full mark — for every
    category, counting only the indicators that apply to it (seed 000 art.6: a category may
    have its own variant of an indicator, worth the same points)."""
    varies = any(i.categories for i in indicators)  # name the category only when it matters
    names = list(categories or []) if varies else []
    for category in names or [None]:
        applies = [i for i in indicators
                   if category is None or i.categories is None or category in i.categories]  # fmt: skip
        skipped = (no_service.part if no_service and category in no_service.categories
                   else None)  # fmt: skip
        where = f"（类别 {category}）" if category and varies else ""
        for part, points in (parts or {}).items():
            if part == skipped:
                continue
            total = sum(_exact(i.points) for i in applies if i.part == part)
            if points is not None and total != _exact(points):
                _sub_error(top, "parts", part, f"部分分值 {points:g} 与其指标分值之和 "
                                               f"{float(total):g} 不一致{where}")  # fmt: skip
                return
        max_points = scale.get("max_points")
        if style != "points" or max_points is None:
            continue
        for group in SOURCE_GROUPS:
            mine = [i for i in applies if i.kind == "deduction" and i.group == group]
            total = sum(_exact(i.points) for i in mine)
            expected = _exact(max_points)
            if mine and total != expected:
                top.error("indicators", f"{group} 来源扣分指标分值之和为 {float(total):g}，"
                                        f"须等于 {float(expected):g}{where}")  # fmt: skip
                return
    max_points = scale.get("max_points")
    if style == "points" and max_points is not None and no_service \
            and no_service.scale_from is not None:  # fmt: skip
        part_points = sum(_exact(i.points) for i in indicators
                          if i.kind == "deduction" and i.part == no_service.part
                          and i.categories is None)  # fmt: skip
        expected = _exact(max_points) - part_points
        if expected != _exact(no_service.scale_from):
            _sub_error(top, "no_service", "scale_from", f"须等于 max_points 减去“"
                       f"{no_service.part}”的分值（{float(expected):g}）")  # fmt: skip


def _sub_error(top: _Fields, key: str, subkey: str, message: str) -> None:
    """Report at ``key.subkey`` (its line) without reading the mapping a second time."""
    node = top.keys[key]
    for key_node, _ in top.nodes[key].value:
        if key_node.value == subkey:
            node = key_node
            break
    top.reader.error(node, f"{key}.{subkey}", message)
