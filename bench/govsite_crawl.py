"""Stand-in for ``govsite evaluate`` while that command does not exist yet: the crawler alone.

    .venv/bin/python bench/govsite_crawl.py SITES.csv --out RESULT.json \
        --max-pages N --concurrency N --processes N

Reads ``sites.csv`` (``name,url,unit,category``), shards the sites over ``--processes``
processes (round robin), each running ``govsite.crawler.crawl_sites`` with throttles lifted
(``CrawlSettings.unthrottled``; robots.txt, retries, evidence store, SQLite all on) into its own
job directory. Writes the same shape as ``govsite evaluate``'s RESULT.json as far as the bench
reads it: ``sites[].pages_crawled`` and ``sites[].findings[]`` with
``{"code": "broken_link", "url": TARGET, "pages": [...]}`` (every page or checked target that
answered >= 400 or failed: refused, timeout ...). No page checks run: this times crawl + link
check only, and bench/crawl.py labels the row so.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import multiprocessing as mp
import shutil
import sys
import tempfile
import time
from pathlib import Path


def _shard(args: tuple) -> list[dict]:
    urls, max_pages, concurrency, per_host, delay, job_root = args
    from govsite.crawler import CrawlSettings, crawl_sites

    settings = (
        CrawlSettings(
            max_pages=max_pages, max_urls_per_pattern=max(5000, max_pages * 2), max_checks=100_000
        )
        .unthrottled(concurrency)
        .replace(per_host_concurrency=per_host, per_host_delay=delay)
    )
    job_dir = Path(tempfile.mkdtemp(prefix="shard-", dir=job_root))
    crawls = asyncio.run(crawl_sites(urls, settings, job_dir))
    out = []
    for crawl in crawls:
        findings: dict[str, list[str]] = {}
        html = 0
        for rec in crawl.pages(max_referrers=5):
            if rec.error:
                findings[rec.url] = rec.referrers
            elif rec.status == 200:
                html += 1
        for rec in crawl.checked(max_referrers=5):
            if rec.error:
                findings[rec.url] = rec.found_on
        out.append(
            {
                "url": crawl.start_url,
                "state": crawl.state,
                "pages_crawled": html,
                "checks": crawl.checks_done,
                "findings": [
                    {"code": "broken_link", "url": u, "pages": p} for u, p in findings.items()
                ],
            }
        )
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("sites_csv")
    ap.add_argument("--out", required=True)
    ap.add_argument("--max-pages", type=int, default=10_000)
    ap.add_argument("--concurrency", type=int, default=64)
    ap.add_argument("--processes", type=int, default=1)
    ap.add_argument("--per-host", type=int, default=None, help="default: --concurrency")
    ap.add_argument("--delay", type=float, default=0.0)
    ap.add_argument("--today", help="accepted for CLI compatibility; unused")
    a = ap.parse_args(argv)
    with open(a.sites_csv, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    urls = [r["url"] for r in rows]
    n = max(1, min(a.processes, len(urls)))
    shards = [urls[i::n] for i in range(n)]
    job_root = tempfile.mkdtemp(prefix="govsite-bench-")
    t0 = time.perf_counter()
    try:
        jobs = [
            (s, a.max_pages, a.concurrency, a.per_host or a.concurrency, a.delay, job_root)
            for s in shards
        ]
        if n == 1:
            parts = [_shard(jobs[0])]
        else:
            with mp.get_context("fork").Pool(n) as pool:
                parts = pool.map(_shard, jobs)
    finally:
        shutil.rmtree(job_root, ignore_errors=True)
    by_url = {site["url"]: site for part in parts for site in part}
    sites = []
    for r in rows:
        site = by_url.get(r["url"]) or by_url.get(r["url"].rstrip("/") + "/") or {}
        sites.append({"name": r["name"], **site})
    result = {"tool": "govsite.crawler.crawl_sites (bench stand-in)",
              "elapsed_s": round(time.perf_counter() - t0, 3), "sites": sites}  # fmt: skip
    Path(a.out).write_text(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
