"""The crawl loop: ties http, robots, throttle, scope, links, store and evidence together.

Per site: a FIFO frontier (breadth-first) drained by ``site_workers`` coroutines. Internal
HTML pages are fetched with GET, stored as evidence, parsed and followed; everything else is
checked (HEAD-then-GET) and never followed. All sites of one :func:`crawl_sites` call share
one HTTP session, one throttle (global cap, per-origin caps), one robots.txt cache and one
cache of check results.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from govsite.pages.decode import decode_html

from .evidence import DB_NAME, EvidenceWriter
from .http import FetchResult, HttpClient, utc_now_iso
from .links import ATTACHMENT, IMAGE, PAGE, SCRIPT, STYLESHEET, Link
from .links import extract_links as default_extract_links
from .results import SiteCrawl, site_view
from .robots import RobotsCache
from .scope import Bounds, Scope
from .settings import CrawlSettings
from .stats import Stats
from .store import CHECK, CRAWL, DEFER, SKIP, JobStore, connect, site_row
from .throttle import Throttle
from .urls import UrlCache, fetch_form, origin, site_key

log = logging.getLogger(__name__)

LinkExtractor = Callable[[str, str], list[Link]]
ExtraUrls = Callable[[str, str], Iterable["str | Link"]]
ProgressCallback = Callable[[int, float], None]
# Reads one decoded internal page once: returns its links (replacing ``extract_links``) and a
# JSON-serialisable dict of facts stored with the page's result (None: nothing to store).
PageAnalyser = Callable[[str, str], tuple[list[Link], "dict | None"]]
_RESOURCE_KINDS = frozenset({IMAGE, STYLESHEET, SCRIPT})
# json.dumps(x, ensure_ascii=False, ...) builds a new encoder on every call (a third of the
# cost for a result's headers); these are built once and write the same text.
_to_json = json.JSONEncoder(ensure_ascii=False).encode
_facts_to_json = json.JSONEncoder(ensure_ascii=False, default=str).encode


class _Site:
    __slots__ = (
        "id", "start_url", "scope", "bounds", "stats", "seen", "queue", "pages_done",
        "checks_done", "probe_error", "started", "prior_elapsed",
    )  # fmt: skip

    def __init__(self, site_id: int, start_url: str, scope: Scope, bounds: Bounds, stats: Stats):
        self.id = site_id
        self.start_url = start_url
        self.scope = scope
        self.bounds = bounds
        self.stats = stats
        self.seen: dict[str, int] = {}  # canonical URL -> urls.id
        self.queue: asyncio.Queue[tuple[int, str, int, int]] = asyncio.Queue()
        self.pages_done = 0
        self.checks_done = 0
        self.probe_error: str | None = None
        self.started = time.monotonic()
        self.prior_elapsed = 0.0


class _Engine:
    def __init__(
        self,
        settings: CrawlSettings,
        store: JobStore,
        client: HttpClient,
        extract_links: LinkExtractor,
        extra_urls: ExtraUrls | None,
        analyse: PageAnalyser | None = None,
    ) -> None:
        self.settings = settings
        self.analyse = analyse
        self.store = store
        self.client = client
        self.robots = RobotsCache(client)
        self.extract_links = extract_links
        self.extra_urls = extra_urls
        self.urls = UrlCache(settings.url_cache_size, settings.attachment_extensions)
        self.evidence = EvidenceWriter(settings.evidence_level)
        self._checks: dict[str, FetchResult] = {}
        self._check_pending: dict[str, asyncio.Future[FetchResult]] = {}
        self.pages_done = 0
        self.checks_done = 0
        self.share_pages = False  # set by crawl_sites when several sites are crawled
        # Site keys that another process of the same run crawls: checks of their URLs wait
        # for that crawl (resolve_deferred) instead of each sending its own request.
        self.elsewhere: frozenset[str] = frozenset()

    # -- sites --------------------------------------------------------------------------------

    async def run_site(self, start_url: str) -> SiteCrawl:
        s = self.settings
        entry = self.urls.get(start_url)
        if entry is None:
            raise ValueError(f"not a crawlable http(s) URL: {start_url!r}")
        fetch_url, key, skey, _ = entry
        row = self.store.site_row(fetch_url)
        if row is not None and row["state"] != "running":
            return site_view(self.store.job_dir, row["id"])  # finished earlier: nothing to do
        stats = Stats()
        if row is None:
            site_id = self.store.create_site(fetch_url, [skey], utc_now_iso())
            scope = Scope(fetch_url, s)
            site = _Site(site_id, fetch_url, scope, Bounds(s), stats)
            self._seed(site, key, fetch_url)
        else:
            stats.merge(row["stats"])
            stats.inc("crawl/resumed")
            scope = Scope(fetch_url, s, set(row["site_keys"]))
            site = _Site(row["id"], fetch_url, scope, Bounds(s), stats)
            site.prior_elapsed = row["elapsed"] or 0.0
            self._resume(site)
            if key not in site.seen:  # killed between creating the site and its first URL
                self._seed(site, key, fetch_url)
        self.store.site_stats[site.id] = stats
        workers = [asyncio.create_task(self._worker(site)) for _ in range(s.site_workers)]
        try:
            await site.queue.join()
        finally:
            for task in workers:
                task.cancel()
            await asyncio.gather(*workers, return_exceptions=True)
        elapsed = site.prior_elapsed + time.monotonic() - site.started
        self.store.update_site(
            site.id,
            state="failed" if site.probe_error else "finished",
            probe_error=site.probe_error,
            finished_at=utc_now_iso(),
            elapsed=elapsed,
        )
        self.store.flush()
        del self.store.site_stats[site.id]
        return site_view(self.store.job_dir, site.id)

    def _seed(self, site: _Site, key: str, url: str) -> None:
        uid = self.store.new_id()
        site.seen[key] = uid
        site.bounds.accept_page(key)
        self.store.add_url((uid, site.id, key, url, CRAWL, PAGE, 0, 1, None, None))
        site.queue.put_nowait((uid, url, 0, CRAWL))
        self.store.flush()  # the site row and its first URL are on disk together

    def _resume(self, site: _Site) -> None:
        """Rebuild the frontier and the bound counters of an interrupted site."""
        requeued = 0
        for uid, key, url, action, _kind, depth, done in self.store.site_urls(site.id):
            site.seen[key] = uid
            if action == CRAWL:
                site.bounds.accept_page(key)
                site.pages_done += done
            elif action == CHECK or action == DEFER:
                site.bounds.checks += 1
                site.checks_done += done
            if (action == CRAWL or action == CHECK) and not done:
                site.queue.put_nowait((uid, url, depth, action))
                requeued += 1
            if depth == 0 and done:
                site.probe_error = self.store.result_error(uid)
        site.stats.inc("crawl/resume/requeued", requeued)

    async def _worker(self, site: _Site) -> None:
        queue = site.queue
        while True:
            uid, url, depth, action = await queue.get()
            try:
                if action == CRAWL:
                    await self._crawl_page(site, uid, url, depth)
                else:
                    await self._check(site, uid, url)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # a bug (e.g. in a plugged-in extractor) must not stop us
                log.exception("crawler error on %s", url)
                site.stats.inc(f"crawl/internal_error/{type(exc).__name__}")
                res = FetchResult(url=url, final_url=url, error="internal_error")
                self.store.add_result(self._result_row(uid, res, None, None, 0), None, None)
            finally:
                queue.task_done()

    # -- pages --------------------------------------------------------------------------------

    async def _crawl_page(self, site: _Site, uid: int, url: str, depth: int) -> None:
        s = self.settings
        stats = site.stats
        if s.obey_robots and not await self._robots_allow(site, url):
            res = FetchResult(url=url, final_url=url, error="robots", fetched_at=utc_now_iso())
            self._record(site, uid, res, None, None, 0, page=True)
            if depth == 0:
                site.probe_error = "robots"
            return
        deadline = time.monotonic() + s.home_timeout if depth == 0 else None
        res = await self.client.fetch(url, body="html", deadline=deadline, stats=stats)
        if depth == 0:
            self._home_probe(site, res)
        body = res.body
        res.body = b""  # nothing keeps the body once this function returns
        if self.share_pages:  # another site linking here needs no HEAD of its own
            self._remember_check(url, self._slim(res))
        blob = sha = None
        if body and (s.store_error_bodies or (res.status or 0) < 400):
            sha, blob = self.evidence.prepare(body)
        link_rows: list[tuple] | None = None
        encoding = facts = None
        if res.final_url == url:
            internal = True
        else:
            final = self.urls.get(res.final_url)
            internal = final is not None and site.scope.is_internal_key(final[2])
        if body and res.error is None and 200 <= (res.status or 0) < 300:
            if internal:
                text, encoding = decode_html(body, res.headers.get("content-type"))
                link_rows, facts = self._follow_links(site, uid, depth, text, res.final_url)
            else:
                stats.inc("crawl/page/redirected_offsite")
        self._record(
            site,
            uid,
            res,
            sha,
            blob,
            len(body),
            page=True,
            links=link_rows,
            enc=encoding,
            facts=facts,
        )

    def _home_probe(self, site: _Site, res: FetchResult) -> None:
        if res.error is not None:
            site.probe_error = res.error
            site.stats.inc(f"crawl/probe/failed/{res.error}")
            return
        site.stats.inc("crawl/probe/ok")
        final = self.urls.get(res.final_url)
        if final is not None and site.scope.add_alias(res.final_url):
            site.stats.inc("crawl/scope/home_redirect_alias")
            self.store.update_site(site.id, site_keys=json.dumps(sorted(site.scope.keys)))

    def _follow_links(
        self, site: _Site, uid: int, depth: int, text: str, base: str
    ) -> tuple[list[tuple], dict | None]:
        facts = None
        if self.analyse is not None:
            try:
                links, facts = self.analyse(text, base)
            except Exception as exc:  # a hostile page must not stop the crawl
                log.warning("page analyser failed on %s: %r", base, exc)
                site.stats.inc(f"crawl/analyse/error/{type(exc).__name__}")
                links, facts = self.extract_links(text, base), {"analyse_error": repr(exc)}
        else:
            links = self.extract_links(text, base)
        if self.extra_urls is not None:
            extra = [
                item
                if isinstance(item, Link)
                else Link(urljoin(base, str(item)), PAGE, "", "extra")
                for item in self.extra_urls(text, base)
            ]
            if extra:
                links = [*links, *extra]
        rows: list[tuple] = []
        done: set[int] = set()
        resolve = self.urls.get
        seen = site.seen
        child_depth = depth + 1
        for link in links:
            entry = resolve(link.url)
            if entry is None:
                continue
            fetch_url, key, skey, attachment = entry
            kind = link.kind
            if attachment and kind == PAGE:
                kind = ATTACHMENT
            dst = seen.get(key)
            if dst is None:
                dst = self._new_url(site, key, fetch_url, skey, kind, child_depth, uid)
            if dst in done:
                continue
            done.add(dst)
            rows.append((uid, dst, kind, link.tag, link.text))
        return rows, facts

    def _new_url(
        self, site: _Site, key: str, url: str, skey: str, kind: str, depth: int, parent: int
    ) -> int:
        s = self.settings
        internal = site.scope.is_internal_key(skey)
        if internal and kind == PAGE:
            reason = site.bounds.page_refusal(key, depth)
            action = CRAWL
        elif (kind in _RESOURCE_KINDS and not s.check_resources) or (
            not internal and not s.check_external
        ):
            reason, action = "not_checked", CHECK
        elif not internal and s.skip_check_hosts and urlsplit(url).hostname in s.skip_check_hosts:
            reason, action = "excluded_host", CHECK
        else:
            reason = site.bounds.check_refusal(key)
            action = DEFER if not internal and skey in self.elsewhere else CHECK
        if reason is not None:
            action = SKIP
            site.stats.inc(f"crawl/bounds/{reason}")
        uid = self.store.new_id()
        site.seen[key] = uid
        self.store.add_url(
            (uid, site.id, key, url, action, kind, depth, int(internal), reason, parent)
        )
        if action == CRAWL or action == CHECK:
            site.queue.put_nowait((uid, url, depth, action))
        elif action == DEFER:
            site.stats.inc("crawl/check/deferred")
        return uid

    # -- checks -------------------------------------------------------------------------------

    async def _check(self, site: _Site, uid: int, url: str, *, deferred: bool = False) -> None:
        s = self.settings
        if s.obey_robots and s.robots_for_checks and not await self._robots_allow(site, url):
            res = FetchResult(url=url, final_url=url, error="robots", fetched_at=utc_now_iso())
        else:
            res = await self._shared_check(site, url)
        self._record(site, uid, res, None, None, 0, page=False, deferred=deferred)

    async def _shared_check(self, site: _Site, url: str) -> FetchResult:
        """One check per URL for all sites of the crawl (www.gov.cn is linked from all)."""
        cached = self._checks.get(url)
        if cached is not None:
            site.stats.inc("crawl/check/cache_hit")
            return cached
        pending = self._check_pending.get(url)
        if pending is not None:
            site.stats.inc("crawl/check/cache_hit")
            return await asyncio.shield(pending)
        future: asyncio.Future[FetchResult] = asyncio.get_running_loop().create_future()
        self._check_pending[url] = future
        try:
            res = await self.client.check(url, stats=site.stats)
        except asyncio.CancelledError:
            future.cancel()
            raise
        except Exception as exc:
            future.set_exception(exc)
            future.exception()  # mark retrieved: waiters re-raise it themselves
            raise
        finally:
            del self._check_pending[url]
        self._remember_check(url, res)
        future.set_result(res)
        return res

    @staticmethod
    def _slim(res: FetchResult) -> FetchResult:
        """A page result reduced to what a check record of it needs (memory)."""
        ctype = res.headers.get("content-type")
        return FetchResult(
            url=res.url,
            status=res.status,
            headers={"content-type": ctype} if ctype else {},
            final_url=res.final_url,
            error=res.error,
            redirects=res.redirects,
            elapsed=res.elapsed,
            method=res.method,
            attempts=res.attempts,
            fetched_at=res.fetched_at,
        )

    def _remember_check(self, url: str, res: FetchResult) -> None:
        if len(self._checks) >= self.settings.check_cache_size:
            self._checks.clear()
        self._checks[url] = res

    async def _robots_allow(self, site: _Site, url: str) -> bool:
        try:
            host = origin(url)
        except ValueError:
            return True
        allowed = await self.robots.allowed(url, site.stats, host)
        info = self.robots.info(host)
        s = self.settings
        if (
            info is not None
            and info.crawl_delay
            and s.honour_crawl_delay
            and self.client.throttle is not None
            and self.client.throttle.delay_of(host) < min(info.crawl_delay, s.max_crawl_delay)
        ):
            self.client.throttle.set_delay(host, min(info.crawl_delay, s.max_crawl_delay))
            site.stats.inc("crawl/robots/crawl_delay_applied")
        return allowed

    # -- recording ----------------------------------------------------------------------------

    def _record(
        self,
        site: _Site,
        uid: int,
        res: FetchResult,
        sha: str | None,
        blob: tuple | None,
        size: int,
        *,
        page: bool,
        links: list[tuple] | None = None,
        enc: str | None = None,
        facts: dict | None = None,
        deferred: bool = False,
    ) -> None:
        stats = site.stats
        if page:
            site.pages_done += 1
            self.pages_done += 1
            stats.inc("crawl/page/done")
            if res.error:
                stats.inc(f"crawl/page/error/{res.error}")
        else:
            site.checks_done += 1
            self.checks_done += 1
            stats.inc("crawl/check/done")
            if res.error:
                stats.inc(f"crawl/check/error/{res.error}")
        if res.truncated:
            stats.inc("crawl/page/truncated")
        row = self._result_row(uid, res, sha, enc, size, len(links) if links else 0, facts)
        if deferred:
            self.store.add_deferred_result(row)
        else:
            self.store.add_result(row, links, blob)

    @staticmethod
    def _result_row(
        uid: int,
        res: FetchResult,
        sha: str | None,
        enc: str | None,
        size: int,
        n_links: int = 0,
        facts: dict | None = None,
    ) -> tuple:
        return (
            uid,
            res.final_url,
            res.status,
            res.content_type or None,
            res.fetched_at or None,
            sha,
            res.error,
            round(res.elapsed, 4),
            size,
            int(res.truncated),
            res.method,
            res.attempts,
            json.dumps(res.redirects) if res.redirects else None,
            _to_json(res.headers) if res.headers else None,
            enc,
            n_links,
            _facts_to_json(facts) if facts is not None else None,
        )


async def crawl_sites(
    start_urls: Sequence[str],
    settings: CrawlSettings | None,
    job_dir: str | os.PathLike,
    *,
    extract_links: LinkExtractor | None = None,
    extra_urls: ExtraUrls | None = None,
    progress: ProgressCallback | None = None,
    analyse: PageAnalyser | None = None,
    site_done: Callable[[SiteCrawl], None] | None = None,
    crawled_elsewhere: Iterable[str] = (),
) -> list[SiteCrawl]:
    """Crawl several sites concurrently (``max_sites_in_flight`` at once, one shared global
    cap), resuming whatever an earlier run in ``job_dir`` left unfinished. Results are in the
    order of ``start_urls``.

    ``crawled_elsewhere``: start URLs of sites another process of the same run crawls. Links
    to them are stored as deferred checks, answered afterwards by :func:`resolve_deferred`
    from that crawl (one request per URL for the whole run, not one per process).
    """
    s = settings or CrawlSettings()
    normalised = {}
    for url in start_urls:
        try:
            normalised[url] = fetch_form(url.strip())
            origin(normalised[url])
        except ValueError as exc:
            raise ValueError(f"not a crawlable http(s) URL: {url!r}") from exc
    unique = list(dict.fromkeys(normalised.values()))  # "http://x" and "http://x/" are one
    store = JobStore(Path(job_dir), s.commit_every, s.commit_interval, s.commit_bytes)
    throttle = Throttle(s)
    started = time.monotonic()
    try:
        async with HttpClient(s, throttle=throttle) as client:
            engine = _Engine(
                s, store, client, extract_links or default_extract_links, extra_urls, analyse
            )
            engine.share_pages = len(unique) > 1
            engine.elsewhere = frozenset(site_key(url) for url in crawled_elsewhere) - {
                site_key(url) for url in unique
            }
            gate = asyncio.Semaphore(s.max_sites_in_flight)

            async def one(url: str) -> SiteCrawl:
                async with gate:
                    crawled = await engine.run_site(url)
                if site_done is not None:
                    site_done(crawled)
                return crawled

            async def ticker() -> None:
                step = min(s.progress_interval, s.commit_interval)
                last_progress = time.monotonic()
                while True:
                    await asyncio.sleep(step)
                    if store.due():
                        store.flush()
                    now = time.monotonic()
                    if progress is not None and now - last_progress >= s.progress_interval:
                        last_progress = now
                        progress(engine.pages_done, engine.pages_done / (now - started))

            tick = asyncio.create_task(ticker())
            try:
                done = await asyncio.gather(*(one(url) for url in unique))
            finally:
                tick.cancel()
                await asyncio.gather(tick, return_exceptions=True)
            if progress is not None:
                now = time.monotonic()
                progress(engine.pages_done, engine.pages_done / max(now - started, 1e-9))
        store.finish()
    finally:
        store.close()
    by_url = dict(zip(unique, done, strict=True))
    return [by_url[normalised[url]] for url in start_urls]


async def resolve_deferred(
    job_dir: str | os.PathLike,
    site_id: int,
    owner_dirs: Iterable[str | os.PathLike],
    settings: CrawlSettings | None = None,
) -> int:
    """Give each deferred check of site ``site_id`` (see ``crawled_elsewhere``) its result:
    the same URL's fetch by the crawl in ``owner_dirs`` that owns its site when that crawl
    fetched it (page or check), else a check now (robots.txt obeyed as for any check).

    Resumable: only deferred URLs still without a result are looked at, and each result is
    committed together with its URL turning into a checked one. Returns how many it resolved.
    """
    s = settings or CrawlSettings()
    store = JobStore(Path(job_dir), s.commit_every, s.commit_interval, s.commit_bytes)
    try:
        deferred = store.deferred_urls(site_id)
        if not deferred:
            return 0
        row = site_row(store.conn, site_id=site_id)
        stats = store.site_stats[site_id] = Stats()
        stats.merge(row["stats"])
        known = _fetched_elsewhere(owner_dirs, deferred)
        for uid, res in known.items():
            store.add_deferred_result(_Engine._result_row(uid, res, None, None, 0))
        stats.inc("crawl/check/done", len(known))
        stats.inc("crawl/check/from_other_process", len(known))
        rest = [(uid, url) for uid, _key, url in deferred if uid not in known]
        if rest:
            async with HttpClient(s, throttle=Throttle(s)) as client:
                engine = _Engine(s, store, client, default_extract_links, None)
                site = _Site(
                    site_id, row["start_url"], Scope(row["start_url"], s), Bounds(s), stats
                )
                gate = asyncio.Semaphore(s.global_concurrency)

                async def one(uid: int, url: str) -> None:
                    async with gate:
                        await engine._check(site, uid, url, deferred=True)

                await asyncio.gather(*(one(uid, url) for uid, url in rest))
        store.flush()
        return len(deferred)
    finally:
        store.close()


def _fetched_elsewhere(
    owner_dirs: Iterable[str | os.PathLike], deferred: list[tuple[int, str, str]]
) -> dict[int, FetchResult]:
    """uid -> what the owning crawl got for the same URL key, for the deferred URLs it has."""
    owners: dict[str, tuple] = {}  # site key -> (connection, site id)
    conns = []
    try:
        for job in owner_dirs:
            path = Path(job) / DB_NAME
            if not path.exists():
                continue
            conn = connect(path, readonly=True)
            conns.append(conn)
            for owner_site, keys in conn.execute("SELECT id, site_keys FROM sites"):
                for key in json.loads(keys):
                    owners.setdefault(key, (conn, owner_site))
        found = {}
        for uid, key, url in deferred:
            owner = owners.get(site_key(url))
            if owner is None:
                continue
            conn, owner_site = owner
            hit = conn.execute(
                "SELECT r.final_url, r.status, r.content_type, r.fetched_at, r.error, r.elapsed,"
                " r.method, r.attempts, r.redirects FROM urls u JOIN results r ON r.url_id = u.id"
                " WHERE u.site_id = ? AND u.key = ?",
                (owner_site, key),
            ).fetchone()
            if hit is None:
                continue
            final, status, ctype, at, error, elapsed, method, attempts, redirects = hit
            found[uid] = FetchResult(
                url=url,
                status=status,
                headers={"content-type": ctype} if ctype else {},
                final_url=final or url,
                error=error,
                redirects=[tuple(h) for h in json.loads(redirects)] if redirects else [],
                elapsed=elapsed or 0.0,
                method=method or "GET",
                attempts=attempts or 0,
                fetched_at=at or "",
            )
        return found
    finally:
        for conn in conns:
            conn.close()


async def crawl_site(
    start_url: str,
    settings: CrawlSettings | None,
    job_dir: str | os.PathLike,
    *,
    extract_links: LinkExtractor | None = None,
    extra_urls: ExtraUrls | None = None,
    progress: ProgressCallback | None = None,
    analyse: PageAnalyser | None = None,
) -> SiteCrawl:
    """Crawl one site into ``job_dir`` (resumable: call again with the same ``job_dir``)."""
    (result,) = await crawl_sites(
        [start_url],
        settings,
        job_dir,
        extract_links=extract_links,
        extra_urls=extra_urls,
        progress=progress,
        analyse=analyse,
    )
    return result
