"""Fixtures for the demo-site tests: a generated tree on free ports and one full crawl of it.

The crawl is a small, independent reference crawler (regex link extraction plus the three
pagination schemes, frames and ``window.open``); the ground truth must agree with it.
"""

from __future__ import annotations

import asyncio
import html
import re
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import aiohttp
import pytest

from govsite.demosites import generate, serve
from govsite.demosites.generate import CHARSETS, Manifest, SiteInfo
from govsite.demosites.ports import free_base_port

TODAY = date(2025, 11, 20)
SLOW_TEST_SECONDS = 0.6

_LINK = re.compile(r"""(?:href|src)\s*=\s*["']([^"']*)["']""", re.I)
_OPEN = re.compile(r"""window\.open\(\s*['"]([^'"]+)['"]""")
_PAGER = re.compile(
    r"""createPageHTML\(\s*(\d+)\s*,\s*(\d+)\s*,\s*["']([^"']+)["']\s*,\s*["']([^"']+)["']\s*\)"""
)


def url_to_file(site: SiteInfo, url: str) -> Path:
    parts = urlsplit(url)
    rel = parts.path.lstrip("/")
    if not rel or rel.endswith("/"):
        rel += "index.html"
    if parts.query:
        rel += "@" + parts.query
    return site.docroot / rel


def codec(site: SiteInfo) -> str:
    return CHARSETS[site.charset][0]


@dataclass
class SiteCrawl:
    pages: dict[str, str] = field(default_factory=dict)  # 200 HTML page → decoded text
    status: dict[str, int | str] = field(default_factory=dict)  # target → status / "refused"
    links: dict[str, set[str]] = field(default_factory=dict)  # target → pages linking to it
    elapsed: dict[str, float] = field(default_factory=dict)
    content_type: dict[str, str] = field(default_factory=dict)
    skipped: set[str] = field(default_factory=set)  # disallowed by robots.txt
    outside: set[str] = field(default_factory=set)  # links to hosts other than 127.0.0.1


def extract_links(page_url: str, text: str) -> set[str]:
    found: set[str] = set()
    for raw in _LINK.findall(text) + _OPEN.findall(text):
        raw = html.unescape(raw).strip()
        if not raw or raw.startswith(("javascript:", "mailto:", "#")):
            continue
        found.add(urljoin(page_url, raw).split("#", 1)[0])
    for count, _current, name, ext in _PAGER.findall(text):
        for i in range(1, int(count)):
            found.add(urljoin(page_url, f"{name}_{i}.{ext}"))
    return found


async def _fetch(session: aiohttp.ClientSession, url: str) -> tuple[int | str, bytes, str, float]:
    start = time.monotonic()
    try:
        async with session.get(url, allow_redirects=False) as resp:
            body = await resp.read()
            return resp.status, body, resp.headers.get("Content-Type", ""), time.monotonic() - start
    except aiohttp.ClientConnectorError:
        return "refused", b"", "", time.monotonic() - start
    except TimeoutError:
        return "timeout", b"", "", time.monotonic() - start


async def crawl_site(session: aiohttp.ClientSession, site: SiteInfo) -> SiteCrawl:
    result = SiteCrawl()
    origin = site.url.rstrip("/")
    status, body, _, _ = await _fetch(session, origin + "/robots.txt")
    disallow = []
    if status == 200:
        for line in body.decode().splitlines():
            if line.lower().startswith("disallow:") and line.split(":", 1)[1].strip():
                disallow.append(line.split(":", 1)[1].strip())
    queue: asyncio.Queue[str] = asyncio.Queue()
    seen = {site.url}
    queue.put_nowait(site.url)

    async def worker() -> None:
        while True:
            url = await queue.get()
            try:
                status, body, ctype, elapsed = await _fetch(session, url)
                result.status[url] = status
                result.elapsed[url] = elapsed
                result.content_type[url] = ctype
                same = url.startswith(origin + "/")
                if not (same and status == 200 and ctype.startswith("text/html")):
                    continue
                text = body.decode(codec(site))
                result.pages[url] = text
                for target in extract_links(url, text):
                    parts = urlsplit(target)
                    if parts.hostname != "127.0.0.1":
                        result.outside.add(target)
                        continue
                    result.links.setdefault(target, set()).add(url)
                    if target.startswith(origin + "/") and any(
                        parts.path.startswith(p) for p in disallow
                    ):
                        result.skipped.add(target)
                        continue
                    if target not in seen:
                        seen.add(target)
                        queue.put_nowait(target)
            finally:
                queue.task_done()

    workers = [asyncio.create_task(worker()) for _ in range(8)]
    await queue.join()
    for w in workers:
        w.cancel()
    return result


async def crawl_all(manifest: Manifest) -> dict[str, SiteCrawl]:
    timeout = aiohttp.ClientTimeout(total=10)
    connector = aiohttp.TCPConnector(limit=64)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
        reachable = [s for s in manifest.sites if s.reachable]
        results = await asyncio.gather(*(crawl_site(session, s) for s in reachable))
    return {s.key: r for s, r in zip(reachable, results, strict=True)}


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Manifest:
    out = tmp_path_factory.mktemp("demosites")
    return generate(out, TODAY, seed=1, scale=1, base_port=free_base_port())


@pytest.fixture(scope="session")
def crawled(demo: Manifest) -> dict[str, SiteCrawl]:
    with serve(demo.out_dir, slow_seconds=SLOW_TEST_SECONDS):
        return asyncio.run(crawl_all(demo))


class Helpers:
    """Plain functions for the test modules (conftest cannot be imported under importlib mode)."""

    today = TODAY
    slow_seconds = SLOW_TEST_SECONDS
    url_to_file = staticmethod(url_to_file)
    codec = staticmethod(codec)
    extract_links = staticmethod(extract_links)
    free_base_port = staticmethod(free_base_port)
    crawl_all = staticmethod(crawl_all)


@pytest.fixture(scope="session")
def h() -> type[Helpers]:
    return Helpers
