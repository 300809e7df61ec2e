"""Evaluate sites: crawl them with the page analyser, run every check, collect findings.

With ``processes > 1`` the sites are dealt round-robin to that many worker processes (one
per core), each crawling its share into its own job directory; a link from one shard's site
to another's is not requested twice but answered, after the crawls, from the crawl that
fetched it. Each site's checks then run in whichever process is free. The parent only
dispatches, gathers results and prints progress. A killed run continues with ``resume``
on the same job dir.
"""

from __future__ import annotations

import asyncio
import gc
import multiprocessing
import os
import sys
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from govsite.checks import CheckConfig, SiteChecks
from govsite.checks.facts import PageAnalyser
from govsite.crawler import CrawlSettings, SiteCrawl, crawl_sites, resolve_deferred
from govsite.crawler.results import site_view
from govsite.evaluation.sites import SiteSpec

# Counters from the crawl worth keeping in RESULT.json (the rest stay in the job database).
KEPT_STATS = (
    "crawl/page/done",
    "crawl/check/done",
    "crawl/page/truncated",
    "crawl/robots/forbidden",
)


@dataclass(frozen=True)
class EvaluateOptions:
    today: date
    job_dir: Path
    max_pages: int = 10_000
    concurrency: int = 64  # requests in flight over all sites of one process
    per_host: int = 2  # requests in flight per site
    delay: float = 0.5  # seconds between requests to one site
    processes: int = 1
    skip_hosts: frozenset[str] = frozenset()  # external hosts never requested
    check_tls: bool = True
    config: CheckConfig = field(default_factory=CheckConfig)

    def crawl_settings(self) -> CrawlSettings:
        return CrawlSettings(
            max_pages=self.max_pages,
            global_concurrency=self.concurrency,
            per_host_concurrency=self.per_host,
            per_host_delay=self.delay,
            site_workers=max(8, self.per_host * 2),
            skip_check_hosts=self.skip_hosts,
            # The one-URL-shape trap guard must not cut a site below --max-pages: a portal
            # can have 10,000 articles all shaped /art/2025/…/art_N.html.
            max_urls_per_pattern=max(CrawlSettings().max_urls_per_pattern, self.max_pages),
        )


class Progress:
    """Pages crawled and sites finished, shared between worker processes and the parent."""

    def __init__(self, shards: int, total_sites: int, stream=sys.stderr):
        context = multiprocessing.get_context("fork")
        self.pages = context.Array("q", shards, lock=False)
        self.sites = context.Array("q", shards, lock=False)
        self.total_sites = total_sites
        self.started = time.monotonic()
        self.shown = 0.0  # when tick() last showed the line
        self.stream = stream
        self.parent = os.getpid()

    def line(self) -> str:
        pages, sites = sum(self.pages), sum(self.sites)
        rate = pages / max(time.monotonic() - self.started, 1e-9)
        return f"站点 {sites}/{self.total_sites} 完成，已抓取 {pages} 页，{rate:.0f} 页/秒"

    def tick(self) -> None:
        """``show()`` at most once a second (the pool wakes whenever a task ends)."""
        now = time.monotonic()
        if now - self.shown >= 1.0:
            self.shown = now
            self.show()

    def show(self, final: bool = False) -> None:
        if self.stream is not None:
            end = "\n" if final or not self.stream.isatty() else "\r"
            self.stream.write(self.line() + end)
            self.stream.flush()


_progress: Progress | None = None  # inherited by forked workers


@contextmanager
def rare_gc_passes(young: int = 50_000):
    """Run the cyclic garbage collector every ``young`` new container objects instead of 700.

    A crawl allocates millions of short-lived containers (parsed nodes, links, rows) that
    reference counting frees at once; with Python's default threshold the collector still ran
    ~2,500 times per 20,000 pages (19 of them full passes over everything alive: caches,
    seen URLs), a tenth of the CPU; with 50,000 it runs ~10 times, for +1 MB. The little
    cyclic garbage a crawl makes (exceptions, aiohttp objects) waits a little longer. The
    previous thresholds come back afterwards.
    """
    before = gc.get_threshold()
    gc.set_threshold(young, *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


@rare_gc_passes()
def evaluate_shard(specs: list[SiteSpec], options: EvaluateOptions, shard: int) -> list[dict]:
    """Crawl and check one share of the sites in this process."""
    return [
        finish_site(spec, crawl, read_site(spec, crawl, options), options)
        for spec, crawl in crawl_shard(specs, options, shard)
    ]


@rare_gc_passes()
def crawl_shard(
    specs: list[SiteSpec], options: EvaluateOptions, shard: int, elsewhere: list[str] = ()
) -> list[tuple[SiteSpec, SiteCrawl]]:
    """Crawl one share of the sites into ``<job_dir>/shard-N``. ``elsewhere``: start URLs the
    other shards crawl (links to them are checked after the crawl, from those crawls)."""
    job_dir = options.job_dir / f"shard-{shard}"
    analyser = PageAnalyser(options.today, options.config)

    def on_pages(done: int, _rate: float) -> None:
        if _progress is not None:
            _progress.pages[shard] = done
            if os.getpid() == _progress.parent:  # one process: no parent loop to print it
                _progress.show()

    def on_site(_crawl) -> None:
        if _progress is not None:
            _progress.sites[shard] += 1

    crawls = run_async(
        crawl_sites(
            [s.url for s in specs],
            options.crawl_settings(),
            job_dir,
            analyse=analyser,
            progress=on_pages,
            site_done=on_site,
            crawled_elsewhere=elsewhere,
        )  # fmt: skip
    )
    return list(zip(specs, crawls, strict=True))


@rare_gc_passes()
def read_site(spec: SiteSpec, crawl: SiteCrawl, options: EvaluateOptions) -> SiteChecks:
    """The checks' first step: every working page of the site, read back from its crawl."""
    checks = SiteChecks(spec.name, crawl.start_url, options.today, options.config)
    checks.read(crawl)
    return checks


def finish_site(
    spec: SiteSpec,
    crawl: SiteCrawl,
    checks: SiteChecks,
    options: EvaluateOptions,
    owner_dirs: list[Path] = (),
) -> dict:
    """The site's RESULT.json entry: the deferred checks answered from ``owner_dirs`` (the
    other shards' job directories, whose crawls must have ended), then the checks finished.

    Deferred checks are looked for even without ``owner_dirs``: a run resumed with another
    ``--processes`` finds them in its job directory, answered from whatever shard directory
    crawled their site, or checked now."""
    if not owner_dirs:
        owner_dirs = [d for d in crawl.job_dir.parent.glob("shard-*") if d != crawl.job_dir]
    settings = options.crawl_settings()
    if run_async(resolve_deferred(crawl.job_dir, crawl.site_id, owner_dirs, settings)):
        crawl = site_view(crawl.job_dir, crawl.site_id)  # counts and stats now include them
    findings = checks.finish(crawl)
    if options.check_tls and crawl.state != "failed":
        findings.extend(tls_findings(spec.url, options))
    return {
        **spec.as_dict(),
        "pages_crawled": crawl.pages_done,
        "links_checked": crawl.checks_done,
        "crawl": {"state": crawl.state, "job": str(crawl.job_dir), "seconds": round(crawl.elapsed, 2),
                  "stats": {k: crawl.stats[k] for k in KEPT_STATS if k in crawl.stats}},
        "findings": findings,
    }  # fmt: skip


def run_async(coroutine):
    """uvloop's event loop when installed (the crawl spends a fifth of its CPU in the event
    loop and aiohttp's transport; uvloop roughly halves that), else asyncio's."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coroutine)
    return uvloop.run(coroutine)


def _evaluate_sharded(dealt: list[list[SiteSpec]], options: EvaluateOptions) -> list[dict]:
    """One crawl per shard in a pool of as many processes. As soon as a shard's crawl ends,
    its sites' pages are read for the checks in whichever process is free (so a process
    whose crawl ended first works while the other still crawls); each site is finished once
    every crawl has ended, since its deferred checks are answered from the other shards'."""
    shards = len(dealt)
    dirs = [options.job_dir / f"shard-{i}" for i in range(shards)]
    context = multiprocessing.get_context("fork")  # workers inherit the shared counters
    with ProcessPoolExecutor(shards, mp_context=context) as pool:
        crawling = {
            pool.submit(crawl_shard, dealt[i], options, i, _others(dealt, i)): i for i in range(shards)
        }  # fmt: skip
        reading: dict = {}  # future -> (spec, crawl, shard)
        finishing: dict = {}  # spec.url -> future
        read: list[tuple] = []  # (spec, crawl, checks, shard), waiting for the crawls to end
        pending = set(crawling)
        crawls_left = shards
        while pending:  # wake as soon as something ends, not on the next tick
            _progress.tick()
            done, pending = wait(pending, timeout=1.0, return_when=FIRST_COMPLETED)
            for future in done:
                if future in crawling:
                    crawls_left -= 1
                    for spec, crawl in future.result():
                        task = pool.submit(read_site, spec, crawl, options)
                        reading[task] = (spec, crawl, crawling[future])
                        pending.add(task)
                elif future in reading:
                    spec, crawl, shard = reading.pop(future)
                    read.append((spec, crawl, future.result(), shard))
            if crawls_left == 0:
                for spec, crawl, checks, shard in read:
                    owners = [d for j, d in enumerate(dirs) if j != shard]
                    task = pool.submit(finish_site, spec, crawl, checks, options, owners)
                    finishing[spec.url] = task
                    pending.add(task)
                read.clear()
        return [finishing[spec.url].result() for specs in dealt for spec in specs]


def _others(dealt: list[list[SiteSpec]], shard: int) -> list[str]:
    return [spec.url for i, specs in enumerate(dealt) if i != shard for spec in specs]


def tls_findings(url: str, options: EvaluateOptions) -> list[dict]:
    """no_https / tls_invalid for the site; nothing when the host stopped answering since the
    crawl (that is the availability probe's finding, not a certificate problem)."""
    from govsite.checks.tls import Unreachable, check_tls

    try:
        return check_tls(url, options.today, warn_days=options.config.tls_warn_days)
    except Unreachable:
        return []


def evaluate(specs: list[SiteSpec], options: EvaluateOptions, stream=sys.stderr) -> dict:
    """Evaluate every site; the document written as RESULT.json."""
    global _progress
    shards = max(1, min(options.processes, len(specs)))
    dealt = [specs[i::shards] for i in range(shards)]
    _progress = Progress(shards, len(specs), stream)
    started = datetime.now(UTC)
    try:
        if shards == 1:
            results = evaluate_shard(dealt[0], options, 0)
        else:
            results = _evaluate_sharded(dealt, options)
        _progress.show(final=True)
    finally:
        _progress = None
    by_url = {site["url"]: site for site in results}
    return {
        "evaluated_at": started.isoformat(timespec="seconds"),
        "today": options.today.isoformat(),
        "generator": f"govsite evaluate (pid {os.getpid()})",
        "job_dir": str(options.job_dir),
        "sites": [by_url[spec.url] for spec in specs],
    }
