"""Daily supervision (日常监督, seed 000 art.10): crawl and check every registered website,
store the result as a draft run of the current period and score it."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from django.conf import settings

from govsite.checks import CheckConfig
from govsite.evaluation.run import EvaluateOptions, evaluate
from govsite.evaluation.sites import SiteSpec
from govsite.evaluations.importer import import_result
from govsite.evaluations.models import EvaluationRun
from govsite.evaluations.scoring import score_run
from govsite.registry.models import Website
from govsite.scoring.command import write_json


def registered_sites(website_ids: list[int] | None = None) -> list[SiteSpec]:
    sites = Website.objects.filter(is_active=True, unit__is_active=True).select_related(
        "unit__category"
    )
    if website_ids:
        sites = sites.filter(pk__in=website_ids)
    return [SiteSpec(name=w.name, url=w.url, unit=w.unit.name,
                     category=w.unit.category.code if w.unit.category_id else "")
            for w in sites.order_by("pk")]  # fmt: skip


def supervise(
    today: date, *, website_ids: list[int] | None = None, max_pages: int = 2_000,
    processes: int = 1, delay: float = 0.5, per_host: int = 2,
    skip_hosts: frozenset[str] = frozenset(), ruleset: str | None = None, stream=sys.stderr,
    note: str = "日常监督",
) -> EvaluationRun:  # fmt: skip
    specs = registered_sites(website_ids)
    if not specs:
        raise ValueError("没有在用的网站可检查")
    results = Path(settings.DATA_DIR) / "results"
    results.mkdir(parents=True, exist_ok=True)
    stamp = today.isoformat()
    options = EvaluateOptions(
        today=today, job_dir=results / f"supervision-{stamp}.crawl", max_pages=max_pages,
        processes=processes, delay=delay, per_host=per_host, skip_hosts=skip_hosts,
        config=CheckConfig(),
    )  # fmt: skip
    document = evaluate(specs, options, stream=stream)
    out = results / f"supervision-{stamp}.json"
    write_json(out, document)
    run = import_result(out, note=note)
    return score_run(run, ruleset)
