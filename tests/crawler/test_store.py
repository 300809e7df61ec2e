"""Job database: batched commits, resume bookkeeping, evidence blobs."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
import threading
import time
import zlib

import pytest

from govsite.crawler import load_evidence
from govsite.crawler.evidence import ZSTD_MAGIC, EvidenceWriter, decompress
from govsite.crawler.stats import Stats
from govsite.crawler.store import CRAWL, JobStore


def result_row(uid: int, sha: str | None = None) -> tuple:
    return (uid, "http://x/", 200, "text/html", "2026-01-01T00:00:00+00:00", sha, None, 0.1,
            10, 0, "GET", 1, None, None, "utf-8", 0, None)  # fmt: skip


def test_rows_are_committed_in_batches(tmp_path):
    store = JobStore(tmp_path, commit_every=3, interval=60)
    site = store.create_site("http://x/", ["x"], "2026-01-01")
    for n in range(1, 3):
        uid = store.new_id()
        store.add_url(
            (uid, site, f"http://x/{n}", f"http://x/{n}", CRAWL, "page", 1, 1, None, None)
        )
        store.add_result(result_row(uid), None, None)
    reader = sqlite3.connect(tmp_path / "crawl.sqlite")
    assert reader.execute("SELECT count(*) FROM results").fetchone()[0] == 0  # not yet
    uid = store.new_id()
    store.add_url((uid, site, "http://x/3", "http://x/3", CRAWL, "page", 1, 1, None, None))
    store.add_result(result_row(uid), None, None)
    assert reader.execute("SELECT count(*) FROM results").fetchone()[0] == 3
    assert reader.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    store.close()


def test_bodies_waiting_in_memory_are_bounded_by_bytes(tmp_path):
    """Large pages commit sooner: what waits for a commit is bounded in bytes, not only in
    results (a 2,000-result batch of 100 KB government pages would hold ~40 MB)."""
    store = JobStore(tmp_path, commit_every=1000, interval=60, commit_bytes=200_000)
    site = store.create_site("http://x/", ["x"], "2026-01-01")
    reader = sqlite3.connect(tmp_path / "crawl.sqlite")
    writer = EvidenceWriter()
    for n in range(1, 4):
        uid = store.new_id()
        store.add_url(
            (uid, site, f"http://x/{n}", f"http://x/{n}", CRAWL, "page", 1, 1, None, None)
        )
        sha, blob = writer.prepare(os.urandom(90_000))  # incompressible: 90 KB stored each
        store.add_result(result_row(uid, sha), None, blob)
        committed = reader.execute("SELECT count(*) FROM results").fetchone()[0]
        assert committed == (3 if n == 3 else 0)  # the third body passes 200 KB
    store.close()


def test_a_second_writer_of_the_same_job_waits_for_the_first(tmp_path):
    """After a sharded crawl, the checks of two sites of one shard may write its database at
    once: opening and committing wait for the other writer instead of failing as locked."""
    first = JobStore(tmp_path)
    site = first.create_site("http://x/", ["x"], "2026-01-01")
    first.close()
    locked = threading.Event()

    def other_writer() -> None:  # mid-transaction for 0.3 s, then commits
        conn = sqlite3.connect(tmp_path / "crawl.sqlite", isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO meta VALUES ('holder', 'other')")
        locked.set()
        time.sleep(0.3)
        conn.execute("COMMIT")
        conn.close()

    thread = threading.Thread(target=other_writer)
    thread.start()
    locked.wait(5)
    second = JobStore(tmp_path)  # waits for the other writer, then opens
    uid = second.new_id()
    second.add_url((uid, site, "http://x/1", "http://x/1", CRAWL, "page", 1, 1, None, None))
    second.add_result(result_row(uid), None, None)
    second.flush()
    thread.join()
    assert second.conn.execute("SELECT count(*) FROM results").fetchone()[0] == 1
    second.close()


def test_ids_continue_after_reopening(tmp_path):
    store = JobStore(tmp_path)
    site = store.create_site("http://x/", ["x"], "2026-01-01")
    uid = store.new_id()
    store.add_url((uid, site, "k", "u", CRAWL, "page", 0, 1, None, None))
    store.flush()
    store.close()
    assert JobStore(tmp_path).new_id() == uid + 1


def test_site_stats_are_saved_with_every_commit(tmp_path):
    store = JobStore(tmp_path)
    site = store.create_site("http://x/", ["x"], "2026-01-01")
    stats = store.site_stats[site] = Stats()
    stats.inc("crawl/page/done", 5)
    store.flush()
    assert store.site_row("http://x/")["stats"] == {"crawl/page/done": 5}


def test_evidence_is_content_addressed_and_compressed(tmp_path):
    store = JobStore(tmp_path)
    writer = EvidenceWriter()
    body = "政府网站".encode() * 1000
    sha, blob = writer.prepare(body)
    again, duplicate = writer.prepare(body)
    assert sha == again and duplicate is None
    assert blob[2][:4] == ZSTD_MAGIC and len(blob[2]) < len(body) / 10
    assert decompress(blob[2]) == body
    store.add_result(result_row(1, sha), None, blob)
    store.flush()
    assert load_evidence(sha, tmp_path) == body
    with pytest.raises(KeyError):
        load_evidence("0" * 64, tmp_path)


def test_evidence_of_jobs_written_before_zstd_still_reads(tmp_path):
    """Bodies were zlib streams until zstd: a job directory from then keeps its evidence."""
    store = JobStore(tmp_path)
    body = "<html>旧的证据快照</html>".encode() * 50
    sha = hashlib.sha256(body).hexdigest()
    store.add_result(result_row(1, sha), None, (sha, len(body), zlib.compress(body, 1)))
    store.flush()
    assert load_evidence(sha, tmp_path) == body


def test_remembered_digests_are_bounded(monkeypatch):
    """The digest set only saves compressing a repeated body: bounded, it may forget."""
    monkeypatch.setattr("govsite.crawler.evidence.KNOWN_LIMIT", 3)
    writer = EvidenceWriter()
    for n in range(10):
        writer.prepare(b"page %d" % n)
        assert len(writer._known) <= 3
    _, row = writer.prepare(b"page 0")  # forgotten: compressed again, stored once by the DB
    assert row is not None and decompress(row[2]) == b"page 0"


def test_crawler_imports_no_django():
    code = "import sys, govsite.crawler; print(any(m.startswith('django') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
