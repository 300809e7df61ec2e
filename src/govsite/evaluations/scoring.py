"""Scoring a stored run with the rulebook engine (govsite.scoring), and publishing it.

The engine is Django-free and works on RESULT.json-shaped dicts; this module gathers what it
needs from the database — the findings of each site, a week of availability probes, the
latest expert and manual entries, the public's answers, message-handling rates (no data
until the message system exists) — and writes the scores back. A published run is frozen.
"""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from govsite.assessments.service import latest_scores, public_deductions
from govsite.core.audit import record
from govsite.evaluations.models import EvaluationRun, Finding, SiteEvaluation
from govsite.monitoring.availability import availability
from govsite.scoring import SiteInputs, load_ruleset, rank, score_site

SHANGHAI = ZoneInfo("Asia/Shanghai")


class RunPublished(Exception):
    """A published run cannot change; a correction is a new run."""


def site_document(site: SiteEvaluation) -> dict:
    findings = [f.detail for f in site.findings.order_by("position", "id")]
    return {"name": site.name, "url": site.url, "unit": site.unit_name,
            "category": site.category, "findings": findings}  # fmt: skip


def message_rates(site: SiteEvaluation) -> dict | None:
    """Message-handling rates of the site's unit (seed 004 art.21): reply rate, on-time rate,
    satisfaction, each 0–1, over the messages received in the twelve months up to and
    including the run's day. None = no data (no messages for the unit)."""
    from govsite.messaging.stats import rates_for_scoring, year_before

    unit = site.website.unit if site.website is not None else None
    today = site.run.today
    return rates_for_scoring(unit, year_before(today), today)


def inputs_for(site: SiteEvaluation, ruleset) -> SiteInputs:
    website = site.website
    if website is None:  # a site not in the registry: only the crawl's own findings
        return SiteInputs()
    check_point = datetime.combine(site.run.today, time(0), SHANGHAI)
    probes = availability(website, end=check_point)
    return SiteInputs(
        availability=None if probes.vetoed is None
        else {"probes": probes.probes, "failures": probes.failures},
        expert=latest_scores(website, ruleset.id, "expert") or None,
        manual=latest_scores(website, ruleset.id, "manual") or None,
        public=public_deductions(website, ruleset, site.run.today.year),
        messages=message_rates(site),
    )  # fmt: skip


def _finding_points(site: SiteEvaluation, scored: dict, ruleset) -> list[Finding]:
    """Give each finding the indicator it was deducted under and its share of the points
    (per occurrence, until the indicator's cap is used up)."""
    indicators = {i.id: i for i in ruleset.indicators}
    findings = list(site.findings.order_by("position", "id"))
    for f in findings:
        f.indicator, f.points = "", None
    for deduction in scored.get("deductions", []):
        left = deduction["points"]
        per = getattr(indicators.get(deduction["indicator"]), "per", None) or left
        for index in deduction.get("findings", []):
            if 0 <= index < len(findings):
                share = round(min(per, max(left, 0)), 2)
                findings[index].indicator = deduction["indicator"]
                findings[index].points = share
                left -= share
    for veto in scored.get("vetoes", []):
        for index in veto.get("findings", []):
            if 0 <= index < len(findings) and not findings[index].indicator:
                findings[index].indicator = veto["indicator"]
    return findings


def score_run(run: EvaluationRun, ruleset_id: str | None = None, actor=None) -> EvaluationRun:
    """(Re)score every site of a draft run under ``ruleset_id`` (default: the run's, else
    the installation's default ruleset)."""
    if run.is_published:
        raise RunPublished(f"检查批次 {run} 已发布，不能重新评分；更正请新建批次")
    ruleset = load_ruleset(ruleset_id or run.ruleset or settings.GOVSITE_DEFAULT_RULESET)
    sites = list(run.sites.select_related("website__unit", "run"))
    scored_sites = []
    with transaction.atomic():
        for site in sites:
            document = site_document(site)
            document.update(score_site(ruleset, document, inputs_for(site, ruleset)))
            scored_sites.append(document)
            for field in ("score", "passed", "deducted", "bonus", "vetoes", "deductions",
                          "sources", "no_data"):  # fmt: skip
                setattr(site, field, document.get(field))
            Finding.objects.bulk_update(
                _finding_points(site, document, ruleset), ["indicator", "points"]
            )
        ranks = {}
        for entries in rank(scored_sites, ruleset).values():
            for entry in entries:
                ranks[entry["url"]] = entry["rank"]
        for site in sites:
            site.rank = ranks.get(site.url)
        SiteEvaluation.objects.bulk_update(
            sites, ["score", "passed", "deducted", "bonus", "vetoes", "deductions", "sources",
                    "no_data", "rank"],
        )  # fmt: skip
        run.ruleset, run.ruleset_name = ruleset.id, ruleset.name
        run.scoring = ruleset.summary()
        run.save(update_fields=["ruleset", "ruleset_name", "scoring"])
        record(actor, "evaluations.score", run, ruleset=ruleset.id, sites=len(sites))
    return run


def publish_run(run: EvaluationRun, actor) -> EvaluationRun:
    """Freeze the run, publish its bulletin, open a rectification item per finding."""
    from govsite.rectification.service import open_items_for_run

    with transaction.atomic():
        locked = EvaluationRun.objects.select_for_update().get(pk=run.pk)
        if locked.is_published:
            raise RunPublished(f"检查批次 {run} 已经发布")
        if not locked.ruleset:
            score_run(locked, actor=actor)
        locked.status = EvaluationRun.Status.PUBLISHED
        locked.published_at = timezone.now()
        locked.published_by = actor if getattr(actor, "is_authenticated", False) else None
        locked.save(update_fields=["status", "published_at", "published_by"])
        items = open_items_for_run(locked)
        record(actor, "evaluations.publish", locked, rectification_items=len(items))
    return locked


def previous_run(run: EvaluationRun) -> EvaluationRun | None:
    """The run before this one that evaluated any of the same websites."""
    website_ids = run.sites.exclude(website=None).values_list("website_id", flat=True)
    return (
        EvaluationRun.objects.filter(sites__website_id__in=website_ids)
        .filter(evaluated_at__lt=run.evaluated_at)
        .order_by("-evaluated_at", "-id")
        .distinct()
        .first()
    )
