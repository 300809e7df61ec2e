"""probe_many: one access per home page, counted as the national rule counts it."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from datetime import UTC, datetime

import pytest

from govsite.crawler.stats import Stats
from govsite.monitoring.probe import PROBE_TIMEOUT, probe_many, probe_settings

TIMEOUT = 0.5  # stands in for the rule's 15 s


def probe(*urls: str, **kwargs):
    kwargs.setdefault("timeout", TIMEOUT)
    return asyncio.run(probe_many(list(urls), **kwargs))


def test_a_healthy_home_page_is_ok_with_status_time_and_utc_instant(web_server):
    before = datetime.now(UTC)
    [outcome] = probe(f"{web_server.base}/ok")
    assert outcome.ok and outcome.status == 200 and outcome.error == ""
    assert outcome.url == outcome.final_url == f"{web_server.base}/ok"
    assert 0 <= outcome.elapsed < TIMEOUT
    assert outcome.at.tzinfo is UTC and before <= outcome.at <= datetime.now(UTC)


def test_a_redirect_to_a_healthy_page_is_ok_and_ends_there(web_server):
    [outcome] = probe(f"{web_server.base}/moved")
    assert outcome.ok and outcome.status == 200
    assert outcome.final_url == f"{web_server.base}/ok"


def test_a_redirect_to_a_missing_page_is_a_failure(web_server):
    [outcome] = probe(f"{web_server.base}/moved-to-missing")
    assert not outcome.ok and outcome.status == 404 and outcome.error == "http_404"


def test_a_server_error_is_a_failure_with_its_status(web_server):
    [outcome] = probe(f"{web_server.base}/500")
    assert not outcome.ok and outcome.status == 500 and outcome.error == "http_500"


def test_a_failure_is_never_retried_one_access_counts_once(web_server):
    before = web_server.hits["/503"]
    [outcome] = probe(f"{web_server.base}/503")
    assert outcome.error == "http_503"  # the crawler would retry a 503; the probe must not
    assert web_server.hits["/503"] == before + 1


def test_a_page_that_hangs_past_the_timeout_is_a_timeout_failure(web_server):
    started = time.monotonic()
    [outcome] = probe(f"{web_server.base}/hang")
    assert not outcome.ok and outcome.status is None and outcome.error == "timeout"
    assert TIMEOUT * 0.9 <= outcome.elapsed < TIMEOUT + 0.5
    assert time.monotonic() - started < TIMEOUT + 1.0


def test_a_closed_port_is_a_connection_failure(web_server):
    [outcome] = probe(web_server.closed)
    assert not outcome.ok and outcome.status is None and outcome.error == "connect"


def test_a_malformed_url_is_a_failure_not_an_exception():
    [outcome] = probe("http://[not-an-address/")
    assert not outcome.ok and outcome.error == "invalid_url"


def test_many_probes_run_concurrently_and_come_back_in_order(web_server):
    urls = [f"{web_server.base}/hang"] * 4 + [f"{web_server.base}/ok", web_server.closed]
    stats = Stats()
    started = time.monotonic()
    outcomes = probe(*urls, concurrency=10, stats=stats)
    assert time.monotonic() - started < 2 * TIMEOUT + 1.0  # 4 hangs in parallel, not in series
    assert [o.url for o in outcomes] == urls
    assert [o.error for o in outcomes] == ["timeout"] * 4 + ["", "connect"]
    assert stats["monitor/probe/failed/timeout"] == 4 and stats["monitor/probe/ok"] == 1


def test_concurrency_bounds_the_probes_in_flight(web_server):
    started = time.monotonic()
    outcomes = probe(*[f"{web_server.base}/hang"] * 3, concurrency=1, timeout=0.3)
    assert [o.error for o in outcomes] == ["timeout"] * 3
    assert time.monotonic() - started >= 0.85  # one at a time: three timeouts in series


def test_probe_settings_give_one_deadline_and_no_retries():
    s = probe_settings()
    assert s.retry_times == 0
    assert s.total_timeout == s.connect_timeout == s.read_timeout == PROBE_TIMEOUT == 15.0
    with pytest.raises(ValueError):
        probe_settings(timeout=0)


def test_the_prober_imports_no_django():
    code = (
        "import sys, govsite.monitoring.probe; "
        "sys.exit(any(m == 'django' or m.startswith('django.') for m in sys.modules))"
    )
    assert subprocess.run([sys.executable, "-c", code], timeout=60).returncode == 0
