"""Scope (internal vs external) and the bounds that keep crawls finite."""

from __future__ import annotations

from datetime import UTC, datetime

from govsite.crawler import CrawlSettings
from govsite.crawler.scope import Bounds, Scope
from govsite.crawler.urls import UrlCache, extension, site_key

NOW = datetime(2026, 6, 1, tzinfo=UTC)


def bounds(**changes) -> Bounds:
    return Bounds(CrawlSettings().replace(**changes), now=NOW)


def test_www_and_bare_host_are_one_site_and_subdomains_are_not():
    scope = Scope("http://www.x.gov.cn/", CrawlSettings())
    assert scope.is_internal_key(site_key("https://x.gov.cn/a"))
    assert not scope.is_internal_key(site_key("http://fgw.x.gov.cn/"))
    assert scope.add_alias("http://new.x.gov.cn/") and scope.is_internal_key("new.x.gov.cn")


def test_document_links_are_attachments():
    cache = UrlCache(attachment_extensions=CrawlSettings().attachment_extensions)
    assert cache.get("http://x.gov.cn/files/a.PDF")[3] is True
    assert cache.get("http://x.gov.cn/a.html")[3] is False
    assert cache.get("http://x.gov.cn/download?f=a.doc")[3] is False  # by path only
    assert extension("http://x/a.tar.gz?x=1.html") == "gz"


def test_calendar_urls_outside_the_plausible_window_are_refused():
    b = bounds()
    for url in ("http://x/cal?month=1850-01", "http://x/cal?year=2099", "http://x/2031/01/",
                "http://x/t20350101_1.html", "http://x/list?y=1800"):  # fmt: skip
        assert b.page_refusal(url, 1) == "calendar", url
    for url in ("http://x/art/1234.html", "http://x/2024/05/06/a.html", "http://x/a_1234_0912.html",
                "http://x/t20260101_1.html", "http://x/cal?month=2027-02"):  # fmt: skip
        assert b.page_refusal(url, 1) is None, url


def test_repeating_segments_and_mazes_are_refused():
    b = bounds(max_path_segments=6)
    assert b.page_refusal("http://x/a/b/a/b/a/b", 1) == "repeating_segments"
    assert b.page_refusal("http://x/a/b/a/b", 1) is None
    assert b.page_refusal("http://x/1/2/3/4/5/6/7", 1) == "maze"


def test_query_explosion_is_bounded_per_path():
    b = bounds(max_query_variants=3)
    refusals = [b.page_refusal(f"http://x/list?sid={i}", 1) for i in range(5)]
    assert refusals == [None, None, None, "query_explosion", "query_explosion"]
    assert b.page_refusal("http://x/other?sid=1", 1) is None


def test_path_patterns_are_bounded():
    b = bounds(max_urls_per_pattern=2)
    refusals = [b.page_refusal(f"http://x/art/{i}/page{i}.html", 1) for i in range(3)]
    assert refusals == [None, None, "pattern_limit"]


def test_page_depth_count_and_length_bounds():
    b = bounds(max_pages=2, max_depth=3, max_url_length=40)
    assert b.page_refusal("http://x/deep", 4) == "max_depth"
    assert b.page_refusal("http://x/" + "a" * 50, 1) == "url_too_long"
    assert b.page_refusal("http://x/1", 1) is None and b.page_refusal("http://x/2", 1) is None
    assert b.page_refusal("http://x/3", 1) == "max_pages"


def test_checks_are_bounded():
    b = bounds(max_checks=1)
    assert b.check_refusal("http://ext/a") is None
    assert b.check_refusal("http://ext/b") == "max_checks"
