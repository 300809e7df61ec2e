"""Per-origin caps and delays under one global cap."""

from __future__ import annotations

import asyncio
import time

from govsite.crawler import CrawlSettings
from govsite.crawler.throttle import Throttle


def run_requests(throttle: Throttle, origins: list[str], hold: float = 0.02):
    peak: dict[str, int] = {}
    now: dict[str, int] = {}
    starts: dict[str, list[float]] = {}
    total = {"now": 0, "peak": 0}

    async def one(origin: str):
        slot = await throttle.acquire(origin)
        try:
            starts.setdefault(origin, []).append(time.monotonic())
            now[origin] = now.get(origin, 0) + 1
            total["now"] += 1
            peak[origin] = max(peak.get(origin, 0), now[origin])
            total["peak"] = max(total["peak"], total["now"])
            await asyncio.sleep(hold)
        finally:
            now[origin] -= 1
            total["now"] -= 1
            throttle.release(slot)

    async def main():
        await asyncio.gather(*(one(o) for o in origins))

    asyncio.run(main())
    return peak, starts, total["peak"]


def test_per_origin_concurrency_is_capped():
    throttle = Throttle(CrawlSettings(per_host_concurrency=2, per_host_delay=0))
    peak, _, _ = run_requests(throttle, ["http://a:80"] * 10 + ["http://b:80"] * 10)
    assert peak == {"http://a:80": 2, "http://b:80": 2}


def test_ports_of_one_address_are_separate_hosts():
    throttle = Throttle(CrawlSettings(per_host_concurrency=1, per_host_delay=0))
    origins = [f"http://127.0.0.1:{8100 + i}" for i in range(5)]
    started = time.monotonic()
    _, _, peak_total = run_requests(throttle, origins, hold=0.1)
    assert peak_total == 5
    assert time.monotonic() - started < 0.3


def test_global_cap_holds_over_all_hosts():
    throttle = Throttle(
        CrawlSettings(global_concurrency=3, per_host_concurrency=4, per_host_delay=0)
    )
    _, _, peak_total = run_requests(throttle, [f"http://h{i}:80" for i in range(12)])
    assert peak_total == 3


def test_minimum_delay_between_request_starts_to_one_host():
    throttle = Throttle(CrawlSettings(per_host_concurrency=4, per_host_delay=0.05))
    _, starts, _ = run_requests(throttle, ["http://a:80"] * 4, hold=0)
    gaps = [b - a for a, b in zip(starts["http://a:80"], starts["http://a:80"][1:], strict=False)]
    assert all(gap >= 0.045 for gap in gaps)


def test_defer_and_crawl_delay_override():
    throttle = Throttle(CrawlSettings(per_host_delay=0.0))
    throttle.set_delay("http://a:80", 2.0)
    assert throttle.delay_of("http://a:80") == 2.0 and throttle.delay_of("http://b:80") == 0.0
    throttle.defer("http://b:80", 0.1)
    started = time.monotonic()
    run_requests(throttle, ["http://b:80"], hold=0)
    assert time.monotonic() - started >= 0.09
