"""Store a RESULT.json of ``govsite evaluate`` in the database, with its evidence.

All or nothing: a malformed document changes nothing. Websites are matched to the
registry by URL; evidence bodies are copied from the crawl job into ``Snapshot`` rows so
they outlive the job directory.
"""

from __future__ import annotations

import json
import zlib
from datetime import date, datetime
from pathlib import Path

from django.db import transaction

from govsite.core.audit import record
from govsite.crawler import load_evidence
from govsite.evaluations.models import EvaluationRun, Finding, SiteEvaluation, Snapshot
from govsite.registry.models import Website


class ResultFileError(ValueError):
    pass


def _website_index() -> dict[str, Website]:
    return {site.url.rstrip("/"): site for site in Website.objects.all()}


def _snapshot(sha: str | None, job_dir: str | None) -> Snapshot | None:
    if not sha:
        return None
    existing = Snapshot.objects.filter(sha256=sha).first()
    if existing is not None:
        return existing
    if not job_dir:
        return None
    try:
        body = load_evidence(sha, job_dir)
    except (KeyError, FileNotFoundError, OSError, ValueError):
        return None
    return Snapshot.objects.create(sha256=sha, body=zlib.compress(body, 6), size=len(body))


def import_result(path: str | Path, actor=None, note: str = "") -> EvaluationRun:
    path = Path(path)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        sites = document["sites"]
        today = date.fromisoformat(document["today"])
        evaluated_at = datetime.fromisoformat(document["evaluated_at"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ResultFileError(f"{path}: 不是 govsite evaluate 的结果文件（{exc}）") from None
    websites = _website_index()
    with transaction.atomic():
        run = EvaluationRun.objects.create(
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
            evaluated_at=evaluated_at, today=today, source=path.name,
            job_dir=document.get("job_dir", ""), note=note,
        )  # fmt: skip
        for entry in sites:
            crawl = entry.get("crawl") or {}
            site = SiteEvaluation.objects.create(
                run=run, website=websites.get(entry["url"].rstrip("/")), name=entry["name"],
                url=entry["url"], unit_name=entry.get("unit", ""),
                category=entry.get("category", ""), pages_crawled=entry.get("pages_crawled", 0),
                links_checked=entry.get("links_checked", 0), crawl_state=crawl.get("state", ""),
                crawl_seconds=crawl.get("seconds"), finding_count=len(entry["findings"]),
            )  # fmt: skip
            Finding.objects.bulk_create(
                Finding(
                    site=site,
                    code=f["code"],
                    url=f.get("url") or "",
                    item=f.get("item") or "",
                    detail=f,
                    position=position,
                    snapshot=_snapshot((f.get("evidence") or {}).get("snapshot"), crawl.get("job")),
                )  # fmt: skip
                for position, f in enumerate(entry["findings"])
            )
        record(actor, "evaluations.import", run, file=str(path), sites=len(sites))
    return run
