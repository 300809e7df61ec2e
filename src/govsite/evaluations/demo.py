"""The main job on the embedded default: generate and serve the bundled demo government
websites, register them under the demo city's units, evaluate them and store the result."""

from __future__ import annotations

import shutil
import sys
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.conf import settings
from django.db import transaction

from govsite.checks import CheckConfig
from govsite.demosites import generate, serve
from govsite.demosites.ports import free_base_port
from govsite.evaluation.run import EvaluateOptions, evaluate
from govsite.evaluation.sites import read_sites
from govsite.evaluations.bulletins import draft_for
from govsite.evaluations.importer import import_result
from govsite.evaluations.models import EvaluationRun
from govsite.evaluations.scoring import score_run
from govsite.registry.models import Unit, UnitCategory, Website
from govsite.scoring.command import write_json

PREFERRED_BASE_PORT = 18101
# The demo sites link their 党政机关 badge to the real verification service; offline we
# record those links but never request them.
OFFLINE_HOSTS = frozenset({"bszs.conac.cn"})


@dataclass
class DemoEvaluation:
    run: EvaluationRun
    sites_csv: Path
    result: Path


def _base_port() -> int:
    try:
        return free_base_port(PREFERRED_BASE_PORT, PREFERRED_BASE_PORT + 1)
    except RuntimeError:
        return free_base_port()


@transaction.atomic
def register_demo_sites(sites_csv: Path) -> int:
    """Attach each demo site to the registry unit of the same name (creating the unit under
    the city government when the demo registry lacks it). Re-running updates, never adds."""
    city = Unit.objects.filter(parent=None).order_by("pk").first()
    other = UnitCategory.objects.get(code="other")
    count = 0
    for spec in read_sites(sites_csv):
        unit = Unit.objects.filter(name=spec.unit).first()
        if unit is None:
            category = UnitCategory.objects.filter(code=spec.category).first() or other
            unit = Unit.objects.create(code=f"DEMO-{spec.unit}"[:40], name=spec.unit,
                                       parent=city, category=category)  # fmt: skip
        name = f"{spec.name}（演示站点）"
        site = (
            Website.objects.filter(url=spec.url).first()
            or Website.objects.filter(unit=unit, name=name).first()
            or Website(url=spec.url)
        )
        site.unit, site.name, site.url = unit, name, spec.url
        site.save()
        count += 1
    return count


def prepare_human_sources(sites_csv: Path, year: int) -> None:
    """The demo expert (zhuanjia) is assigned three demo sites, and the year's public
    evaluation window (Q4) exists, so both entry pages have something to show."""
    from django.contrib.auth import get_user_model

    from govsite.assessments.models import ExpertAssignment, PublicSurvey

    PublicSurvey.objects.get_or_create(year=year, defaults={
        "title": f"{year}年度政府网站网上公众评议", "ruleset": settings.GOVSITE_DEFAULT_RULESET,
    })  # fmt: skip
    expert = get_user_model().objects.filter(username="zhuanjia").first()
    if expert is None:
        return
    urls = [spec.url for spec in read_sites(sites_csv)][:3]
    for website in Website.objects.filter(url__in=urls):
        ExpertAssignment.objects.get_or_create(expert=expert, website=website, year=year)


def evaluate_demo(
    stack: ExitStack, today: date | None = None, processes: int = 2, stream=sys.stderr
) -> DemoEvaluation:
    """Generate, serve (until ``stack`` closes), register, evaluate and import the demo sites."""
    today = today or date.today()
    root = Path(settings.DATA_DIR) / "demosites" / today.isoformat()
    if root.exists():
        shutil.rmtree(root)  # generated content only: regenerated for the free port found now
    manifest = generate(root, today, base_port=_base_port())
    stack.enter_context(serve(manifest.out_dir))
    sites_csv = manifest.out_dir / "sites.csv"
    register_demo_sites(sites_csv)
    prepare_human_sources(sites_csv, today.year)
    results = Path(settings.DATA_DIR) / "results"
    results.mkdir(exist_ok=True)
    out = results / f"demo-{today.isoformat()}.json"
    options = EvaluateOptions(
        today=today, job_dir=results / f"demo-{today.isoformat()}.crawl", delay=0.0,
        per_host=8, processes=processes, skip_hosts=OFFLINE_HOSTS, config=CheckConfig(),
    )  # fmt: skip
    shutil.rmtree(options.job_dir, ignore_errors=True)  # a fresh crawl each demo run
    document = evaluate(read_sites(sites_csv), options, stream=stream)
    write_json(out, document)
    run = score_run(import_result(out, note="演示站点检查"))
    draft_for(run)  # the bulletin draft the evaluator edits before publishing
    return DemoEvaluation(run=run, sites_csv=sites_csv, result=out)
