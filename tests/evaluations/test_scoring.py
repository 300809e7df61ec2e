"""A stored run is scored with the rulebook, ranked per category, compared with the previous
run, and frozen once published: a correction is a new run."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.urls import reverse

from govsite.evaluations.importer import import_result
from govsite.evaluations.models import EvaluationRun
from govsite.evaluations.scoring import RunPublished, previous_run, publish_run, score_run
from govsite.rectification.models import RectificationItem


def write_result(tmp_path, today="2025-11-20", edu_findings=None, name="RESULT.json"):
    edu_findings = edu_findings if edu_findings is not None else [
        {"code": "broken_link", "url": "https://jyj.shifan.example/x", "page": "p", "pages": ["p"]},
        {"code": "missing_item", "item": "english"},
    ]  # fmt: skip
    document = {
        "evaluated_at": f"{today}T08:00:00+00:00", "today": today,
        "sites": [
            {"name": "教育局网站", "url": "https://jyj.shifan.example/", "unit": "示范市教育局",
             "category": "city_department", "findings": edu_findings},
            {"name": "财政局网站", "url": "https://czj.shifan.example/", "unit": "示范市财政局",
             "category": "city_department", "findings": [
                 {"code": "homepage_stale", "url": "https://czj.shifan.example/",
                  "last_update": "2025-10-01"}]},
        ],
    }  # fmt: skip
    path = tmp_path / name
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture
def run(tmp_path, tree):
    return score_run(import_result(write_result(tmp_path)))


def test_scoring_ranks_sites_and_a_veto_leaves_no_score(run):
    edu, fin = run.sites.get(name="教育局网站"), run.sites.get(name="财政局网站")
    assert run.ruleset == "national-2019" and run.ruleset_name
    assert fin.vetoes and fin.score is None and fin.passed is False
    assert edu.score is not None and edu.score < 100 and edu.passed
    assert (edu.rank, fin.rank) == (1, 2)
    broken = edu.findings.get(code="broken_link")
    assert broken.indicator and broken.points > 0


def test_every_deduction_points_to_findings_of_the_site(run):
    edu = run.sites.get(name="教育局网站")
    total = sum(d["points"] for d in edu.deductions)
    assert total == pytest.approx(edu.deducted)
    assert all(0 <= i < edu.finding_count for d in edu.deductions for i in d["findings"])


def test_a_published_run_cannot_be_rescored_or_published_again(run, personas):
    publish_run(run, personas.evaluator)
    run.refresh_from_db()
    assert run.is_published and run.published_by == personas.evaluator
    with pytest.raises(RunPublished):
        score_run(run, "shanghai-2003")
    with pytest.raises(RunPublished):
        publish_run(run, personas.evaluator)


def test_publishing_opens_one_rectification_item_per_finding_with_a_workday_deadline(run, personas):
    publish_run(run, personas.evaluator)
    items = RectificationItem.objects.all()
    assert items.count() == 3
    assert all(item.deadline > date.today() for item in items)
    assert items.filter(unit__name="示范市教育局").count() == 2
    # the unit's staff were told
    assert personas.edu_officer.notifications.filter(kind="rectification.opened").exists()


def test_the_other_ruleset_scores_the_total_deducted(run):
    score_run(run, "shanghai-2003")
    run.refresh_from_db()
    edu = run.sites.get(name="教育局网站")
    assert run.deduction_style and edu.deducted > 0
    assert edu.score == pytest.approx(edu.deducted)


def test_previous_run_is_the_earlier_one_of_the_same_websites(tmp_path, run):
    later = import_result(
        write_result(tmp_path, today="2025-12-20", edu_findings=[], name="b.json")
    )
    assert previous_run(later) == run
    assert previous_run(run) is None


def test_ranking_page_shows_scores_vetoes_and_change_since_previous_run(
    client, tmp_path, run, personas
):
    later = score_run(import_result(write_result(tmp_path, "2025-12-20", [], name="b.json")))
    client.force_login(personas.evaluator)
    page = client.get(reverse("evaluations:run", args=[later.pk])).content.decode()
    assert "首页不更新" in page or "单项否决" in page
    assert "100" in page and "较上次" in page


def test_only_the_evaluator_may_score_or_publish(client, run, personas):
    client.force_login(personas.edu_officer)
    assert client.post(reverse("evaluations:publish", args=[run.pk])).status_code == 403
    assert client.post(reverse("evaluations:score", args=[run.pk])).status_code == 403
    client.force_login(personas.evaluator)
    client.post(reverse("evaluations:publish", args=[run.pk]))
    assert EvaluationRun.objects.get(pk=run.pk).is_published


def test_public_results_show_only_published_runs(client, run, personas):
    page = client.get(reverse("public_results")).content.decode()
    assert "暂无已发布" in page
    publish_run(run, personas.evaluator)
    page = client.get(reverse("public_results")).content.decode()
    assert "教育局网站" in page and "财政局网站" in page


@pytest.mark.parametrize("fmt,magic", [("xlsx", b"PK"), ("docx", b"PK"), ("pdf", b"%PDF")])
def test_exports_hold_only_what_the_user_may_see(client, run, personas, fmt, magic):
    client.force_login(personas.edu_officer)
    response = client.get(reverse("evaluations:export", args=[run.pk, fmt]))
    assert response.status_code == 200 and response.content.startswith(magic)
    if fmt == "xlsx":
        import io

        from openpyxl import load_workbook

        cells = {str(c.value) for ws in load_workbook(io.BytesIO(response.content)).worksheets
                 for row in ws.iter_rows() for c in row}  # fmt: skip
        assert "教育局网站" in cells and "财政局网站" not in cells


def test_bulletin_draft_is_generated_edited_and_frozen_on_publish(client, run, personas):
    client.force_login(personas.evaluator)
    page = client.get(reverse("evaluations:bulletin", args=[run.pk])).content.decode()
    assert "通报" in page
    client.post(reverse("evaluations:bulletin", args=[run.pk]),
                {"title": "关于网站检查情况的通报", "body": "经检查，情况如下。"})  # fmt: skip
    assert run.bulletin.body == "经检查，情况如下。"
    publish_run(run, personas.evaluator)
    client.post(reverse("evaluations:bulletin", args=[run.pk]), {"title": "x", "body": "改动"})
    run.bulletin.refresh_from_db()
    assert run.bulletin.body == "经检查，情况如下。"
    public = client.get(reverse("public_results")).content.decode()
    assert "经检查，情况如下。" in public


def test_unit_staff_cannot_read_the_draft_bulletin(client, run, personas):
    client.force_login(personas.edu_officer)
    assert client.get(reverse("evaluations:bulletin", args=[run.pk])).status_code == 403


def test_dashboard_and_site_page_render_charts_and_points(client, run, personas):
    client.force_login(personas.evaluator)
    page = client.get(reverse("evaluations:dashboard", args=[run.pk])).content.decode()
    assert "echarts-5.6.0.min.js" in page and "ranking-option" in page
    edu = run.sites.get(name="教育局网站")
    page = client.get(reverse("evaluations:site", args=[edu.pk])).content.decode()
    assert "扣分明细" in page and "−" in page
