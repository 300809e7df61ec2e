"""One access of each home page, as the national rule counts them (no Django here).

* One GET per URL through the crawler's :class:`~govsite.crawler.http.HttpClient`, redirects
  followed, **no retries**: the rule counts every access once, so a retry would hide exactly
  the failures it is meant to count.
* ``timeout`` (15 s by the rule) is the only limit: connect, read gap and the whole access
  (redirects and body included) share one deadline. A slower first byte is not a failure as
  long as the page is complete within 15 s.
* ok means the last answer was 2xx; 4xx/5xx, timeouts, connection, DNS and TLS errors,
  redirect loops are failures, each with the crawler's reason string (``retry.py``).
* HTML bodies are read (a page that stalls half-way has not opened) but capped at
  ``PROBE_MAX_BODY``: the body is thrown away, and 50 probes in flight stay small in memory.
* No robots.txt and no per-host throttle: one request per site per round is no load.

Counters: ``monitor/probe/ok``, ``monitor/probe/failed/<reason>`` plus the client's own.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from govsite.crawler.http import HttpClient
from govsite.crawler.settings import CrawlSettings
from govsite.crawler.stats import Stats

# National rule: an access that still fails after 15 s counts as a failure.
PROBE_TIMEOUT = 15.0
# Probes in flight at once; a round over 1,000 sites then takes at most 20 x 15 s.
PROBE_CONCURRENCY = 50
# Seconds between two rounds: 3,000 s gives 28.8 rounds a day, so a day keeps its 20 probes
# (the rule's minimum) even when a few rounds are lost to a restart or a slow round.
PROBE_INTERVAL = 3000
# Body bytes read per home page before we stop (the page has evidently opened by then).
PROBE_MAX_BODY = 1024 * 1024
# Extra seconds after ``timeout`` before the outer guard gives up on a probe that the
# client's own timeouts somehow did not end (belt and braces: a round must always finish).
_GUARD = 5.0


@dataclass(frozen=True, slots=True)
class ProbeOutcome:
    url: str  # as given
    ok: bool
    status: int | None  # last HTTP status seen; None when nothing answered
    elapsed: float  # seconds, redirects included
    error: str  # reason string ("timeout", "connect", "http_500", ...); "" when ok
    final_url: str  # after redirects
    at: datetime  # UTC instant the probe started


def probe_settings(
    timeout: float = PROBE_TIMEOUT,
    concurrency: int = PROBE_CONCURRENCY,
    base: CrawlSettings | None = None,
) -> CrawlSettings:
    """The crawler settings of a probe: one deadline, no retries, a small body cap."""
    if timeout <= 0 or concurrency <= 0:
        raise ValueError("timeout and concurrency must be > 0")
    s = base or CrawlSettings()
    return s.replace(
        connect_timeout=timeout,
        read_timeout=timeout,
        total_timeout=timeout,
        home_timeout=timeout,
        retry_times=0,
        global_concurrency=concurrency,
        max_body_bytes=min(s.max_body_bytes, PROBE_MAX_BODY),
        truncate_large=True,
    )


async def probe_many(
    urls: Iterable[str],
    timeout: float = PROBE_TIMEOUT,
    concurrency: int = PROBE_CONCURRENCY,
    *,
    settings: CrawlSettings | None = None,
    stats: Stats | None = None,
) -> list[ProbeOutcome]:
    """Access each URL once; outcomes in the order given."""
    urls = list(urls)
    s = probe_settings(timeout, concurrency, settings)
    stats = stats if stats is not None else Stats()
    gate = asyncio.Semaphore(concurrency)
    async with HttpClient(s, stats=stats) as client:

        async def one(url: str) -> ProbeOutcome:
            async with gate:
                return await _probe(client, url, timeout, stats)

        return list(await asyncio.gather(*(one(url) for url in urls)))


async def _probe(client: HttpClient, url: str, timeout: float, stats: Stats) -> ProbeOutcome:
    at = datetime.now(UTC)
    started = time.monotonic()
    try:
        async with asyncio.timeout(timeout + _GUARD):
            res = await client.fetch(url, deadline=started + timeout, retries=0)
    except TimeoutError:
        stats.inc("monitor/probe/failed/timeout")
        elapsed = time.monotonic() - started
        return ProbeOutcome(url, False, None, elapsed, "timeout", url, at)
    status = res.status
    ok = res.error is None and status is not None and 200 <= status < 300
    error = "" if ok else (res.error or f"http_{status}")
    stats.inc("monitor/probe/ok" if ok else f"monitor/probe/failed/{error}")
    return ProbeOutcome(url, ok, status, res.elapsed, error, res.final_url or url, at)
