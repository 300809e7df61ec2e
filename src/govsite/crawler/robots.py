"""robots.txt, fetched once per origin and cached (protego parses it).

RFC 9309 outcomes: 2xx -> the rules apply; 4xx (404 above all) -> everything allowed;
5xx, timeouts and network errors -> the RFC says "assume disallowed", but a government site
whose robots.txt is broken must still be supervised, so we allow and record the failure
(``crawl/robots/fetch/<reason>`` and :attr:`RobotsInfo.error`).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from protego import Protego

from govsite.pages.decode import decode_html

from .http import HttpClient
from .stats import Stats
from .urls import origin as origin_of


@dataclass(slots=True)
class RobotsInfo:
    origin: str
    status: int | None = None
    error: str | None = None  # why the rules could not be read (then all is allowed)
    rules: Protego | None = None  # None: allow everything
    crawl_delay: float | None = None


class RobotsCache:
    def __init__(self, client: HttpClient) -> None:
        self._client = client
        self._settings = client.settings
        self._infos: dict[str, RobotsInfo] = {}
        self._pending: dict[str, asyncio.Future[RobotsInfo]] = {}

    def info(self, origin: str) -> RobotsInfo | None:
        return self._infos.get(origin)

    async def get(self, origin: str, stats: Stats) -> RobotsInfo:
        info = self._infos.get(origin)
        if info is not None:
            return info
        pending = self._pending.get(origin)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[RobotsInfo] = asyncio.get_running_loop().create_future()
        self._pending[origin] = future
        try:
            info = await self._fetch(origin, stats)
        except BaseException as exc:
            info = RobotsInfo(origin, error=f"error_{type(exc).__name__}")
            self._infos[origin] = info
            future.set_result(info)
            raise
        finally:
            self._pending.pop(origin, None)
        self._infos[origin] = info
        future.set_result(info)
        return info

    async def allowed(self, url: str, stats: Stats, origin: str | None = None) -> bool:
        if not self._settings.obey_robots:
            return True
        info = await self.get(origin or origin_of(url), stats)
        if info.rules is None:
            return True
        ok = info.rules.can_fetch(url, self._settings.robots_user_agent)
        if not ok:
            stats.inc("crawl/robots/forbidden")
        return ok

    async def _fetch(self, origin: str, stats: Stats) -> RobotsInfo:
        s = self._settings
        res = await self._client.fetch(
            f"{origin}/robots.txt",
            body="all",
            deadline=time.monotonic() + s.robots_timeout,
            retries=1,
            stats=stats,
        )
        info = RobotsInfo(origin, status=res.status)
        if res.status is not None and 200 <= res.status < 300 and res.error is None:
            stats.inc("crawl/robots/fetch/ok")
            text, _ = decode_html(res.body[: s.robots_max_bytes], res.headers.get("content-type"))
            if text.strip():
                info.rules = Protego.parse(text)
                delay = info.rules.crawl_delay(s.robots_user_agent)
                if delay is not None:
                    info.crawl_delay = float(delay)
        elif res.status is not None and 400 <= res.status < 500:
            stats.inc("crawl/robots/fetch/not_found")  # 4xx: no rules, all allowed
        else:
            info.error = res.error or f"http_{res.status}"
            stats.inc(f"crawl/robots/fetch/failed/{info.error}")
        return info
