"""The rulebook: shipped rulesets encode the national rules, and a broken ruleset file is
refused with errors that name file, line and field."""

from __future__ import annotations

import subprocess
import sys

import pytest

from govsite.checks import CODES
from govsite.scoring import (
    DEFAULT_RULESET,
    RulesetError,
    UnknownRuleset,
    list_rulesets,
    load_ruleset,
    validate_file,
)
from govsite.scoring.rulebook import FINDING_CODES

# -- the shipped rulesets -------------------------------------------------------------------


def test_both_shipped_rulesets_load_and_the_national_one_is_the_default():
    assert list_rulesets() == ["national-2019", "shanghai-2003"]
    assert DEFAULT_RULESET == "national-2019"
    assert load_ruleset().id == "national-2019"


@pytest.mark.parametrize("name", ["national-2019", "shanghai-2003"])
def test_every_indicator_cites_its_rule_and_says_whether_it_is_verified(name):
    ruleset = load_ruleset(name)
    for indicator in ruleset.indicators:
        assert indicator.notes.strip(), indicator.id
        assert isinstance(indicator.verified, bool)


def test_the_rulebook_knows_every_finding_code_the_checks_report():
    assert set(FINDING_CODES) == set(CODES) and len(FINDING_CODES) == 15


def test_every_finding_code_costs_points_somewhere_in_the_national_ruleset(national):
    deducted = {s for i in national.of_kind("deduction") for s in i.sources}
    assert deducted >= set(FINDING_CODES)


def test_national_scale_follows_19hao(national):
    assert (national.style, national.max_points, national.pass_mark) == ("points", 100, 60)
    assert (national.bonus_max, national.bonus_above) == (30, 80)
    assert national.no_service.part == "办事服务" and national.no_service.scale_from == 75
    assert national.no_service.categories == ("other",)
    assert national.parts["办事服务"] == 25
    for category in national.categories:  # per-category variants share out the same 100
        daily = [i for i in national.of_kind("deduction") if i.group == "daily"
                 and (i.categories is None or category in i.categories)]  # fmt: skip
        assert sum(i.points for i in daily) == 100, category


def test_categories_have_their_own_indicator_variants(national):
    """seed 000 art.6: portals are judged on 在线访谈, departments on 监督投诉 instead."""
    portal = {i.id for i in national.indicators if i.categories and "county_portal" in i.categories}
    department = {i.id for i in national.indicators
                  if i.categories and "city_department" in i.categories}  # fmt: skip
    assert "inter.interview" in portal and "inter.interview" not in department
    assert "inter.complaint" in department and "info.basic.department" in department


def _indicator(ruleset, indicator_id):
    return next(i for i in ruleset.indicators if i.id == indicator_id)


def test_national_vetoes_carry_the_exact_thresholds(national):
    unreachable = _indicator(national, "veto.unreachable")
    assert unreachable.threshold.failure_ratio == 0.05
    assert unreachable.threshold.min_probes == 20 * 7
    assert unreachable.fallback == "site_unreachable"
    news_notice = _indicator(national, "veto.columns_news_notice")
    assert news_notice.match == {"evidence.kind": ("news", "notice")}
    assert news_notice.threshold.count == 5
    should_update = _indicator(national, "veto.columns_should_update")
    assert should_update.sources == ("column_stale", "column_empty")
    assert should_update.threshold.count == 10
    assert _indicator(national, "veto.columns_empty").threshold.count == 5
    channel = _indicator(national, "veto.no_consultation_channel")
    assert channel.match == {"item": ("mailbox", "message_board")} and channel.threshold.all
    assert "other" not in _indicator(national, "veto.no_service").categories
    for veto in ("veto.homepage_stale", "veto.messages_overdue", "veto.serious_error"):
        assert _indicator(national, veto).threshold.count == 1


def test_unconfirmed_national_deduction_values_say_so(national):
    deductions = national.of_kind("deduction") + national.of_kind("bonus")
    assert all(not i.verified for i in deductions)


def test_national_has_the_seed_003_openness_items_as_manual_indicators(national):
    o1 = [i for i in national.indicators if i.id.startswith("o1.")]
    assert len(o1) == 6 and all(i.sources == ("manual",) for i in o1)
    assert all("75号" in i.notes for i in o1)


def test_national_has_message_handling_indicators(national):
    metrics = {i.metric for i in national.indicators if i.sources == ("messages",)}
    assert metrics == {"reply_rate", "on_time_rate", "satisfaction"}


def test_shanghai_has_five_parts_three_sources_and_unverified_weights(shanghai):
    assert shanghai.style == "deduction_total" and shanghai.fail_above == 100
    parts = {i.part for i in shanghai.indicators if i.group == "daily"}
    assert parts == {"信息公开", "网上办事", "网上服务", "监督投诉", "系统维护"}
    assert set(shanghai.sources) == {"daily", "expert", "public"}
    assert not any(s.verified for s in shanghai.sources.values())


def test_unknown_ruleset_names_the_known_ones():
    with pytest.raises(UnknownRuleset) as exc:
        load_ruleset("national-2099")
    assert "national-2019" in str(exc.value) and "shanghai-2003" in str(exc.value)


def test_the_rulebook_does_not_import_django():
    code = (
        "import sys, govsite.scoring.command; "
        "print(any(m.startswith('django') for m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "False", done.stderr


# -- validation: every error names file:line: field ------------------------------------------

VALID = """\
id: tiny
name: 测试规则
style: points
max_points: 100
pass_mark: 60
bonus_max: 10
bonus_above: 80
no_service: {part: 服务, scale_from: 75, categories: [other]}
sources: {daily: 1.0}
categories: {county_portal: 县区门户, other: 其他}
parts: {否决: null, 信息: 75, 服务: 25, 加分: 10}
indicators:
  - id: veto.home
    name: 首页不更新
    part: 否决
    kind: veto
    source: homepage_stale
    verified: true
    notes: 测试
  - id: info.links
    name: 链接
    part: 信息
    kind: deduction
    source: broken_link
    per: 1
    points: 75
    verified: false
    notes: 测试
  - id: svc.guides
    name: 办事指南
    part: 服务
    kind: deduction
    source: missing_item
    match: {item: guides}
    per: 5
    points: 25
    verified: false
    notes: 测试
  - id: bonus.x
    name: 加分
    part: 加分
    kind: bonus
    source: manual
    points: 10
    verified: false
    notes: 测试
"""


def check(tmp_path, text):
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    return validate_file(path)


def line_of(text, snippet):
    return next(n for n, line in enumerate(text.splitlines(), 1) if snippet in line)


def test_the_template_is_valid(tmp_path):
    assert check(tmp_path, VALID) == []


# (old text, new text, line marker, field, message)
CASES = [
    ("    per: 1\n", "    per: -1\n", "per: -1", "indicators[1].per", "须为非负数"),
    ("pass_mark: 60\n", "pass_mark: 60\ncolour: red\n", "colour", "colour", "未知字段"),
    ("    per: 5\n", "    per: 5\n    weight: 2\n", "weight: 2", "indicators[2].weight", "未知字段"),
    ("kind: bonus", "kind: plus", "kind: plus", "indicators[3].kind", "须为 veto / deduction / bonus"),
    ("source: broken_link", "source: broken_links", "broken_links", "indicators[1].source", "未知来源 broken_links"),
    ("    points: 25\n", "    points: 25\n    cap: 30\n", "cap: 30", "indicators[2].cap", "不能大于 points"),
    ("id: svc.guides", "id: info.links  # again", "# again", "indicators[2].id", "重复的 id info.links"),
    ("    per: 5\n", "    per: 5\n    categories: [township]\n", "[township]", "indicators[2].categories", "未知类别 township"),
    ("sources: {daily: 1.0}", "sources: {daily: 0.7, expert: 0.2}", "sources:", "sources", "各来源权重之和须为 1"),
    ("    notes: 测试\n  - id: info.links", "  - id: info.links", "id: veto.home", "indicators[0].notes", "缺少此字段"),
    ("    part: 信息\n", "    part: 资讯\n", "part: 资讯", "indicators[1].part", "未在 parts 中声明"),
    ("    points: 75\n", "    points: 70\n", "parts:", "parts.信息", "与其指标分值之和 70 不一致"),
    ("match: {item: guides}", "match: {item: guide}", "match:", "indicators[2].match.item", "未知取值 guide"),
    ("    source: homepage_stale\n", "    source: homepage_stale\n    points: 5\n", "points: 5", "indicators[0].points", "单项否决指标不计分"),
    ("    source: manual\n", "    source: broken_link  # bonus\n", "# bonus", "indicators[3].source", "bonus 指标不能用来源 broken_link"),
    ("scale_from: 75", "scale_from: 70", "no_service", "no_service.scale_from", "须等于 max_points 减去“服务”的分值（75）"),
    ("    verified: true\n", "    verified: yes please\n", "yes please", "indicators[0].verified", "须为 true 或 false"),
    ("style: points", "style: pointy", "style:", "style", "须为 points 或 deduction_total"),
    ("pass_mark: 60\n", "pass_mark: 60\nfail_above: 100\n", "fail_above", "fail_above", "仅用于 deduction_total"),
    ("categories: [other]}", "categories: [others]}", "no_service", "no_service.categories", "未知类别 others"),
]  # fmt: skip


@pytest.mark.parametrize(("old", "new", "marker", "field", "message"), CASES,
                         ids=[c[3] + ":" + c[4] for c in CASES])  # fmt: skip
def test_each_validation_error_names_file_line_and_field(
    tmp_path, old, new, marker, field, message
):
    assert old in VALID, old
    text = VALID.replace(old, new, 1)
    errors = check(tmp_path, text)
    prefix = f"bad.yaml:{line_of(text, marker)}: {field}: "
    assert any(e.startswith(prefix) and message in e for e in errors), errors


def test_points_style_deductions_must_share_out_exactly_the_full_mark(tmp_path):
    text = VALID.replace("parts: {否决: null, 信息: 75,", "parts: {否决: null, 信息: 70,").replace(
        "    points: 75\n", "    points: 70\n"
    )
    errors = check(tmp_path, text)
    assert (
        f"bad.yaml:{line_of(text, 'indicators:')}: indicators: daily 来源扣分指标分值之和为 95，须等于 100"
        in errors
    )


def test_yaml_syntax_errors_name_the_line(tmp_path):
    text = VALID.replace("    per: 1\n", "    per: [1\n")
    [error] = check(tmp_path, text)
    assert error.startswith("bad.yaml:") and "YAML 语法错误" in error


def test_loading_a_broken_file_raises_with_all_errors(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(
        VALID.replace("    per: 1\n", "    per: -1\n").replace("kind: bonus", "kind: x")
    )
    with pytest.raises(RulesetError) as exc:
        load_ruleset(path)
    assert len(exc.value.errors) == 2
