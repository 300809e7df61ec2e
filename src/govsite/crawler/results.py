"""Reading a crawl back: :class:`SiteCrawl` is a light view over the job database.

Pages and checked targets are streamed from SQLite on demand, so a 100,000-page site costs no
memory until you iterate it (and then one record at a time).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import NamedTuple

from .evidence import DB_NAME, load_blob
from .store import CHECK, CRAWL, READ_INDEXES, SKIP, connect, site_row


class FoundLink(NamedTuple):
    """One link of a page. A named tuple (immutable, compared by value, like the frozen
    dataclass it was) because reading a crawl back builds one per link: ~600,000 for
    20,000 pages, and a tuple is built four times faster."""

    url: str
    kind: str  # page | image | stylesheet | script | attachment
    text: str  # anchor text or image alt
    tag: str  # a, img, iframe, onclick, ...


_found_link = partial(tuple.__new__, FoundLink)  # FoundLink(*row) without the Python-level __new__


@dataclass(slots=True)
class PageRecord:
    """An internal page the crawler fetched (GET) to follow its links."""

    url: str
    final_url: str | None
    status: int | None
    content_type: str | None
    depth: int
    fetched_at: str | None  # UTC ISO
    body_sha256: str | None  # evidence key (load with SiteCrawl.load_evidence)
    error: str | None  # reason string (http_404, timeout, robots, ...)
    elapsed: float | None
    size: int | None
    truncated: bool
    redirects: list[tuple[str, int]]
    headers: dict[str, str]
    encoding: str | None
    facts: dict | None = None  # what the page analyser read from the page, if one ran
    links: list[FoundLink] = field(default_factory=list)
    referrers: list[str] = field(default_factory=list)  # pages linking here (capped)


def is_failing(status: int | None, error: str | None) -> bool:
    """A result whose target does not work as a link (the ones that need their referrers)."""
    return bool(error) or (status or 0) >= 400


@dataclass(slots=True)
class CheckRecord:
    """A target that was only checked: external link, image, attachment, stylesheet, script."""

    url: str
    kind: str
    internal: bool
    status: int | None
    error: str | None
    content_type: str | None
    final_url: str | None
    method: str | None  # HEAD, GET or "HEAD,GET" (HEAD refused, GET used)
    fetched_at: str | None
    elapsed: float | None
    redirects: list[tuple[str, int]]
    found_on: list[str] = field(default_factory=list)  # pages linking here (capped)


# is_failing() in SQL (a page without a result is not failing, as in Python).
_FAILING_SQL = "(r.error IS NOT NULL AND r.error != '' OR coalesce(r.status, 0) >= 400)"
_RESULT_COLS = (
    "r.final_url, r.status, r.content_type, r.fetched_at, r.body_sha256, r.error, r.elapsed,"
    " r.size, r.truncated, r.method, r.redirects, r.headers, r.encoding, r.facts, r.n_links"
)


@dataclass
class SiteCrawl:
    job_dir: Path
    site_id: int
    start_url: str
    state: str  # finished | failed (home page probe failed) | running (interrupted)
    probe_error: str | None  # why the home page failed (e.g. "timeout"), None if it answered
    pages_done: int
    checks_done: int
    skipped: dict[str, int]  # bound/reason -> URLs refused (max_pages, calendar, robots ...)
    errors: dict[str, int]  # reason -> pages and checks that failed with it
    stats: dict[str, int]  # namespaced counters (crawl/retry/reason/timeout, ...)
    started_at: str | None
    finished_at: str | None
    elapsed: float  # seconds spent crawling, over all runs
    site_keys: list[str]  # host[:port] values counted as internal

    def _conn(self):
        return connect(self.job_dir / DB_NAME, readonly=True)

    def load_evidence(self, sha256: str) -> bytes:
        """The stored body with this hash (the ``body_sha256`` of a page)."""
        conn = self._conn()
        try:
            return load_blob(conn, sha256)
        finally:
            conn.close()

    def pages(
        self,
        max_referrers: int = 100,
        referrers_when: Callable[[int | None, str | None], bool] | None = None,
        failing: bool | None = None,
    ) -> Iterator[PageRecord]:
        """Every crawled page, in discovery order, with its links and (capped) referrers.

        ``referrers_when(status, error)`` limits the referrer look-up to the pages that need
        it (e.g. broken ones): navigation pages are linked from every page, so looking up
        all referrers of all pages costs more than the rest of the read. ``failing``: only
        the pages :func:`is_failing` (True) or only the others (False).
        """
        where = "" if failing is None else f" AND {'' if failing else 'NOT '}{_FAILING_SQL}"
        conn = self._conn()
        try:
            rows = conn.execute(  # streamed: other queries run on their own cursors
                f"SELECT u.id, u.url, u.depth, {_RESULT_COLS} FROM urls u"
                " LEFT JOIN results r ON r.url_id = u.id"
                f" WHERE u.site_id = ? AND u.action = ?{where} ORDER BY u.id",
                (self.site_id, CRAWL),
            )
            for uid, url, depth, *res in rows:
                (final, status, ctype, at, sha, error, elapsed, size, trunc, _m, redirects,
                 headers, encoding, facts, n_links) = res  # fmt: skip
                links = (
                    list(
                        map(
                            _found_link,
                            conn.execute(
                                "SELECT u.url, l.kind, l.text, l.tag FROM links l JOIN urls u"
                                " ON u.id = l.dst_id WHERE l.src_id = ? ORDER BY l.rowid",
                                (uid,),
                            ),
                        )
                    )
                    if n_links  # error pages and pages without links: no query
                    else []
                )
                yield PageRecord(
                    url=url,
                    final_url=final,
                    status=status,
                    content_type=ctype,
                    depth=depth,
                    fetched_at=at,
                    body_sha256=sha,
                    error=error,
                    elapsed=elapsed,
                    size=size,
                    truncated=bool(trunc),
                    redirects=[tuple(h) for h in json.loads(redirects)] if redirects else [],
                    headers=json.loads(headers) if headers else {},
                    encoding=encoding,
                    facts=json.loads(facts) if facts else None,
                    links=links,
                    referrers=_referrers(conn, uid, max_referrers)
                    if referrers_when is None or referrers_when(status, error)
                    else [],
                )
        finally:
            conn.close()

    def checked(
        self,
        max_referrers: int = 100,
        referrers_when: Callable[[int | None, str | None], bool] | None = None,
    ) -> Iterator[CheckRecord]:
        """Every checked target with the pages it was found on (only for the targets
        ``referrers_when(status, error)`` accepts, if given: the look-up is most of the read)."""
        conn = self._conn()
        try:
            rows = conn.execute(
                "SELECT u.id, u.url, u.kind, u.internal, r.status, r.error, r.content_type,"
                " r.final_url, r.method, r.fetched_at, r.elapsed, r.redirects FROM urls u"
                " LEFT JOIN results r ON r.url_id = u.id"
                " WHERE u.site_id = ? AND u.action = ? ORDER BY u.id",
                (self.site_id, CHECK),
            )
            for uid, url, kind, internal, status, error, ctype, final, method, at, el, red in rows:
                yield CheckRecord(
                    url=url,
                    kind=kind,
                    internal=bool(internal),
                    status=status,
                    error=error,
                    content_type=ctype,
                    final_url=final,
                    method=method,
                    fetched_at=at,
                    elapsed=el,
                    redirects=[tuple(h) for h in json.loads(red)] if red else [],
                    found_on=_referrers(conn, uid, max_referrers)
                    if referrers_when is None or referrers_when(status, error)
                    else [],
                )
        finally:
            conn.close()

    def skipped_urls(self) -> Iterator[tuple[str, str]]:
        """(url, reason) of every URL a bound refused."""
        conn = self._conn()
        try:
            yield from conn.execute(
                "SELECT url, skip_reason FROM urls WHERE site_id = ? AND action = ? ORDER BY id",
                (self.site_id, SKIP),
            ).fetchall()
        finally:
            conn.close()

    def page(self, url: str) -> PageRecord | None:
        for rec in self.pages():
            if rec.url == url:
                return rec
        return None


def _referrers(conn, uid: int, limit: int) -> list[str]:
    return [
        row[0]
        for row in conn.execute(
            "SELECT u.url FROM links l JOIN urls u ON u.id = l.src_id"
            " WHERE l.dst_id = ? ORDER BY l.src_id LIMIT ?",
            (uid, limit),
        )
    ]


def site_view(job_dir: str | os.PathLike, site_id: int) -> SiteCrawl:
    job_dir = Path(job_dir)
    conn = connect(job_dir / DB_NAME, readonly=True)
    try:
        row = site_row(conn, site_id=site_id)
        if row is None:
            raise KeyError(f"no site {site_id} in {job_dir}")
        counts = dict(
            conn.execute(
                "SELECT u.action, count(*) FROM urls u JOIN results r ON r.url_id = u.id"
                " WHERE u.site_id = ? GROUP BY u.action",
                (site_id,),
            ).fetchall()
        )
        skipped = dict(
            conn.execute(
                "SELECT skip_reason, count(*) FROM urls WHERE site_id = ? AND action = ?"
                " GROUP BY skip_reason",
                (site_id, SKIP),
            ).fetchall()
        )
        errors = dict(
            conn.execute(
                "SELECT r.error, count(*) FROM urls u JOIN results r ON r.url_id = u.id"
                " WHERE u.site_id = ? AND r.error IS NOT NULL GROUP BY r.error",
                (site_id,),
            ).fetchall()
        )
    finally:
        conn.close()
    robots = errors.get("robots", 0)
    if robots:
        skipped["robots"] = robots
    return SiteCrawl(
        job_dir=job_dir,
        site_id=site_id,
        start_url=row["start_url"],
        state=row["state"],
        probe_error=row["probe_error"],
        pages_done=counts.get(CRAWL, 0),
        checks_done=counts.get(CHECK, 0),
        skipped=skipped,
        errors=errors,
        stats=row["stats"],
        started_at=row["started_at"],
        finished_at=row["finished_at"],
        elapsed=row["elapsed"],
        site_keys=row["site_keys"],
    )


def load_crawl(job_dir: str | os.PathLike) -> list[SiteCrawl]:
    """Every site of a job directory, e.g. for the web app to import after the crawl."""
    job_dir = Path(job_dir)
    conn = connect(job_dir / DB_NAME)  # read-write: builds the read indexes if missing
    try:
        for ddl in READ_INDEXES:
            conn.execute(ddl)
        ids = [row[0] for row in conn.execute("SELECT id FROM sites ORDER BY id")]
    finally:
        conn.close()
    return [site_view(job_dir, site_id) for site_id in ids]
