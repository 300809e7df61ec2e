"""A stored run as a scored RESULT.json-shaped document: what govsite.reports writes the
bulletin and the xlsx/docx/pdf exports from. Limited to the sites the caller may see."""

from __future__ import annotations

from collections import defaultdict

from govsite.evaluations.models import EvaluationRun, Finding


def run_document(run: EvaluationRun, sites) -> dict:
    sites = list(sites.select_related("website__unit").order_by("category", "rank", "name"))
    findings = defaultdict(list)
    for finding in Finding.objects.filter(site__in=sites).order_by("site", "position", "id"):
        findings[finding.site_id].append(finding.detail)
    entries = []
    ranking: dict[str, list[dict]] = defaultdict(list)
    for site in sites:
        entries.append({
            "name": site.name, "url": site.url, "unit": site.unit_name,
            "category": site.category, "pages_crawled": site.pages_crawled,
            "findings": findings[site.pk], "score": site.score, "passed": site.passed,
            "vetoes": site.vetoes, "deductions": site.deductions, "deducted": site.deducted,
            "bonus": site.bonus, "sources": site.sources, "no_data": site.no_data,
            "ruleset": run.ruleset,
        })  # fmt: skip
        ranking[site.category].append({
            "rank": site.rank, "name": site.name, "url": site.url, "unit": site.unit_name,
            "score": site.score, "deducted": site.deducted, "passed": bool(site.passed),
            "vetoed": bool(site.vetoes),
        })  # fmt: skip
    for rows in ranking.values():
        rows.sort(key=lambda r: (r["rank"] is None, r["rank"] or 0, r["name"]))
    return {
        "evaluated_at": run.evaluated_at.isoformat(),
        "today": run.today.isoformat(),
        "ruleset": run.scoring or {"id": run.ruleset, "name": run.ruleset_name},
        "sites": entries,
        "ranking": dict(ranking),
    }
