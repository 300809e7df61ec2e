"""Serve the generated sites and crawl them: the ground truth must match what answers."""

from __future__ import annotations

import asyncio
import json
import re
import time
from datetime import date

import aiohttp
import pytest

from govsite.demosites import generate, serve
from govsite.demosites.contract import (
    COLUMN_WINDOWS,
    HOMEPAGE_WINDOW_DAYS,
    MESSAGE_LOOKBACK_DAYS,
    MESSAGE_UNANSWERED_DAYS,
)
from govsite.demosites.generate import Manifest

_DATE = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})")
_TAG = re.compile(r"<[^>]+>")


def _dates(text: str) -> list[date]:
    return [date(int(y), int(m), int(d)) for y, m, d in _DATE.findall(_TAG.sub(" ", text))]


def _findings(demo: Manifest, key: str, code: str) -> list[dict]:
    return [f for f in demo.site(key).findings if f["code"] == code]


def test_every_crawled_page_is_counted(demo, crawled):
    for site in demo.sites:
        if not site.reachable:
            continue
        pages = set(crawled[site.key].pages)
        assert pages == set(site.page_urls), site.key
        assert len(pages) == site.pages


def test_broken_links_match_the_ground_truth(demo, crawled):
    for site in demo.sites:
        if not site.reachable:
            continue
        c = crawled[site.key]
        broken = {
            target: sorted(pages)
            for target, pages in c.links.items()
            if target not in c.skipped and c.status.get(target) in (404, "refused")
        }
        expected = {f["url"]: f["pages"] for f in _findings(demo, site.key, "broken_link")}
        assert broken == expected, site.key
        errors = {t for t in c.links if c.status.get(t) == 500}
        assert errors == {f["url"] for f in _findings(demo, site.key, "server_error")}
        for target, status in c.status.items():
            if target not in expected and target not in errors:
                assert status == 200, (site.key, target, status)
        for target in expected:
            assert c.status[target] in (404, 500, "refused")


def test_only_outside_address_is_the_conac_badge(demo, crawled):
    for site in demo.sites:
        if site.reachable:
            assert all(u.startswith("http://bszs.conac.cn/") for u in crawled[site.key].outside)


def test_robots_disallowed_link_is_not_followed(demo, crawled):
    c = crawled["tjj"]
    admin = demo.site("tjj").url + "admin/login.jsp"
    assert admin in c.skipped and admin not in c.status


def test_slow_page_is_slow_and_only_it(demo, crawled, h):
    slow = [f["url"] for s in demo.sites for f in s.findings if f["code"] == "slow_page"]
    assert len(slow) == 1
    config = json.loads(demo.config_path.read_text("utf-8"))
    assert sum(len(s["slow"]) for s in config["sites"]) == 1
    site = next(s for s in demo.sites if slow[0].startswith(s.url))
    assert crawled[site.key].elapsed[slow[0]] >= h.slow_seconds
    # Timed one at a time, away from the crawl's contention: only the slow page is slow.
    others = [site.url, *site.page_urls[1:4], site.columns[0].url]

    async def timed(urls: list[str]) -> list[float]:
        out = []
        async with aiohttp.ClientSession() as session:
            for url in urls:
                start = time.monotonic()
                async with session.get(url) as resp:
                    await resp.read()
                out.append(time.monotonic() - start)
        return out

    with serve(demo.out_dir, slow_seconds=h.slow_seconds):
        slow_t, *other_t = asyncio.run(timed([slow[0], *others]))
    assert slow_t >= h.slow_seconds
    assert max(other_t) < h.slow_seconds


def test_http_charset_headers(demo, crawled):
    expected = {"utf-8": "utf-8", "gbk": "gbk", "gb2312": "gb2312", "utf-8-meta-gb2312": None}
    for site in demo.sites:
        if not site.reachable:
            continue
        ctype = crawled[site.key].content_type[site.url].lower()
        want = expected[site.charset]
        if want is None:
            assert ctype == "text/html"
        else:
            assert ctype == f"text/html; charset={want}"


def test_column_dates_on_the_served_pages(demo, crawled, h):
    for site in demo.sites:
        if not site.reachable:
            continue
        pages = crawled[site.key].pages
        stale = {f["url"]: f["last_update"] for f in _findings(demo, site.key, "column_stale")}
        empty = {f["url"] for f in _findings(demo, site.key, "column_empty")}
        for column in site.columns:
            dates = [d for p in column.pages for d in _dates(pages[p])]
            if column.items == 0:
                assert not dates and column.url in empty
                continue
            assert max(dates) == column.newest, (site.key, column.name)
            if column.window_days is None:
                assert column.url not in stale
                continue
            assert column.window_days == COLUMN_WINDOWS[column.kind]
            age = (h.today - column.newest).days
            if column.url in stale:
                assert age > column.window_days
                assert stale[column.url] == column.newest.isoformat()
            else:
                assert age <= column.window_days, (site.key, column.name)


def test_homepage_freshness(demo, crawled, h):
    for site in demo.sites:
        if not site.reachable:
            continue
        pages = crawled[site.key].pages
        home = pages.get(site.url + "main.htm") if site.cms == "frames" else pages[site.url]
        newest = max(_dates(home))
        stale = _findings(demo, site.key, "homepage_stale")
        if stale:
            assert stale == [{"code": "homepage_stale", "last_update": newest.isoformat()}]
            assert (h.today - newest).days > HOMEPAGE_WINDOW_DAYS
        else:
            assert (h.today - newest).days <= HOMEPAGE_WINDOW_DAYS, site.key


def test_overdue_messages_counted_from_the_board(demo, crawled, h):
    row = re.compile(r"<td>([^<]*\d)</td><td>([^<]*)</td></tr>")
    for site in demo.sites:
        if not site.reachable:
            continue
        pages = crawled[site.key].pages
        boards = [u for u, t in pages.items() if 'class="board"' in t and "留言须知" in t]
        findings = _findings(demo, site.key, "messages_overdue")
        overdue = 0
        for url in boards:
            for posted, reply in row.findall(pages[url]):
                age = (h.today - _dates(posted)[0]).days
                if reply == "未回复" and MESSAGE_UNANSWERED_DAYS < age <= MESSAGE_LOOKBACK_DAYS:
                    overdue += 1
        if overdue:
            assert [f["count"] for f in findings] == [overdue]
            assert findings[0]["url"] in boards
        else:
            assert not findings


def test_unreachable_site_refuses(demo):
    site = next(s for s in demo.sites if not s.reachable)
    assert [f["code"] for f in site.findings] == ["site_unreachable"]

    async def probe() -> str:
        try:
            async with aiohttp.ClientSession() as session:
                async with session.get(site.url, timeout=aiohttp.ClientTimeout(total=2)):
                    return "answered"
        except aiohttp.ClientConnectorError:
            return "refused"

    with serve(demo.out_dir):
        assert asyncio.run(probe()) == "refused"


def test_unreachable_site_can_hang_instead(demo):
    site = next(s for s in demo.sites if not s.reachable)

    async def probe() -> str:
        try:
            async with aiohttp.ClientSession() as session:
                async with session.get(site.url, timeout=aiohttp.ClientTimeout(total=0.5)):
                    return "answered"
        except TimeoutError:
            return "timeout"

    with serve(demo.out_dir, unreachable="hang"):
        assert asyncio.run(probe()) == "timeout"


def test_async_serve_and_special_statuses(demo):
    wjw, gjj = demo.site("wjw"), demo.site("gjj")

    async def run() -> dict[str, int]:
        out = {}
        async with serve(demo.out_dir, slow_seconds=0):
            async with aiohttp.ClientSession() as session:
                for url in (
                    wjw.url + "wsbs/apply.jsp",
                    wjw.url + "../etc/passwd",
                    wjw.url + "index.html@x",
                    gjj.url + "nothing.html",
                    gjj.url + "robots.txt",
                ):
                    async with session.get(url) as resp:
                        out[url] = resp.status
        return out

    statuses = list(asyncio.run(run()).values())
    assert statuses == [500, 404, 404, 404, 200]


def test_port_in_use_is_reported(demo):
    with serve(demo.out_dir):
        with pytest.raises(OSError):
            with serve(demo.out_dir):
                pass  # pragma: no cover


def _shape(finding: dict) -> tuple:
    return tuple(
        (k, str(v)) for k, v in sorted(finding.items()) if k not in ("url", "pages", "last_update")
    )


def test_dates_are_relative_to_today(demo, tmp_path, h):
    other = date(2026, 3, 1)
    m = generate(tmp_path, other, base_port=h.free_base_port())
    for a, b in zip(demo.sites, m.sites, strict=True):
        assert sorted(map(_shape, a.findings)) == sorted(map(_shape, b.findings)), a.key
        for column in b.columns:
            if column.newest is not None:
                assert column.newest <= other
