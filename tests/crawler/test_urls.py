"""Normalisation and the keys derived from URLs."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from govsite.crawler.urls import UrlCache, canonical, fetch_form, origin, site_key


def test_canonical_form_dedupes_equivalent_urls():
    assert canonical("http://WWW.X.gov.cn:80/a/../b/?b=2&a=1") == "http://www.x.gov.cn/b/?a=1&b=2"
    assert canonical("https://x.gov.cn:443/政府") == "https://x.gov.cn/%E6%94%BF%E5%BA%9C"
    assert canonical("http://x.gov.cn/a#frag") == canonical("http://x.gov.cn/a")
    assert canonical("http://x.gov.cn:8080/") != canonical("http://x.gov.cn/")


def test_fetch_form_keeps_query_order_but_drops_the_fragment():
    assert fetch_form("http://x.gov.cn/list?b=2&a=1#top") == "http://x.gov.cn/list?b=2&a=1"
    assert fetch_form("http://x.gov.cn") == "http://x.gov.cn/"


def test_origin_includes_the_port_so_local_sites_are_separate_hosts():
    assert origin("http://127.0.0.1:8101/a") != origin("http://127.0.0.1:8102/a")
    assert origin("HTTP://X.gov.cn/a") == "http://x.gov.cn:80"
    assert origin("https://x.gov.cn/") == "https://x.gov.cn:443"


def test_site_key_treats_www_and_bare_host_as_one_site():
    assert site_key("http://www.x.gov.cn/") == site_key("https://x.gov.cn/a") == "x.gov.cn"
    assert site_key("http://fgw.x.gov.cn/") != site_key("http://x.gov.cn/")
    assert site_key("http://127.0.0.1:8101/") == "127.0.0.1:8101"


def test_url_cache_rejects_unusable_urls():
    cache = UrlCache(max_entries=2)
    assert cache.get("mailto:a@b") is None
    assert cache.get("http://x:99999/") is None
    assert cache.get("http://x.gov.cn/a")[1:] == ("http://x.gov.cn/a", "x.gov.cn", False)
    assert cache.get("http://x.gov.cn/b") is not None  # cleared when full, still correct


URLS = r"https?://[a-z]{1,8}\.gov\.cn(:[1-9][0-9]{1,3})?(/[a-z0-9.]{0,6}){0,4}(\?[a-z=&0-9]{0,12})?"


@given(st.from_regex(URLS, fullmatch=True))
def test_canonical_is_idempotent(url):
    assert canonical(canonical(url)) == canonical(url)


def test_url_cache_entries_share_equal_strings():
    """Most URLs are already in fetch and canonical form: one string serves all three."""
    url = "http://www.x.gov.cn/a/b.html"
    fetch, key, site, attachment = UrlCache().get(url)
    assert fetch is url and key is url and site == "x.gov.cn" and not attachment


URL_PIECES = ["http://", "https://", "HTTP://", "a", "-", "A", "gov", ".", "cn", ":", "80", "443",
              "8080", "0", "/", "//", "x", "~", "_", "..", "%20", "?", "q=1", "#", "中", " ",
              "xn--fiq228c", "@"]  # fmt: skip


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(URL_PIECES), min_size=2, max_size=14).map("".join))
def test_a_url_taken_as_plain_is_what_w3lib_returns_unchanged(url):
    from govsite.crawler.urls import is_plain

    if is_plain(url):
        assert fetch_form(url) == url and canonical(url) == url
        assert UrlCache().get(url)[:2] == (url, url)


def test_plain_urls_skip_w3lib_and_others_do_not():
    from govsite.crawler.urls import is_plain

    assert is_plain("http://127.0.0.1:28101/art/a00488.html")
    assert is_plain("https://www.gov.cn/zhengce/") and is_plain("http://a.gov.cn:8080/x~y/z_1.htm")
    for url in ["http://A.gov.cn/", "http://a.gov.cn", "http://a.gov.cn:80/x", "https://a:443/",
                "http://a/b/../c", "http://a//b", "http://a/b?x=1", "http://a/b#f", "http://a/中",
                "http://a/%41"]:  # fmt: skip
        assert not is_plain(url), url
