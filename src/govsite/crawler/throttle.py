"""Politeness: a per-origin concurrency cap and minimum delay, under one global cap.

Keyed by origin (scheme+host+port), so ``127.0.0.1:8101`` and ``127.0.0.1:8102`` are separate
hosts (scrapy and lychee key by host name only). The host slot is taken before the global one,
so a request waiting out a host's delay does not hold a global slot other hosts could use.
"""

from __future__ import annotations

import asyncio
import time

from .settings import CrawlSettings


class HostSlot:
    __slots__ = ("origin", "sem", "delay", "next_start", "users")

    def __init__(self, origin: str, concurrency: int, delay: float) -> None:
        self.origin = origin
        self.sem = asyncio.Semaphore(concurrency)
        self.delay = delay
        self.next_start = 0.0  # time.monotonic() before which no request may start
        self.users = 0  # holders + waiters; idle slots may be dropped


class Throttle:
    def __init__(self, settings: CrawlSettings) -> None:
        self._concurrency = settings.per_host_concurrency
        self._delay = settings.per_host_delay
        self._global = asyncio.Semaphore(settings.global_concurrency)
        self._slots: dict[str, HostSlot] = {}

    def _slot(self, origin: str) -> HostSlot:
        slot = self._slots.get(origin)
        if slot is None:
            if len(self._slots) > 10_000:
                self._prune()
            slot = self._slots[origin] = HostSlot(origin, self._concurrency, self._delay)
        return slot

    def _prune(self) -> None:
        now = time.monotonic()
        for key, slot in list(self._slots.items()):
            if slot.users == 0 and slot.next_start <= now and slot.delay == self._delay:
                del self._slots[key]

    def set_delay(self, origin: str, delay: float) -> None:
        """Per-origin delay override (robots.txt ``Crawl-delay``); never below the default."""
        slot = self._slot(origin)
        slot.delay = max(self._delay, delay)

    def delay_of(self, origin: str) -> float:
        slot = self._slots.get(origin)
        return slot.delay if slot is not None else self._delay

    def defer(self, origin: str, seconds: float) -> None:
        """Hold every request to ``origin`` back by ``seconds`` (a ``Retry-After``)."""
        slot = self._slot(origin)
        slot.next_start = max(slot.next_start, time.monotonic() + seconds)

    async def acquire(self, origin: str) -> HostSlot:
        slot = self._slot(origin)
        slot.users += 1
        try:
            await slot.sem.acquire()
        except BaseException:
            slot.users -= 1
            raise
        try:
            if slot.delay > 0 or slot.next_start:
                now = time.monotonic()
                while slot.next_start > now:
                    await asyncio.sleep(slot.next_start - now)
                    now = time.monotonic()
                slot.next_start = now + slot.delay
            await self._global.acquire()
        except BaseException:
            slot.sem.release()
            slot.users -= 1
            raise
        return slot

    def release(self, slot: HostSlot) -> None:
        self._global.release()
        slot.sem.release()
        slot.users -= 1
