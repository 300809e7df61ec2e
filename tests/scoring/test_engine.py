"""The scoring engine, rule by rule: vetoes at their exact boundaries, caps, no double
counting, missing data never scored as zero, the bonus gate, 75 × 4/3, the deduction-total
style and ranking."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govsite.scoring import SiteInputs, rank, score_document, score_site

# -- findings as govsite evaluate writes them -----------------------------------------------


def stale(kind="news", n=0):
    return {"code": "column_stale", "url": f"http://x.gov.cn/{kind}{n}/", "last_update": "2025-01-01",
            "evidence": {"kind": kind, "window_days": 14}}  # fmt: skip


def empty(n=0):
    return {"code": "column_empty", "url": f"http://x.gov.cn/empty{n}/", "evidence": {}}


def missing(item):
    return {"code": "missing_item", "item": item}


def broken(n=0):
    return {"code": "broken_link", "url": f"http://x.gov.cn/b{n}", "pages": ["http://x.gov.cn/"]}


UNREACHABLE = {"code": "site_unreachable", "evidence": {"error": "connect"}}


def site(*findings, category="county_portal", name="甲县", **extra):
    return {"name": name, "url": f"http://{name}.gov.cn/", "unit": name, "category": category,
            "findings": list(findings), **extra}  # fmt: skip


def vetoed_by(result):
    return [v["indicator"] for v in result["vetoes"]]


def full_inputs(ruleset, **extra):
    """Every manual indicator entered as "nothing wrong" and perfect message handling, so
    the score is judged on all indicators (nothing rescaled for missing data)."""
    manual = {i.id: 0 for i in ruleset.indicators if i.sources == ("manual",)}
    messages = {"reply_rate": 1.0, "on_time_rate": 1.0, "satisfaction": 1.0}
    return SiteInputs(manual=manual, messages=messages, **extra)


# -- vetoes at their boundaries (national 2019) ---------------------------------------------


def test_news_and_notice_columns_stale_veto_at_five_not_four(national):
    four = [stale("news", 0), stale("news", 1), stale("notice", 2), stale("notice", 3)]
    assert "veto.columns_news_notice" not in vetoed_by(score_site(national, site(*four)))
    five = [*four, stale("notice", 4)]
    assert "veto.columns_news_notice" in vetoed_by(score_site(national, site(*five)))


def test_plan_columns_do_not_count_towards_the_news_and_notice_veto(national):
    findings = [stale("news", 0), stale("notice", 1), *(stale("plan", n) for n in range(3))]
    assert vetoed_by(score_site(national, site(*findings))) == []


def test_should_update_columns_stale_or_empty_veto_at_ten_not_nine(national):
    nine = [*(stale("plan", n) for n in range(5)), *(empty(n) for n in range(4))]
    assert vetoed_by(score_site(national, site(*nine))) == []
    ten = [*nine, stale("plan", 9)]
    assert vetoed_by(score_site(national, site(*ten))) == ["veto.columns_should_update"]


def test_empty_columns_veto_at_five_not_four(national):
    assert vetoed_by(score_site(national, site(*(empty(n) for n in range(4))))) == []
    result = score_site(national, site(*(empty(n) for n in range(5))))
    assert vetoed_by(result) == ["veto.columns_empty"]
    assert result["vetoes"][0]["findings"] == [0, 1, 2, 3, 4]


@pytest.mark.parametrize(("probes", "failures", "vetoed"), [
    (1000, 49, False),  # 4.9 %
    (1000, 50, True),  # 5 % exactly
    (140, 6, False),
    (140, 7, True),  # 7 / 140 = 5 % exactly, whatever floating point makes of it
])  # fmt: skip
def test_availability_vetoes_at_five_percent_failed_probes(national, probes, failures, vetoed):
    inputs = SiteInputs(availability={"probes": probes, "failures": failures})
    result = score_site(national, site(), inputs)
    assert ("veto.unreachable" in vetoed_by(result)) is vetoed
    assert "veto.unreachable" not in result["no_data"]


def test_fewer_than_20_probes_a_day_for_a_week_is_no_data_not_a_verdict(national):
    result = score_site(national, site(), SiteInputs(availability={"probes": 139, "failures": 50}))
    assert vetoed_by(result) == [] and "veto.unreachable" in result["no_data"]


def test_without_probe_data_the_crawl_failing_stands_in_for_the_veto(national):
    result = score_site(national, site(UNREACHABLE))
    assert vetoed_by(result) == ["veto.unreachable"]
    assert "没有可用性监测数据" in result["vetoes"][0]["reason"]
    assert "veto.unreachable" in result["no_data"]


def test_with_a_good_week_of_probes_one_failed_crawl_is_a_deduction_not_a_veto(national):
    inputs = SiteInputs(availability={"probes": 140, "failures": 1})
    result = score_site(national, site(UNREACHABLE), inputs)
    assert vetoed_by(result) == []
    assert [d["indicator"] for d in result["deductions"]] == ["func.home_availability"]


def test_homepage_not_updated_is_a_veto_with_the_date_in_the_reason(national):
    finding = {"code": "homepage_stale", "url": "http://x.gov.cn/", "last_update": "2025-10-01",
               "evidence": {"window_days": 14}}  # fmt: skip
    [veto] = score_site(national, site(finding))["vetoes"]
    assert veto["indicator"] == "veto.homepage_stale"
    assert veto["reason"] == "首页最新信息 2025-10-01，超过 14 天未更新"


def test_overdue_messages_and_a_missing_consultation_channel_are_vetoes(national):
    overdue = {"code": "messages_overdue", "url": "http://x.gov.cn/ly/", "count": 2}
    assert vetoed_by(score_site(national, site(overdue))) == ["veto.messages_overdue"]
    assert vetoed_by(score_site(national, site(missing("mailbox")))) == []
    both = score_site(national, site(missing("mailbox"), missing("message_board")))
    assert vetoed_by(both) == ["veto.no_consultation_channel"]
    assert both["vetoes"][0]["reason"] == "均未提供：领导信箱、网上留言"


def test_no_service_guides_vetoes_only_categories_with_services(national):
    assert vetoed_by(score_site(national, site(missing("guides")))) == ["veto.no_service"]
    assert vetoed_by(score_site(national, site(missing("guides"), category="other"))) == []


def test_serious_wording_errors_and_manual_security_incidents_are_vetoes(national):
    wrong = {"code": "forbidden_expression", "url": "http://x.gov.cn/a.html",
             "text": "国务院总里", "correct": "国务院总理"}  # fmt: skip
    assert vetoed_by(score_site(national, site(wrong))) == ["veto.serious_error"]
    inputs = SiteInputs(manual={"veto.security_incident": 1})
    assert vetoed_by(score_site(national, site(), inputs)) == ["veto.security_incident"]


def test_a_vetoed_site_has_no_score_fails_and_still_lists_its_deductions(national):
    result = score_site(national, site(*(empty(n) for n in range(5)), broken()))
    assert result["score"] is None and result["passed"] is False
    assert {d["indicator"] for d in result["deductions"]} == {"info.empty_columns",
                                                              "func.broken_links"}  # fmt: skip
    assert result["deducted"] == 3.1


# -- deductions -----------------------------------------------------------------------------


def test_each_deduction_is_capped_at_its_indicator_points(national):
    result = score_site(national, site(*(broken(n) for n in range(100))), full_inputs(national))
    [links] = result["deductions"]
    assert links["points"] == 5 and len(links["findings"]) == 100
    assert result["score"] == 95


def test_cap_below_points_limits_the_deduction(make_ruleset):
    ruleset = make_ruleset([
        {"id": "links", "name": "链接", "part": "功能", "kind": "deduction",
         "source": "broken_link", "per": 1, "points": 100, "cap": 3},
    ])  # fmt: skip
    assert score_site(ruleset, site(*(broken(n) for n in range(10))))["score"] == 97


def test_a_finding_is_deducted_once_under_the_first_indicator_that_matches(national):
    findings = [stale("news", n) for n in range(3)] + [stale("plan", 9)]
    result = score_site(national, site(*findings))
    by_id = {d["indicator"]: d for d in result["deductions"]}
    assert by_id["info.news_columns"]["findings"] == [0, 1, 2]
    assert by_id["info.other_columns"]["findings"] == [3]  # the news columns not again
    assert by_id["info.other_columns"]["points"] == 0.5


def test_no_double_counting_in_file_order(make_ruleset):
    ruleset = make_ruleset([
        {"id": "specific", "name": "要闻栏目", "part": "信息", "kind": "deduction",
         "source": "column_stale", "match": {"evidence.kind": "news"}, "per": 2, "points": 50},
        {"id": "general", "name": "全部栏目", "part": "信息", "kind": "deduction",
         "source": ["column_stale", "column_empty"], "per": 1, "points": 50},
    ])  # fmt: skip
    result = score_site(ruleset, site(stale("news"), stale("plan"), empty()))
    assert [(d["indicator"], d["findings"], d["points"]) for d in result["deductions"]] == [
        ("specific", [0], 2), ("general", [1, 2], 2)]  # fmt: skip


def test_count_by_counts_each_missing_guide_element_and_each_overdue_message(national):
    guide = {"code": "guide_incomplete", "url": "http://x.gov.cn/g.html",
             "missing": ["basis", "fees", "supervision"]}  # fmt: skip
    overdue = {"code": "messages_overdue", "url": "http://x.gov.cn/ly/", "count": 4}
    by_id = {
        d["indicator"]: d["points"]
        for d in score_site(national, site(guide, overdue))["deductions"]
    }
    assert by_id == {"svc.guide_elements": 1.5, "inter.overdue": 4}


def test_manual_values_are_the_points_deducted_and_must_be_within_them(national):
    result = score_site(national, site(), SiteInputs(manual={"interp.sync": 2}))
    [entry] = result["deductions"]
    assert (entry["indicator"], entry["points"], entry["findings"]) == ("interp.sync", 2, [])
    with pytest.raises(ValueError, match="interp.sync"):
        score_site(national, site(), SiteInputs(manual={"interp.sync": 4}))


def test_message_rates_deduct_the_shortfall(national):
    rates = {"reply_rate": 0.5, "on_time_rate": 1.0, "satisfaction": 0.75}
    result = score_site(national, site(), SiteInputs(messages=rates))
    by_id = {d["indicator"]: d for d in result["deductions"]}
    assert (
        by_id["messages.reply_rate"]["points"] == 1
        and "回复率 50%" == by_id["messages.reply_rate"]["detail"]
    )
    assert by_id["messages.satisfaction"]["points"] == 0.5
    assert "messages.on_time_rate" not in by_id


# -- missing data is never a zero -----------------------------------------------------------


def test_indicators_without_data_are_listed_and_the_rest_rescaled(national):
    result = score_site(national, site(*(broken(n) for n in range(50))))
    assert {"messages.reply_rate", "o1.leading_body", "expert.review"} <= set(result["no_data"])
    # 15 points had no data (6 manual O1 × 0.5, 6 解读回应 manual, 6 messages): out of 85
    assert result["deducted"] == 5 and result["score"] == round((85 - 5) * 100 / 85, 2)
    zero_rates = SiteInputs(messages={"reply_rate": 0, "on_time_rate": 0, "satisfaction": 0})
    assert score_site(national, site(), zero_rates)["score"] < score_site(national, site())["score"]


def test_a_source_without_data_gives_its_weight_to_the_others(make_ruleset):
    ruleset = make_ruleset([
        {"id": "links", "name": "链接", "part": "日常", "kind": "deduction",
         "source": "broken_link", "per": 10, "points": 100},
        {"id": "expert.all", "name": "专家", "part": "专家", "kind": "deduction",
         "source": "expert", "points": 100},
    ], sources={"daily": 0.6, "expert": 0.4})  # fmt: skip
    alone = score_site(ruleset, site(broken()))
    assert alone["score"] == 90 and alone["sources"] == {"daily": 90, "expert": None}
    assert "expert.all" in alone["no_data"]
    both = score_site(ruleset, site(broken()), SiteInputs(expert={"expert.all": 40}))
    assert both["score"] == 0.6 * 90 + 0.4 * 60 and both["sources"]["expert"] == 60


def test_a_failed_crawl_is_no_data_not_a_clean_site(national):
    result = score_site(national, site(crawl={"state": "error"}))
    assert result["score"] is None and result["passed"] is None
    assert "func.broken_links" in result["no_data"]


# -- bonus ----------------------------------------------------------------------------------


BONUS_RULES = [
    {"id": "links", "name": "链接", "part": "功能", "kind": "deduction",
     "source": "broken_link", "per": 0.5, "points": 100},
    {"id": "bonus.a", "name": "创新", "part": "加分", "kind": "bonus", "source": "manual", "points": 10},
    {"id": "bonus.b", "name": "开放", "part": "加分", "kind": "bonus", "source": "manual", "points": 10},
]  # fmt: skip


@pytest.mark.parametrize(("links", "bonus"), [(40, 0), (39, 15)])  # 80 exactly, then 80.5
def test_bonus_counts_only_above_80_and_never_above_its_maximum(make_ruleset, links, bonus):
    ruleset = make_ruleset(BONUS_RULES, bonus_max=15, bonus_above=80)
    inputs = SiteInputs(manual={"bonus.a": 10, "bonus.b": 8})
    result = score_site(ruleset, site(*(broken(n) for n in range(links))), inputs)
    assert result["bonus"] == bonus
    assert result["score"] == 100 - links * 0.5 + bonus
    assert len(result["bonuses"]) == 2


def test_passing_is_judged_before_the_bonus(make_ruleset):
    ruleset = make_ruleset(BONUS_RULES, bonus_max=15, bonus_above=80)
    result = score_site(ruleset, site(*(broken(n) for n in range(81))))  # 59.5
    assert result["passed"] is False and result["score"] == 59.5


# -- categories without public services -----------------------------------------------------


def test_no_service_categories_skip_the_service_part_and_scale_75_by_4_thirds(national):
    findings = [missing("guides"), missing("forms"), *(broken(n) for n in range(50))]
    result = score_site(national, site(*findings, category="other"), full_inputs(national))
    assert [d["indicator"] for d in result["deductions"]] == ["func.broken_links"]
    assert result["deducted"] == 5
    assert result["score"] == round((75 - 5) * 4 / 3, 2) == 93.33
    clean = score_site(national, site(category="other"), full_inputs(national))
    assert clean["score"] == 100


# -- the deduction-total style (seed 001) ---------------------------------------------------


def test_deduction_total_scores_the_points_deducted_and_fails_above_100(make_ruleset):
    ruleset = make_ruleset([
        {"id": "links", "name": "链接", "part": "系统维护", "kind": "deduction",
         "source": "broken_link", "per": 0.5, "points": 500},
    ], style="deduction_total")  # fmt: skip
    at_100 = score_site(ruleset, site(*(broken(n) for n in range(200))))
    assert at_100["score"] == at_100["deducted"] == 100 and at_100["passed"] is True
    above = score_site(ruleset, site(*(broken(n) for n in range(201))))
    assert above["score"] == 100.5 and above["passed"] is False


def test_shanghai_adds_up_deductions_and_weights_the_sources_that_have_data(shanghai):
    findings = [broken(n) for n in range(10)] + [stale("news", 1)]
    daily_only = score_site(shanghai, site(*findings))
    assert daily_only["score"] == 5 + 2 and daily_only["sources"]["expert"] is None
    inputs = SiteInputs(expert={f"sh.expert.{p}": 4 for p in ("info", "online", "service",
                                                              "complaint", "ops")})  # fmt: skip
    with_expert = score_site(shanghai, site(*findings), inputs)
    assert with_expert["score"] == round((0.6 * 7 + 0.2 * 20) / 0.8, 2)


# -- ranking --------------------------------------------------------------------------------


def scored(name, score, category="county_portal", vetoed=False):
    return {"name": name, "url": f"http://{name}/", "unit": name, "category": category,
            "score": None if vetoed else score, "deducted": 0, "passed": not vetoed,
            "vetoes": [{"indicator": "v"}] if vetoed else []}  # fmt: skip


def test_equal_scores_share_a_rank_and_vetoed_sites_come_last(national):
    sites = [scored("丁", 80), scored("甲", 95), scored("乙", 90), scored("丙", 90),
             scored("戊", 0, vetoed=True), scored("己", 99, category="other")]  # fmt: skip
    ranking = rank(sites, national)
    assert list(ranking) == ["county_portal", "other"]
    assert [(e["rank"], e["name"]) for e in ranking["county_portal"]] == [
        (1, "甲"), (2, "丙"), (2, "乙"), (4, "丁"), (5, "戊")]  # fmt: skip
    assert ranking["county_portal"][-1]["vetoed"] is True


def test_deduction_total_ranks_the_least_deducted_first(shanghai):
    sites = [scored("甲", 120), scored("乙", 8.5), scored("丙", 266.5)]
    assert [e["name"] for e in rank(sites, shanghai)["county_portal"]] == ["乙", "甲", "丙"]


def test_score_document_adds_scores_ranking_and_the_ruleset(national):
    document = {"today": "2025-11-20", "sites": [site(broken(), name="甲"), site(name="乙")]}
    result = score_document(document, national)
    assert result["today"] == "2025-11-20" and result["ruleset"]["id"] == "national-2019"
    assert [s["ruleset"] for s in result["sites"]] == ["national-2019"] * 2
    assert [e["name"] for e in result["ranking"]["county_portal"]] == ["乙", "甲"]
    assert "score" not in document["sites"][0]  # the input is left alone


# -- properties -----------------------------------------------------------------------------

FINDINGS = st.one_of(
    st.builds(stale, st.sampled_from(["news", "notice", "plan"]), st.integers(0, 99)),
    st.builds(empty, st.integers(0, 99)),
    st.builds(broken, st.integers(0, 999)),
    st.builds(missing, st.sampled_from(["guides", "mailbox", "message_board", "search",
                                        "forms", "leaders", "english"])),  # fmt: skip
    st.just(UNREACHABLE),
    st.builds(lambda n: {"code": "guide_incomplete", "url": "http://x.gov.cn/g",
                         "missing": ["basis", "fees"][:n]}, st.integers(1, 2)),  # fmt: skip
    st.builds(lambda n: {"code": "messages_overdue", "url": "http://x.gov.cn/ly", "count": n},
              st.integers(1, 30)),  # fmt: skip
    st.sampled_from([{"code": c, "url": "http://x.gov.cn/"} for c in
                     ("server_error", "slow_page", "no_https", "tls_invalid", "mixed_content")]),
    st.just({"code": "footer_incomplete", "missing": ["icp", "site_code"]}),
)  # fmt: skip
CATEGORY = st.sampled_from(["county_portal", "other"])
RATES = st.one_of(st.none(), st.fixed_dictionaries(
    {k: st.floats(0, 1) for k in ("reply_rate", "on_time_rate", "satisfaction")}))  # fmt: skip


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(findings=st.lists(FINDINGS, max_size=40), category=CATEGORY, rates=RATES,
       bonus=st.integers(0, 10))  # fmt: skip
def test_a_points_score_stays_within_zero_and_full_mark_plus_bonus(national, findings, category,
                                                                   rates, bonus):  # fmt: skip
    inputs = SiteInputs(messages=rates, manual={"bonus.innovation": bonus})
    result = score_site(national, site(*findings, category=category), inputs)
    if result["score"] is not None:
        assert 0 <= result["score"] <= national.max_points + national.bonus_max
        assert 0 <= result["bonus"] <= national.bonus_max


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(findings=st.lists(FINDINGS, max_size=40), extra=FINDINGS, at=st.integers(0, 40),
       category=CATEGORY, bonus=st.integers(0, 10))  # fmt: skip
def test_adding_a_finding_never_raises_the_score(national, findings, extra, at, category, bonus):
    inputs = SiteInputs(manual={"bonus.innovation": bonus})
    before = score_site(national, site(*findings, category=category), inputs)["score"]
    findings.insert(min(at, len(findings)), extra)
    after = score_site(national, site(*findings, category=category), inputs)["score"]
    low = float("-inf")
    assert (low if after is None else after) <= (low if before is None else before)
