"""A crawl killed with SIGKILL and started again with the same job directory ends with exactly
what an uninterrupted crawl has: same URLs, same results, same links, every body present."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from govsite.crawler.selfbench import make_web

CHILD = Path(__file__).with_name("crawl_child.py")


def run_child(base: str, job_dir: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(CHILD), f"{base}/", str(job_dir)])


def results_done(job_dir: Path) -> int:
    path = job_dir / "crawl.sqlite"
    if not path.exists():
        return 0
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1)
        try:
            return conn.execute("SELECT count(*) FROM results").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.OperationalError:  # schema not created yet
        return 0


def snapshot(job_dir: Path) -> dict:
    conn = sqlite3.connect(job_dir / "crawl.sqlite")
    try:
        urls = set(
            conn.execute(
                "SELECT u.url, u.action, u.kind, u.skip_reason, r.status, r.error, r.body_sha256"
                " FROM urls u LEFT JOIN results r ON r.url_id = u.id"
            )
        )
        links = sorted(
            conn.execute(
                "SELECT s.url, d.url, l.kind, l.text FROM links l"
                " JOIN urls s ON s.id = l.src_id JOIN urls d ON d.id = l.dst_id"
            )
        )
        missing_bodies = conn.execute(
            "SELECT count(*) FROM results r LEFT JOIN blobs b ON b.sha256 = r.body_sha256"
            " WHERE r.body_sha256 IS NOT NULL AND b.sha256 IS NULL"
        ).fetchone()[0]
        unfinished = conn.execute(
            "SELECT count(*) FROM urls u LEFT JOIN results r ON r.url_id = u.id"
            " WHERE u.action != 0 AND r.url_id IS NULL"
        ).fetchone()[0]
        state = conn.execute("SELECT state FROM sites").fetchone()[0]
    finally:
        conn.close()
    return {
        "urls": urls,
        "links": links,
        "missing_bodies": missing_bodies,
        "unfinished": unfinished,
        "state": state,
    }


def test_crawl_killed_with_sigkill_resumes_and_loses_nothing(serve_site, closed_port, tmp_path):
    webs, truth = make_web(1, 150, [0], [closed_port()])
    site, base = serve_site(webs[0])

    full_dir = tmp_path / "full"
    assert run_child(base, full_dir).wait(timeout=60) == 0
    full = snapshot(full_dir)
    full_gets = sum(n for key, n in site.hits.items() if key.startswith("GET "))
    site.hits.clear()
    assert full["state"] == "finished" and full["unfinished"] == 0

    job_dir = tmp_path / "killed"
    child = run_child(base, job_dir)
    deadline = time.monotonic() + 30
    while results_done(job_dir) < 60 and time.monotonic() < deadline and child.poll() is None:
        time.sleep(0.01)
    os.kill(child.pid, signal.SIGKILL)
    assert child.wait(timeout=10) == -signal.SIGKILL
    at_kill = results_done(job_dir)
    assert 60 <= at_kill < len(full["urls"]) - 50, "the kill must land mid-crawl"
    assert snapshot(job_dir)["state"] == "running"

    assert run_child(base, job_dir).wait(timeout=60) == 0
    resumed = snapshot(job_dir)
    assert resumed["state"] == "finished"
    assert resumed["unfinished"] == 0 and resumed["missing_bodies"] == 0
    assert resumed["urls"] == full["urls"]
    assert resumed["links"] == full["links"]  # every link once: nothing lost, nothing doubled
    # Work done before the last commit is not redone: only URLs in flight or not yet
    # committed at the kill (a few commit batches and workers' worth) are fetched twice.
    both_runs_gets = sum(n for key, n in site.hits.items() if key.startswith("GET "))
    assert both_runs_gets - full_gets <= 30
