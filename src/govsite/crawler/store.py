"""The job database: frontier, results, links and evidence of a crawl in ``<job_dir>/crawl.sqlite``.

Durability model (what makes a SIGKILL harmless):

* WAL journal, ``synchronous=NORMAL``: a committed transaction survives the process being
  killed (only an OS crash can lose the last commits, and then consistently).
* Rows are queued in memory in the order the crawl produces them and committed together, in
  one transaction, every ``commit_every`` results, ``commit_bytes`` of bodies or
  ``commit_interval`` seconds. A page's result, its outgoing links, the URLs it discovered
  and its body always land in the same transaction, and a commit always takes *everything*
  queued before it, so the database never holds a child without the parent result that
  discovered it.
* A URL is done when it has a ``results`` row. On restart every ``urls`` row of an unfinished
  site without a result is queued again: URLs in flight at the kill are simply fetched again.

Indexes for reading (links by source and target) are built once at the end of a crawl, not
maintained during it.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

from .evidence import BLOB_SCHEMA, DB_NAME
from .stats import Stats

SCHEMA_VERSION = "2"
# urls.action. DEFER: a check left to after the crawl, because another process of the same
# run crawls the target's site and will have fetched it by then (crawl.resolve_deferred).
CRAWL, CHECK, SKIP, DEFER = 1, 2, 0, 3

SCHEMA = (
    """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT)
""",
    """
CREATE TABLE IF NOT EXISTS sites(
    id INTEGER PRIMARY KEY,
    start_url TEXT NOT NULL UNIQUE,
    site_keys TEXT NOT NULL,          -- JSON list of site keys counted as internal
    state TEXT NOT NULL,              -- running | finished | failed (home page probe failed)
    probe_error TEXT,                 -- reason the home page failed
    started_at TEXT,                  -- UTC ISO, first run
    finished_at TEXT,
    elapsed REAL NOT NULL DEFAULT 0,  -- seconds over all runs that completed
    stats TEXT                        -- JSON namespaced counters
)
""",
    """
CREATE TABLE IF NOT EXISTS urls(
    id INTEGER PRIMARY KEY,
    site_id INTEGER NOT NULL,
    key TEXT NOT NULL,                -- canonical URL (dedupe key)
    url TEXT NOT NULL,                -- URL as fetched
    action INTEGER NOT NULL,          -- 1 crawl, 2 check, 0 skipped, 3 check deferred
    kind TEXT NOT NULL,               -- page | image | stylesheet | script | attachment
    depth INTEGER NOT NULL,
    internal INTEGER NOT NULL,
    skip_reason TEXT,                 -- bound that refused it (action 0)
    found_on INTEGER,                 -- urls.id of the first page linking here
    UNIQUE(site_id, key)
)
""",
    """
CREATE TABLE IF NOT EXISTS results(
    url_id INTEGER PRIMARY KEY,
    final_url TEXT,
    status INTEGER,
    content_type TEXT,
    fetched_at TEXT,                  -- UTC ISO
    body_sha256 TEXT,                 -- blobs.sha256, NULL when no body was kept
    error TEXT,                       -- reason string, NULL if fine
    elapsed REAL,
    size INTEGER,                     -- body bytes read (after content-coding)
    truncated INTEGER NOT NULL DEFAULT 0,
    method TEXT,
    attempts INTEGER,
    redirects TEXT,                   -- JSON [[url, status], ...]
    headers TEXT,                     -- JSON {lower-case name: value}
    encoding TEXT,                    -- charset used to decode the page
    n_links INTEGER,
    facts TEXT                        -- JSON facts from the page analyser, if one ran
)
""",
    """
CREATE TABLE IF NOT EXISTS links(
    src_id INTEGER NOT NULL,          -- page the link was found on
    dst_id INTEGER NOT NULL,
    kind TEXT NOT NULL,
    tag TEXT,
    text TEXT                         -- anchor text / alt
)
""",
    BLOB_SCHEMA,
)
READ_INDEXES = (
    "CREATE INDEX IF NOT EXISTS links_src ON links(src_id)",
    "CREATE INDEX IF NOT EXISTS links_dst ON links(dst_id)",
)


# Page cache of the crawl's writer connection, in KiB. The writer mostly appends and the OS
# caches the file anyway, so 16 MB bought no measurable speed, while growing it page by page
# among the crawl's short-lived buffers pinned freed heap: at 20,000 pages a process kept
# ~25 MB more RSS than with 4 MB (and the gap grows with the crawl).
WRITER_CACHE_KIB = 4000


def connect(path: Path, readonly: bool = False, cache_kib: int = 16000) -> sqlite3.Connection:
    if readonly:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
    else:
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA busy_timeout=10000")
    conn.execute(f"PRAGMA cache_size=-{int(cache_kib)}")  # bounded page cache (KiB)
    return conn


class JobStore:
    """Single writer of a job database (one per process; the crawl is single-threaded)."""

    def __init__(
        self,
        job_dir: str | os.PathLike,
        commit_every: int = 2000,
        interval: float = 1.0,
        commit_bytes: int = 8 << 20,
    ):
        self.job_dir = Path(job_dir)
        self.job_dir.mkdir(parents=True, exist_ok=True)
        self.path = self.job_dir / DB_NAME
        self.conn = connect(self.path, cache_kib=WRITER_CACHE_KIB)
        # IMMEDIATE: take the write lock first (waiting for another writer, e.g. the check of
        # another site of the same job) rather than read, then fail to upgrade to writing.
        self.conn.execute("BEGIN IMMEDIATE")
        for ddl in SCHEMA:
            self.conn.execute(ddl)
        self.conn.execute(
            "INSERT OR IGNORE INTO meta(key, value) VALUES ('schema_version', ?)", (SCHEMA_VERSION,)
        )
        self.conn.execute("COMMIT")
        (version,) = self.conn.execute(
            "SELECT value FROM meta WHERE key = 'schema_version'"
        ).fetchone()
        if version != SCHEMA_VERSION:
            self.conn.close()
            raise ValueError(
                f"{job_dir} holds a crawl of schema {version}, this govsite writes {SCHEMA_VERSION}:"
                " start the crawl in a new job directory"
            )
        self.commit_every = commit_every
        self.commit_bytes = commit_bytes
        self._blob_bytes = 0  # compressed body bytes waiting in _blobs
        self.interval = interval
        self._next_id = (self.conn.execute("SELECT max(id) FROM urls").fetchone()[0] or 0) + 1
        self._urls: list[tuple] = []
        self._results: list[tuple] = []
        self._links: list[tuple] = []
        self._blobs: list[tuple] = []
        self._site_updates: dict[int, dict] = {}
        self._checked: list[tuple[int]] = []  # deferred URLs whose result is now queued
        self.site_stats: dict[int, Stats] = {}  # live counters, saved with every commit
        self._last_commit = time.monotonic()
        self.commits = 0

    # -- writing ------------------------------------------------------------------------------

    def new_id(self) -> int:
        uid = self._next_id
        self._next_id += 1
        return uid

    def add_url(self, row: tuple) -> None:
        """(id, site_id, key, url, action, kind, depth, internal, skip_reason, found_on)"""
        self._urls.append(row)

    def add_result(self, row: tuple, links: list[tuple] | None, blob: tuple | None) -> None:
        """``row`` as the ``results`` columns; ``links`` rows; ``blob`` (sha, size, data)."""
        if blob is not None:
            self._blobs.append(blob)
            self._blob_bytes += len(blob[2])
        if links:
            self._links.extend(links)
        self._results.append(row)
        if len(self._results) >= self.commit_every or self._blob_bytes >= self.commit_bytes:
            self.flush()

    def add_deferred_result(self, row: tuple) -> None:
        """The result of a deferred check: the URL becomes a checked one in the same commit."""
        self._checked.append((row[0],))
        self.add_result(row, None, None)

    def update_site(self, site_id: int, **fields) -> None:
        self._site_updates.setdefault(site_id, {}).update(fields)

    def due(self) -> bool:
        return bool(self._results or self._urls or self._site_updates) and (
            time.monotonic() - self._last_commit >= self.interval
        )

    def flush(self) -> None:
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            if self._urls:
                conn.executemany("INSERT INTO urls VALUES (?,?,?,?,?,?,?,?,?,?)", self._urls)
            if self._blobs:
                conn.executemany("INSERT OR IGNORE INTO blobs VALUES (?,?,?)", self._blobs)
            if self._results:
                conn.executemany(
                    "INSERT OR REPLACE INTO results VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    self._results,
                )
            if self._links:
                conn.executemany("INSERT INTO links VALUES (?,?,?,?,?)", self._links)
            if self._checked:
                conn.executemany(f"UPDATE urls SET action = {CHECK} WHERE id = ?", self._checked)
            for site_id, stats in self.site_stats.items():
                self._site_updates.setdefault(site_id, {})["stats"] = json.dumps(stats)
            for site_id, fields in self._site_updates.items():
                cols = ", ".join(f"{name} = ?" for name in fields)
                conn.execute(f"UPDATE sites SET {cols} WHERE id = ?", (*fields.values(), site_id))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        self._urls.clear()
        self._blobs.clear()
        self._blob_bytes = 0
        self._results.clear()
        self._links.clear()
        self._checked.clear()
        self._site_updates.clear()
        self._last_commit = time.monotonic()
        self.commits += 1

    def create_site(self, start_url: str, site_keys: list[str], started_at: str) -> int:
        self.flush()
        cur = self.conn.execute(
            "INSERT INTO sites(start_url, site_keys, state, started_at)"
            " VALUES (?, ?, 'running', ?)",
            (start_url, json.dumps(site_keys), started_at),
        )
        return int(cur.lastrowid)

    def finish(self) -> None:
        """Commit what is queued and build the read indexes."""
        self.flush()
        for ddl in READ_INDEXES:
            self.conn.execute(ddl)

    def close(self) -> None:
        self.conn.close()

    # -- reading (resume) ---------------------------------------------------------------------

    def site_row(self, start_url: str) -> dict | None:
        return site_row(self.conn, start_url=start_url)

    def result_error(self, url_id: int) -> str | None:
        row = self.conn.execute("SELECT error FROM results WHERE url_id = ?", (url_id,)).fetchone()
        return row[0] if row else None

    def deferred_urls(self, site_id: int) -> list[tuple[int, str, str]]:
        """(id, key, url) of the site's deferred checks still without a result."""
        return self.conn.execute(
            "SELECT u.id, u.key, u.url FROM urls u LEFT JOIN results r ON r.url_id = u.id"
            " WHERE u.site_id = ? AND u.action = ? AND r.url_id IS NULL ORDER BY u.id",
            (site_id, DEFER),
        ).fetchall()

    def site_urls(self, site_id: int) -> Iterator[tuple]:
        """(id, key, url, action, kind, depth, done) of every URL of a site, by id."""
        return self.conn.execute(
            "SELECT u.id, u.key, u.url, u.action, u.kind, u.depth, r.url_id IS NOT NULL"
            " FROM urls u LEFT JOIN results r ON r.url_id = u.id"
            " WHERE u.site_id = ? ORDER BY u.id",
            (site_id,),
        )


_SITE_COLS = "id, start_url, site_keys, state, probe_error, started_at, finished_at, elapsed, stats"


def site_row(conn: sqlite3.Connection, *, start_url: str | None = None, site_id: int | None = None):
    where, arg = ("start_url = ?", start_url) if site_id is None else ("id = ?", site_id)
    row = conn.execute(f"SELECT {_SITE_COLS} FROM sites WHERE {where}", (arg,)).fetchone()
    if row is None:
        return None
    out = dict(zip(_SITE_COLS.split(", "), row, strict=True))
    out["site_keys"] = json.loads(out["site_keys"])
    out["stats"] = json.loads(out["stats"]) if out["stats"] else {}
    return out
