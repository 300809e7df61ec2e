"""``govsite evaluate --workers celery``: one task per site on ``govsite worker`` processes,
gathered into the same RESULT.json as a local run; a worker killed mid-site loses nothing."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from contextlib import closing
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from govsite.celery import broker_transport_options
from govsite.evaluation.distributed import (
    SiteAbandoned,
    claim_site,
    error_result,
    evaluate_one_site,
    options_from_payload,
    options_payload,
    site_job_dir,
)
from govsite.evaluation.run import EvaluateOptions
from govsite.evaluation.sites import SiteSpec

GOVSITE = Path(sys.executable).with_name("govsite")
TODAY = date(2025, 11, 20)
# Our own database: this test flushes it, and tests/core/test_celery.py uses db 15.
REDIS_URL = urlunsplit(
    urlsplit(os.environ.get("GOVSITE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15"))._replace(
        path="/14"
    )
)
# Demo sites whose findings do not depend on a closed port: the dead-link port and the
# unreachable site could be bound by another test's server running at the same time.
SITE_KEYS = ("fgw", "jyj", "wjw", "gjj", "jgswj", "baisha")
VISIBILITY_TIMEOUT = 5  # seconds before a dead worker's task goes to another worker
# as tests/core/test_celery.py starts them; one site at a time per worker
WORKER_ARGS = ["--concurrency=1", "--pool=solo", "--without-gossip", "--without-mingle",
               "--queues=celery"]  # fmt: skip
STARTED = re.compile(r"开始评估站点 (\S+)（第 1 次")


def redis_available() -> bool:
    import redis

    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError:
        return False


def require_redis() -> None:
    if not redis_available():
        if os.environ.get("CI"):
            pytest.fail(f"CI needs Redis at {REDIS_URL}")
        pytest.skip(f"no Redis at {REDIS_URL}")


def finding_keys(site: dict) -> set[tuple[str, str]]:
    return {(f["code"], f.get("url") or f.get("item") or "") for f in site["findings"]}


def write_sites(path: Path, specs: list[SiteSpec]) -> Path:
    lines = ["name,url,unit,category"] + [f"{s.name},{s.url},{s.unit},{s.category}" for s in specs]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# --- without a broker --------------------------------------------------------------------


def test_celery_workers_without_redis_url_exit_2_naming_it(tmp_path, monkeypatch, capsys):
    from govsite.cli import main

    monkeypatch.delenv("REDIS_URL", raising=False)
    sites = write_sites(tmp_path / "sites.csv", [SiteSpec("某局", "http://127.0.0.1:9/")])
    out = tmp_path / "RESULT.json"
    assert main(["evaluate", str(sites), "--out", str(out), "--workers", "celery"]) == 2
    assert "REDIS_URL" in capsys.readouterr().err
    assert not out.exists()


def test_site_whose_task_failed_is_in_result_and_exit_code_is_1(tmp_path, monkeypatch):
    from govsite.evaluation import command, distributed

    def fake(specs, options):
        error = error_result(specs[0], "WorkerLostError: 工作进程退出")
        return {"evaluated_at": "", "today": "", "generator": "", "job_dir": "", "sites": [error]}

    monkeypatch.setattr(distributed, "evaluate_with_celery", fake)
    sites = write_sites(tmp_path / "sites.csv", [SiteSpec("某局", "http://127.0.0.1:9/")])
    out = tmp_path / "RESULT.json"
    assert command.main([str(sites), "--out", str(out), "--workers", "celery"]) == 1
    [site] = json.loads(out.read_text(encoding="utf-8"))["sites"]
    assert site["crawl"]["state"] == "error" and site["findings"] == []


# --- the worker side, in-process ---------------------------------------------------------


def test_options_travel_as_plain_json_with_an_absolute_job_dir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    options = EvaluateOptions(today=TODAY, job_dir=Path("jobs/1"), delay=0.1,
                              skip_hosts=frozenset({"bszs.conac.cn"}), check_tls=False)  # fmt: skip
    payload = json.loads(json.dumps(options_payload(options)))
    back = options_from_payload(payload)
    assert back.job_dir == tmp_path / "jobs/1"
    assert (back.today, back.delay, back.skip_hosts, back.check_tls) == (
        TODAY, 0.1, frozenset({"bszs.conac.cn"}), False
    )  # fmt: skip


def test_site_job_dir_depends_only_on_job_dir_and_url(tmp_path):
    a = site_job_dir(tmp_path, "http://a.gov.cn/")
    assert a == site_job_dir(str(tmp_path), "http://a.gov.cn/")
    assert a != site_job_dir(tmp_path, "http://b.gov.cn/")
    assert re.fullmatch(r"site-[0-9a-f]{12}", a.name)


def test_second_delivery_waits_for_the_first_to_finish_the_site(tmp_path):
    claimed = threading.Event()

    def second() -> None:
        with claim_site(tmp_path, "http://a.gov.cn/", lambda _m: None):
            claimed.set()

    with claim_site(tmp_path, "http://a.gov.cn/", lambda _m: None):
        thread = threading.Thread(target=second, daemon=True)
        thread.start()
        assert not claimed.wait(0.3)
    assert claimed.wait(5)
    thread.join(5)


def test_site_that_keeps_killing_its_workers_is_abandoned(tmp_path):
    url = "http://127.0.0.1:9/"
    payload = options_payload(EvaluateOptions(today=TODAY, job_dir=tmp_path))
    site_dir = site_job_dir(tmp_path, url)
    site_dir.mkdir(parents=True)
    (site_dir / "attempts.json").write_text(json.dumps({"t1": 3}), encoding="utf-8")
    with pytest.raises(SiteAbandoned, match="3 次"):
        evaluate_one_site({"name": "某局", "url": url}, payload, task_id="t1")


def test_redelivery_sweep_scales_with_the_visibility_timeout():
    assert broker_transport_options(3600) == {
        "visibility_timeout": 3600, "unacked_restore_interval": 10, "unacked_restore_throttle": 10
    }  # fmt: skip
    assert broker_transport_options(5) == {
        "visibility_timeout": 5, "unacked_restore_interval": 1, "unacked_restore_throttle": 1
    }  # fmt: skip


# --- two real workers on Redis, one killed mid-site --------------------------------------


class Procs:
    """Subprocesses in their own process groups, all killed in ``close``."""

    def __init__(self) -> None:
        self.procs: list[subprocess.Popen] = []

    def start(self, args: list[str], env: dict, log: Path) -> subprocess.Popen:
        with open(log, "wb") as out:
            proc = subprocess.Popen(args, env=env, stdin=subprocess.DEVNULL, stdout=out,
                                    stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
        self.procs.append(proc)
        return proc

    def close(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)


def read(log: Path) -> str:
    return log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""


def wait_for(condition, seconds: float, what: str, logs: list[Path]):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    pytest.fail(f"timed out after {seconds} s waiting for {what}\n" + tail(logs))


def tail(logs: list[Path]) -> str:
    return "\n".join(f"--- {log.name}\n{read(log)[-3000:]}" for log in logs)


def fetched_rows(db: Path) -> dict[int, str] | None:
    """url_id → fetched_at of a crawl still running, or None (not started, or finished)."""
    if not db.exists():
        return None
    try:
        with closing(sqlite3.connect(db, timeout=1)) as conn:
            states = {row[0] for row in conn.execute("SELECT state FROM sites")}
            if states != {"running"}:
                return None
            return dict(conn.execute("SELECT url_id, fetched_at FROM results"))
    except sqlite3.Error:  # created but not yet set up: look again
        return None


@pytest.mark.redis
def test_worker_killed_mid_site_its_site_is_finished_by_the_other(tmp_path):
    require_redis()
    import redis

    from govsite.demosites import generate, serve
    from govsite.demosites.ports import free_base_port

    redis.Redis.from_url(REDIS_URL).flushdb()
    manifest = generate(tmp_path / "demo", TODAY, base_port=free_base_port())
    specs = [SiteSpec(s.name, s.url, s.unit, s.category)
             for s in manifest.sites if s.key in SITE_KEYS]  # fmt: skip
    sites = write_sites(tmp_path / "sites.csv", specs)
    env = {**os.environ, "GOVSITE_DATA_DIR": str(tmp_path), "PYTHONIOENCODING": "utf-8"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("REDIS_URL", None)
    common = [str(sites), "--today", TODAY.isoformat(), "--no-tls", "--skip-host", "bszs.conac.cn"]
    celery_env = {**env, "REDIS_URL": REDIS_URL,
                  "GOVSITE_CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
                  "GOVSITE_CELERY_EVALUATE_TIMEOUT": "80"}  # fmt: skip
    job_dir = tmp_path / "celery-job"
    logs = {name: tmp_path / f"{name}.log" for name in ("w1", "w2", "evaluate")}
    procs = Procs()
    started = time.monotonic()
    with serve(manifest.out_dir, slow_seconds=0.6):
        local = subprocess.run(
            [str(GOVSITE), "evaluate", *common, "--out", str(tmp_path / "local.json"),
             "--delay", "0", "--job-dir", str(tmp_path / "local-job")],
            env=env, capture_output=True, timeout=60,
        )  # fmt: skip
        assert local.returncode == 0, local.stderr.decode(errors="replace")
        try:
            workers = {
                name: procs.start(
                    [str(GOVSITE), "worker", *WORKER_ARGS, f"-n{name}@%h"], celery_env, logs[name]
                )  # fmt: skip
                for name in ("w1", "w2")
            }
            wait_for(lambda: all(" ready." in read(logs[n]) for n in workers), 60,
                     "both workers to be ready", list(logs.values()))  # fmt: skip
            evaluate = procs.start(
                [str(GOVSITE), "evaluate", *common, "--out", str(tmp_path / "celery.json"),
                 "--delay", "0.01", "--job-dir", str(job_dir), "--workers", "celery"],
                celery_env, logs["evaluate"],
            )  # fmt: skip

            def w1_in_the_middle_of_a_site():
                for url in STARTED.findall(read(logs["w1"])):
                    rows = fetched_rows(site_job_dir(job_dir, url) / "shard-0" / "crawl.sqlite")
                    if rows is not None and len(rows) >= 30:
                        return url, rows
                return None

            victim, fetched_before_kill = wait_for(
                w1_in_the_middle_of_a_site, 30, "w1 to be in the middle of a site", list(logs.values())
            )  # fmt: skip
            os.killpg(workers["w1"].pid, signal.SIGKILL)
            assert workers["w1"].wait(timeout=10) == -signal.SIGKILL
            try:
                code = evaluate.wait(timeout=85)
            except subprocess.TimeoutExpired:
                pytest.fail(
                    "govsite evaluate --workers celery did not finish\n" + tail(list(logs.values()))
                )
        finally:
            procs.close()
    elapsed = time.monotonic() - started
    assert code == 0, tail(list(logs.values()))

    expected = json.loads((tmp_path / "local.json").read_text(encoding="utf-8"))
    document = json.loads((tmp_path / "celery.json").read_text(encoding="utf-8"))
    assert set(document) == {"evaluated_at", "today", "generator", "job_dir", "sites",
                             "ruleset", "ranking"}  # fmt: skip
    assert [site["url"] for site in document["sites"]] == [spec.url for spec in specs]
    for mine, theirs in zip(document["sites"], expected["sites"], strict=True):
        assert mine["crawl"]["state"] == theirs["crawl"]["state"] == "finished"
        assert finding_keys(mine) == finding_keys(theirs), mine["url"]
        assert mine["pages_crawled"] == theirs["pages_crawled"], mine["url"]
    assert finding_keys(document["sites"][0])  # the comparison compares something

    [killed] = [site for site in document["sites"] if site["url"] == victim]
    assert killed["crawl"]["worker"].startswith("w2@")
    assert killed["crawl"]["attempt"] >= 2
    # The other worker resumed the crawl: what was fetched before the kill was not refetched.
    with closing(
        sqlite3.connect(site_job_dir(job_dir, victim) / "shard-0" / "crawl.sqlite")
    ) as conn:
        after = dict(conn.execute("SELECT url_id, fetched_at FROM results"))
    assert {k: after.get(k) for k in fetched_before_kill} == fetched_before_kill
    assert f"站点 {len(specs)}/{len(specs)} 完成" in read(logs["evaluate"])
    assert elapsed < 90, f"took {elapsed:.0f} s"
