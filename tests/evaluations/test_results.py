"""Stored evaluation results: imported whole with their evidence, shown to each user only
for the websites they may see, snapshots served so no page script can run."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from govsite.core.models import AuditEntry
from govsite.crawler.evidence import BLOB_SCHEMA, DB_NAME, EvidenceWriter
from govsite.evaluations.importer import ResultFileError, import_result
from govsite.evaluations.models import EvaluationRun, Finding, Snapshot


def write_job(tmp_path, bodies: list[bytes]) -> tuple:
    """A crawl job holding evidence blobs, written the way the crawler writes them."""
    import sqlite3

    job = tmp_path / "job"
    job.mkdir()
    conn = sqlite3.connect(job / DB_NAME)
    conn.execute(BLOB_SCHEMA)
    writer, hashes = EvidenceWriter(), []
    for body in bodies:
        digest, row = writer.prepare(body)
        conn.execute("INSERT INTO blobs VALUES (?,?,?)", row)
        hashes.append(digest)
    conn.commit()
    conn.close()
    return job, hashes


@pytest.fixture
def result_file(tmp_path, tree):
    page = '<html><meta charset="gbk"><script>alert(1)</script>旧页面</html>'.encode("gbk")
    job, [sha] = write_job(tmp_path, [page])
    document = {
        "evaluated_at": "2025-11-20T08:00:00+00:00", "today": "2025-11-20", "job_dir": str(job),
        "sites": [
            {"name": "教育局网站", "url": "https://jyj.shifan.example/", "unit": "示范市教育局",
             "category": "city_department", "pages_crawled": 12, "links_checked": 30,
             "crawl": {"state": "finished", "job": str(job), "seconds": 1.2},
             "findings": [
                 {"code": "broken_link", "url": "https://jyj.shifan.example/x", "page": "p",
                  "pages": ["p"], "evidence": {"status": 404, "snapshot": sha}},
                 {"code": "missing_item", "item": "english"},
             ]},
            {"name": "财政局网站", "url": "https://czj.shifan.example/", "unit": "示范市财政局",
             "category": "city_department", "pages_crawled": 5, "findings": [
                 {"code": "homepage_stale", "url": "https://czj.shifan.example/",
                  "last_update": "2025-10-01", "evidence": {}}]},
        ],
    }  # fmt: skip
    path = tmp_path / "RESULT.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


def test_import_links_sites_to_the_registry_and_copies_evidence(result_file, tree):
    run = import_result(result_file)
    jyj = run.sites.get(name="教育局网站")
    assert jyj.website.unit == tree.edu and jyj.finding_count == 2
    broken = Finding.objects.get(code="broken_link")
    assert "旧页面" in broken.snapshot.content().decode("gbk")
    assert AuditEntry.objects.filter(action="evaluations.import").exists()


def test_a_malformed_result_changes_nothing(tmp_path, db):
    bad = tmp_path / "bad.json"
    bad.write_text('{"sites": [', encoding="utf-8")
    with pytest.raises(ResultFileError):
        import_result(bad)
    assert EvaluationRun.objects.count() == 0


def test_unit_staff_see_only_their_own_websites_results(client, personas, result_file):
    run = import_result(result_file)
    client.force_login(personas.edu_officer)
    page = client.get(reverse("evaluations:run", args=[run.pk])).content.decode()
    assert "教育局网站" in page and "财政局网站" not in page
    fin_site = run.sites.get(name="财政局网站")
    assert client.get(reverse("evaluations:site", args=[fin_site.pk])).status_code == 404


def test_evaluator_sees_every_site_with_findings_in_chinese(client, personas, result_file):
    run = import_result(result_file)
    client.force_login(personas.evaluator)
    page = client.get(reverse("evaluations:run", args=[run.pk])).content.decode()
    assert "教育局网站" in page and "财政局网站" in page and "链接不可用" in page
    site = run.sites.get(name="教育局网站")
    detail = client.get(reverse("evaluations:site", args=[site.pk])).content.decode()
    assert "英文版" in detail and "页面快照" in detail


def test_snapshot_is_served_sandboxed(client, personas, result_file):
    import_result(result_file)
    finding = Finding.objects.get(code="broken_link")
    client.force_login(personas.edu_officer)
    response = client.get(reverse("evaluations:snapshot", args=[finding.pk]))
    assert response.status_code == 200 and "旧页面" in response.content.decode("utf-8")
    assert response["Content-Type"] == "text/html; charset=utf-8"  # GBK page shown readable
    assert response["Content-Security-Policy"].startswith("sandbox")
    client.force_login(personas.fin_officer)
    assert client.get(reverse("evaluations:snapshot", args=[finding.pk])).status_code == 404


def test_identical_evidence_is_stored_once(result_file, tree):
    import_result(result_file)
    import_result(result_file)
    assert Snapshot.objects.count() == 1 and EvaluationRun.objects.count() == 2


def test_an_expert_reads_the_results_of_the_websites_assigned_to_them(
    client, personas, result_file
):
    from govsite.assessments.models import ExpertAssignment

    run = import_result(result_file)
    edu_site, fin_site = run.sites.get(name="教育局网站"), run.sites.get(name="财政局网站")
    client.force_login(personas.expert)
    assert client.get(reverse("evaluations:site", args=[edu_site.pk])).status_code == 404
    assignment = ExpertAssignment.objects.create(expert=personas.expert, year=2025,
                                                 website=edu_site.website)  # fmt: skip
    page = client.get(reverse("evaluations:run", args=[run.pk])).content.decode()
    assert "教育局网站" in page and "财政局网站" not in page
    assert client.get(reverse("evaluations:site", args=[edu_site.pk])).status_code == 200
    assert client.get(reverse("evaluations:site", args=[fin_site.pk])).status_code == 404
    assignment.is_active = False  # withdrawn: the results are closed to them again
    assignment.save()
    assert client.get(reverse("evaluations:site", args=[edu_site.pk])).status_code == 404
