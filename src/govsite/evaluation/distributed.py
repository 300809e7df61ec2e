"""``govsite evaluate --workers celery``: one Celery task per site, gathered into RESULT.json.

The gatherer (:func:`evaluate_with_celery`, run by ``govsite evaluate``) sends one
``govsite.evaluate_site`` task per site to the Redis named by ``REDIS_URL``. ``govsite
worker`` processes run them (:func:`evaluate_one_site`, through ``evaluation/tasks.py``). The
gatherer prints progress as results arrive and writes the same document as the local
:func:`govsite.evaluation.run.evaluate`. It needs no Django; only the workers set it up.

A site's crawl lives in ``<job dir>/site-<sha1(url)[:12]>/``, so the path depends only on
the job dir and the URL. The job dir must therefore be on storage every worker sees (a local
disk when all workers share one machine, NFS otherwise). The gatherer sends it as an absolute
path.

When a worker dies in the middle of a site, the task is acknowledged late
(``CELERY_TASK_ACKS_LATE``), so its message stays "unacked" in Redis. Once it has been unacked
for ``GOVSITE_CELERY_VISIBILITY_TIMEOUT`` seconds (default 3600, see ``govsite/celery.py``),
another worker takes it back. That worker resumes the same crawl, and pages already fetched
are not fetched again. The Redis transport cannot tell a dead worker from a slow one. A site
that runs longer than the visibility timeout is therefore delivered a second time while the
first run is still going. A per-site lock (``claim.lock``, released by the kernel when its
process dies) makes the second delivery wait for the first, then return the finished crawl.
That costs a worker slot, so set the timeout above your longest site evaluation. A site whose
task starts ``MAX_ATTEMPTS`` times without finishing (a worker crashing on it each time) fails
instead of being redelivered forever.

Nothing is dropped silently. A site whose task fails, or whose result has not arrived within
the overall timeout (``GOVSITE_CELERY_EVALUATE_TIMEOUT``, default 24 h), still appears in
RESULT.json, with ``"crawl": {"state": "error", "error": …}`` and no findings. In that case
``govsite evaluate`` writes RESULT.json and exits with 1. Without ``REDIS_URL``, or when the
broker cannot be reached, it writes nothing and exits with 2 (:class:`CeleryUnavailable`).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from govsite.evaluation.sites import FIELDS, SiteSpec
from govsite.lib.env import EnvError, env_int, env_str

if TYPE_CHECKING:
    from celery import Celery

    from govsite.evaluation.run import EvaluateOptions

TASK_NAME = "govsite.evaluate_site"
# How long the gatherer waits for all results (seconds). At the crawl defaults (10,000 pages,
# 0.5 s between requests) one large site takes hours. The limit guards against a run that
# would otherwise hang forever when no worker is running.
DEFAULT_TIMEOUT = 24 * 3600
# A site's task may start this often (each start after a worker died on it) before it fails.
MAX_ATTEMPTS = 3


class CeleryUnavailable(RuntimeError):
    """No broker to send the tasks to: ``REDIS_URL`` unset or unreachable (exit code 2)."""


class SiteAbandoned(RuntimeError):
    """A site whose evaluation kept killing its worker; reported as an error, not retried."""


# --- the worker side ---------------------------------------------------------------------


def site_job_dir(job_dir: str | Path, url: str) -> Path:
    """The crawl directory of one site. It is the same for every delivery of its task, so a
    redelivered task resumes the crawl rather than starting over."""
    return Path(job_dir) / f"site-{hashlib.sha1(url.encode('utf-8')).hexdigest()[:12]}"


def options_payload(options: EvaluateOptions) -> dict:
    """The options as plain JSON for the task message (the check config stays at its
    defaults on the workers, as ``govsite evaluate`` uses them)."""
    return {
        "today": options.today.isoformat(),
        "job_dir": str(Path(options.job_dir).resolve()),  # workers run elsewhere
        "max_pages": options.max_pages,
        "concurrency": options.concurrency,
        "per_host": options.per_host,
        "delay": options.delay,
        "skip_hosts": sorted(options.skip_hosts),
        "check_tls": options.check_tls,
    }


def options_from_payload(payload: dict) -> EvaluateOptions:
    from govsite.evaluation.run import EvaluateOptions

    return EvaluateOptions(
        today=date.fromisoformat(payload["today"]),
        job_dir=Path(payload["job_dir"]),
        max_pages=int(payload["max_pages"]),
        concurrency=int(payload["concurrency"]),
        per_host=int(payload["per_host"]),
        delay=float(payload["delay"]),
        processes=1,
        skip_hosts=frozenset(payload.get("skip_hosts") or ()),
        check_tls=bool(payload.get("check_tls", True)),
    )


def evaluate_one_site(
    site: dict,
    payload: dict,
    *,
    task_id: str | None = None,
    worker: str = "",
    log: Callable[[str], None] = lambda _message: None,
) -> dict:
    """Evaluate one site in this process (the body of the ``govsite.evaluate_site`` task).

    The result is the dict ``evaluate_shard`` returns for the site. Its ``crawl`` entry also
    says which worker produced it and on which attempt.
    """
    from govsite.evaluation.run import evaluate_shard

    spec = SiteSpec(**{key: str(site.get(key) or "") for key in FIELDS})
    options = options_from_payload(payload)
    site_dir = site_job_dir(options.job_dir, spec.url)
    with claim_site(site_dir, spec.url, log):
        attempt = _count_attempt(site_dir, task_id or "local")
        if attempt > MAX_ATTEMPTS:
            raise SiteAbandoned(
                f"站点 {spec.url} 已开始评估 {attempt - 1} 次均未完成"
                "（工作进程可能在评估该站点时反复退出），不再重试"
            )
        log(f"开始评估站点 {spec.url}（第 {attempt} 次，作业目录 {site_dir}）")
        # shard 0 of a one-site "shard": the crawl itself lives in <site dir>/shard-0
        [result] = evaluate_shard([spec], replace(options, job_dir=site_dir), 0)
    result["crawl"]["worker"] = worker
    result["crawl"]["attempt"] = attempt
    log(f"站点 {spec.url} 评估完成：{result['pages_crawled']} 页，{len(result['findings'])} 项问题")
    return result


@contextmanager
def claim_site(site_dir: Path, url: str, log: Callable[[str], None]) -> Iterator[None]:
    """Hold the site's lock while evaluating it. A second delivery of the same task, while the
    first still runs, waits here rather than crawling into the same job database. The kernel
    releases the lock when its holder dies, so a redelivery after a crash goes straight on."""
    site_dir.mkdir(parents=True, exist_ok=True)
    with open(site_dir / "claim.lock", "ab") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log(
                f"站点 {url} 正由另一进程评估（任务被重复投递：评估时间超过了 "
                "GOVSITE_CELERY_VISIBILITY_TIMEOUT），等待其完成"
            )
            fcntl.flock(handle, fcntl.LOCK_EX)
        yield  # closing the file releases the lock


def _count_attempt(site_dir: Path, task_id: str) -> int:
    """Count one more start of this task on this site (under the site's lock)."""
    path = site_dir / "attempts.json"
    try:
        counts = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        counts = {}
    counts[task_id] = int(counts.get(task_id, 0)) + 1
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(counts), encoding="utf-8")
    tmp.replace(path)
    return counts[task_id]


# --- the gatherer side -------------------------------------------------------------------


def error_result(spec: SiteSpec, error: str, job: str = "") -> dict:
    """The RESULT.json entry of a site whose evaluation did not complete."""
    return {
        **spec.as_dict(),
        "pages_crawled": 0,
        "links_checked": 0,
        "crawl": {"state": "error", "error": error, "job": job},
        "findings": [],
    }


def client(redis_url: str) -> Celery:
    """A Celery client for the broker: no Django, only sends tasks and reads results."""
    from celery import Celery

    app = Celery("govsite", broker=redis_url, backend=redis_url, set_as_current=False)
    app.conf.task_always_eager = False
    return app


def evaluate_with_celery(
    specs: list[SiteSpec],
    options: EvaluateOptions,
    stream=sys.stderr,
    *,
    timeout: float | None = None,
) -> dict:
    """Evaluate every site on Celery workers; the document written as RESULT.json (same
    shape as :func:`govsite.evaluation.run.evaluate`, sites in input order)."""
    from kombu.utils.url import maybe_sanitize_url

    redis_url = env_str("REDIS_URL").strip()
    if not redis_url:
        raise CeleryUnavailable(
            "--workers celery 需要设置环境变量 REDIS_URL（例如 redis://127.0.0.1:6379/0），"
            "指向 govsite worker 使用的 Redis。"
        )
    if timeout is None:
        try:
            timeout = env_int("GOVSITE_CELERY_EVALUATE_TIMEOUT", DEFAULT_TIMEOUT)
        except EnvError as exc:
            raise CeleryUnavailable(str(exc)) from None
    if timeout <= 0:
        raise CeleryUnavailable("GOVSITE_CELERY_EVALUATE_TIMEOUT 须为正整数（秒）")
    shown_url = maybe_sanitize_url(redis_url)
    app = client(redis_url)
    try:
        try:
            with app.connection_for_write() as connection:
                connection.ensure_connection(max_retries=2, interval_start=0.5, timeout=5)
        except Exception as exc:  # kombu wraps every transport error differently
            raise CeleryUnavailable(f"无法连接 REDIS_URL（{shown_url}）：{exc}") from None
        return _gather(app, specs, options, stream, timeout, shown_url)
    finally:
        app.close()


def _gather(app, specs, options, stream, timeout: float, shown_url: str) -> dict:
    from celery.exceptions import TimeoutError as CeleryTimeout
    from celery.result import ResultSet

    payload = options_payload(options)
    started = datetime.now(UTC)
    idle_workers = app.control.ping(timeout=1.0)  # before sending: busy solo workers are mute
    # expires: a task still queued when the gatherer has given up is dropped, not run
    sent = [
        app.send_task(TASK_NAME, args=[spec.as_dict(), payload], expires=timeout) for spec in specs
    ]
    index = {result.id: i for i, result in enumerate(sent)}
    sites: list[dict | None] = [None] * len(specs)
    _say(stream, f"已向 {shown_url} 发送 {len(specs)} 个站点评估任务，等待 govsite worker……")
    if not idle_workers:
        _say(stream, "暂未发现空闲的 govsite worker；任务已在队列中，工作进程空闲后即开始处理。")
    done = 0
    try:
        for task_id, meta in ResultSet(sent, app=app).iter_native(timeout=timeout, interval=1.0):
            i = index.get(task_id)
            if i is None or sites[i] is not None:
                continue
            spec = specs[i]
            job = str(site_job_dir(payload["job_dir"], spec.url))
            if meta.get("status") == "SUCCESS" and isinstance(meta.get("result"), dict):
                sites[i] = meta["result"]
            else:
                sites[i] = error_result(spec, _error_text(meta), job)
            done += 1
            site = sites[i]
            if site["crawl"]["state"] == "error":
                what = f"结束：{spec.name} 评估失败：{site['crawl']['error']}"
            else:
                what = (
                    f"完成：{spec.name}，{site['pages_crawled']} 页，{len(site['findings'])} 项问题"
                )
            _say(stream, f"站点 {done}/{len(specs)} {what}")
    except CeleryTimeout:
        pass
    finally:
        missing = [sent[i].id for i, site in enumerate(sites) if site is None]
        try:
            if missing:  # timed out or interrupted: queued tasks need not run any more
                app.control.revoke(missing)
            for result in sent:  # results are in hand; don't keep them in Redis for a day
                result.forget()
        except Exception:  # the broker may be what failed; the error entries say enough
            pass
    for i, spec in enumerate(specs):
        if sites[i] is None:
            job = str(site_job_dir(payload["job_dir"], spec.url))
            sites[i] = error_result(spec, f"{int(timeout)} 秒内未收到评估结果（超时）", job)
    failed = sum(1 for site in sites if site["crawl"]["state"] == "error")
    if failed:
        _say(stream, f"{failed} 个站点未能完成评估（RESULT.json 中 crawl.state 为 error）。")
    return {
        "evaluated_at": started.isoformat(timespec="seconds"),
        "today": options.today.isoformat(),
        "generator": f"govsite evaluate --workers celery (pid {os.getpid()})",
        "job_dir": str(options.job_dir),
        "sites": sites,
    }


def _error_text(meta: dict) -> str:
    status = meta.get("status") or "UNKNOWN"
    result = meta.get("result")
    if isinstance(result, BaseException):
        return f"{type(result).__name__}: {result}"
    if isinstance(result, dict) and "exc_type" in result:
        return f"{result['exc_type']}: {result.get('exc_message')}"
    if status == "REVOKED":
        return "任务已撤销或过期"
    return f"任务状态 {status}: {result!r}"


def _say(stream, line: str) -> None:
    if stream is not None:
        stream.write(line + "\n")
        stream.flush()
