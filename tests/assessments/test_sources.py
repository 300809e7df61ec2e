"""The human sources: experts score only sites assigned to them, inspectors score manual
indicators, the public rates each site once in the yearly window; the run takes the latest
entries and a source with no entries is "no data", never zero."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from govsite.assessments.models import ExpertAssignment, IndicatorScore, PublicSurvey
from govsite.assessments.service import (
    EntryError,
    enter_scores,
    latest_scores,
    public_deductions,
    submit_rating,
)
from govsite.evaluations.importer import import_result
from govsite.evaluations.scoring import score_run
from govsite.scoring import load_ruleset

RULESET = load_ruleset("shanghai-2003")  # the ruleset with all three sources weighted


def indicator(source: str):
    return next(i for i in RULESET.indicators if i.source == source)


@pytest.fixture
def edu_site(tree):
    return tree.edu.websites.get()


def test_expert_sees_and_scores_only_assigned_sites(client, personas, edu_site, tree):
    year = timezone.localdate().year
    ExpertAssignment.objects.create(expert=personas.expert, website=edu_site, year=year)
    other = tree.fin.websites.get()
    client.force_login(personas.expert)
    page = client.get(reverse("assessments:expert") + "?ruleset=shanghai-2003").content.decode()
    assert edu_site.name in page and other.name not in page
    target = indicator("expert")
    url = reverse("assessments:expert_score", args=[edu_site.pk]) + "?ruleset=shanghai-2003"
    client.post(url, {target.id: "1.5", "comment": "栏目更新较慢"})
    assert latest_scores(edu_site, "shanghai-2003", "expert") == {target.id: 1.5}
    other_url = reverse("assessments:expert_score", args=[other.pk]) + "?ruleset=shanghai-2003"
    assert client.post(other_url, {target.id: "1"}).status_code == 403


def test_a_value_above_the_indicators_points_is_refused_and_nothing_stored(personas, edu_site):
    target = indicator("expert")
    with pytest.raises(EntryError):
        enter_scores(personas.admin, edu_site, RULESET, "expert", {target.id: target.points + 1})
    assert IndicatorScore.objects.count() == 0


def test_the_latest_entry_wins_and_history_is_kept(personas, edu_site):
    target = indicator("manual")
    enter_scores(personas.evaluator, edu_site, RULESET, "manual", {target.id: 1})
    enter_scores(personas.supervisor, edu_site, RULESET, "manual", {target.id: 0.5})
    assert latest_scores(edu_site, RULESET.id, "manual") == {target.id: 0.5}
    assert IndicatorScore.objects.count() == 2


def test_unit_staff_cannot_enter_manual_scores(client, personas, edu_site):
    client.force_login(personas.edu_officer)
    assert client.get(reverse("assessments:manual_score", args=[edu_site.pk])).status_code == 403


@pytest.fixture
def survey(db):
    today = timezone.localdate()
    return PublicSurvey.objects.create(year=today.year, title="公众评议", ruleset="shanghai-2003",
                                       opens=date(today.year, 1, 1), closes=date(today.year, 12, 31))  # fmt: skip


def test_one_public_response_per_person_and_site(survey, edu_site):
    answers = {i.id: 4 for i in RULESET.indicators if i.source == "public"}
    submit_rating(survey, edu_site, "browser-1", "10.0.0.1", answers)
    with pytest.raises(EntryError, match="只能评价一次"):
        submit_rating(survey, edu_site, "browser-1", "10.0.0.2", answers)
    submit_rating(survey, edu_site, "browser-2", "10.0.0.3", answers)


def test_public_ratings_are_rate_limited_per_address(survey, edu_site, settings):
    settings.GOVSITE_PUBLIC_RATINGS_PER_HOUR = 2
    answers = {i.id: 5 for i in RULESET.indicators if i.source == "public"}
    submit_rating(survey, edu_site, "a", "10.9.9.9", answers)
    submit_rating(survey, edu_site, "b", "10.9.9.9", answers)
    with pytest.raises(EntryError, match="频繁"):
        submit_rating(survey, edu_site, "c", "10.9.9.9", answers)


def test_public_answers_outside_the_window_are_refused(survey, edu_site):
    survey.closes = survey.opens
    survey.opens = date(2000, 1, 1)
    survey.closes = date(2000, 12, 31)
    survey.save()
    with pytest.raises(EntryError, match="不在开放时间"):
        submit_rating(survey, edu_site, "a", "10.0.0.1", {})


def test_public_answers_become_deductions_in_proportion(survey, edu_site):
    target = next(i for i in RULESET.indicators if i.source == "public")
    submit_rating(survey, edu_site, "a", "10.0.0.1", {target.id: 5})
    submit_rating(survey, edu_site, "b", "10.0.0.2", {target.id: 1})
    assert public_deductions(edu_site, RULESET, survey.year)[target.id] == pytest.approx(
        target.points / 2
    )


def test_public_rating_page_needs_the_captcha(client, survey, edu_site):
    page = client.get(reverse("assessments:public_rate", args=[edu_site.pk]))
    assert page.status_code == 200 and "captcha" in page.content.decode()
    target = next(i for i in RULESET.indicators if i.source == "public")
    response = client.post(reverse("assessments:public_rate", args=[edu_site.pk]),
                           {f"q_{target.id}": "5", "captcha_0": "x", "captcha_1": "wrong"})  # fmt: skip
    assert response.status_code == 200 and edu_site.public_ratings.count() == 0


def test_a_run_takes_expert_and_public_scores_and_reports_missing_sources(
    tmp_path, personas, survey, edu_site
):
    document = {"evaluated_at": "2025-11-20T08:00:00+00:00", "today": "2025-11-20",
                "sites": [{"name": "教育局网站", "url": edu_site.url, "unit": "示范市教育局",
                           "category": "city_department", "findings": []}]}  # fmt: skip
    path = tmp_path / "r.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    run = score_run(import_result(path), "shanghai-2003")
    site = run.sites.get()
    assert site.sources.get("expert") is None and site.sources.get("public") is None
    assert site.deducted == 0
    target = indicator("expert")
    enter_scores(personas.admin, edu_site, RULESET, "expert", {target.id: target.points})
    run = score_run(run, "shanghai-2003")
    site = run.sites.get()
    assert site.sources.get("expert") is not None
    assert site.deducted > 0


def test_an_inspector_can_veto_a_site_for_a_security_incident(personas, edu_site, tmp_path):
    national = load_ruleset("national-2019")
    veto = next(i for i in national.indicators if i.source == "manual" and i.kind == "veto")
    with pytest.raises(EntryError, match="单项否决"):
        enter_scores(personas.supervisor, edu_site, national, "manual", {veto.id: 0.5})
    enter_scores(personas.supervisor, edu_site, national, "manual", {veto.id: 1})
    document = {"evaluated_at": "2025-11-20T08:00:00+00:00", "today": "2025-11-20",
                "sites": [{"name": "教育局网站", "url": edu_site.url, "unit": "示范市教育局",
                           "category": "city_department", "findings": []}]}  # fmt: skip
    path = tmp_path / "r.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    site = score_run(import_result(path)).sites.get()
    assert site.passed is False and site.score is None
    assert [v["indicator"] for v in site.vetoes] == [veto.id]
