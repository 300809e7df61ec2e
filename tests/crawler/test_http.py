"""The HTTP client against a hostile local server: every failure bounded and classified."""

from __future__ import annotations

import asyncio
import time
import tracemalloc

from govsite.crawler import USER_AGENT, HttpClient, Stats, fetch_sync


def fetch(url: str, settings, **kwargs):
    async def run():
        async with HttpClient(settings) as client:
            return await client.fetch(url, **kwargs), client.stats

    return asyncio.run(run())


def check(url: str, settings):
    async def run():
        async with HttpClient(settings) as client:
            return await client.check(url), client.stats

    return asyncio.run(run())


def test_slow_loris_response_hits_the_total_timeout(hostile_server, fast):
    _, base = hostile_server
    started = time.monotonic()
    res, stats = fetch(f"{base}/slow", fast(total_timeout=1.0, retry_times=0))
    assert res.error == "timeout"
    assert res.status == 200  # headers came, the body never finished
    assert res.body == b""
    assert time.monotonic() - started < 3
    assert stats["crawl/exception/timeout"] == 1


def test_timeouts_are_retried_then_reported(hostile_server, fast):
    _, base = hostile_server
    res, stats = fetch(f"{base}/hang", fast(total_timeout=0.3, retry_times=1))
    assert res.error == "timeout"
    assert res.attempts == 2
    assert stats["crawl/retry/reason/timeout"] == 1
    assert stats["crawl/retry/max_reached"] == 1


def test_endless_body_stops_at_the_size_cap(hostile_server, fast):
    _, base = hostile_server
    cap = 1 << 20
    res, stats = fetch(f"{base}/endless", fast(max_body_bytes=cap))
    assert res.error is None
    assert res.truncated
    assert len(res.body) == cap
    assert stats["crawl/response/too_large"] == 1


def test_endless_body_fails_too_large_when_truncation_is_off(hostile_server, fast):
    _, base = hostile_server
    res, _ = fetch(f"{base}/endless", fast(max_body_bytes=1 << 20, truncate_large=False))
    assert res.error == "too_large"
    assert res.body == b""


def test_gzip_bomb_is_stopped_with_bounded_memory(hostile_server, fast):
    hostile, base = hostile_server
    assert len(hostile.bomb) < 1 << 20 < hostile.BOMB_SIZE  # small on the wire, huge inflated
    cap = 4 << 20
    tracemalloc.start()
    try:
        res, stats = fetch(f"{base}/bomb", fast(max_body_bytes=cap))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert res.error == "decompression_bomb"
    assert res.body == b""
    assert stats["crawl/response/decompression_bomb"] == 1
    assert peak < 4 * cap  # never anywhere near the 256 MiB it inflates to


def test_gzip_bodies_are_inflated(hostile_server, fast):
    _, base = hostile_server
    res, _ = fetch(f"{base}/gzip", fast())
    assert res.error is None
    assert "压缩".encode() in res.body


def test_deflate_bodies_are_inflated_whether_zlib_wrapped_or_raw(hostile_server, fast):
    _, base = hostile_server
    for wrap in ("zlib", "raw"):
        res, _ = fetch(f"{base}/deflate/{wrap}", fast())
        assert "压缩".encode() in res.body, wrap


def test_20mb_page_is_truncated_at_the_cap_and_recorded(hostile_server, fast):
    _, base = hostile_server
    res, stats = fetch(f"{base}/big", fast())  # default cap: 10 MB
    assert res.truncated
    assert len(res.body) == 10 * 1024 * 1024
    assert stats["crawl/response/too_large"] == 1


def test_20mb_page_is_read_whole_when_the_cap_allows(hostile_server, fast):
    _, base = hostile_server
    res, _ = fetch(f"{base}/big", fast(max_body_bytes=32 << 20))
    assert not res.truncated
    assert len(res.body) == 20 << 20


def test_redirect_loop_is_detected(hostile_server, fast):
    _, base = hostile_server
    res, stats = fetch(f"{base}/loop/a", fast())
    assert res.error == "redirect_loop"
    assert [url for url, _ in res.redirects] == [f"{base}/loop/a", f"{base}/loop/b"]
    assert stats["crawl/redirect/loop"] == 1


def test_long_redirect_chain_stops_at_the_limit(hostile_server, fast):
    _, base = hostile_server
    res, stats = fetch(f"{base}/chain/30", fast(max_redirects=5))
    assert res.error == "too_many_redirects"
    assert len(res.redirects) == 6
    assert stats["crawl/redirect/too_many"] == 1


def test_short_redirect_chain_is_followed_and_recorded(hostile_server, fast):
    _, base = hostile_server
    res, _ = fetch(f"{base}/chain/3", fast())
    assert res.error is None and res.status == 200
    assert res.final_url == f"{base}/chain/0"
    assert [status for _, status in res.redirects] == [302, 302, 302]


def test_429_retry_after_is_honoured(hostile_server, fast):
    hostile, base = hostile_server
    started = time.monotonic()
    res, stats = fetch(f"{base}/rate/a", fast())
    assert res.status == 200 and res.error is None
    assert res.attempts == 2
    assert time.monotonic() - started >= 0.95  # waited the second the server asked for
    assert stats["crawl/retry/reason/http_429"] == 1


def test_retry_after_beyond_the_cap_is_reported_not_waited(hostile_server, fast):
    _, base = hostile_server
    started = time.monotonic()
    res, stats = fetch(f"{base}/rate-long", fast())
    assert res.error == "http_429"
    assert res.attempts == 1
    assert time.monotonic() - started < 1
    assert stats["crawl/retry/retry_after_too_long"] == 1


def test_503_is_retried_with_backoff_until_it_recovers(hostile_server, fast):
    _, base = hostile_server
    res, stats = fetch(f"{base}/busy/a", fast())
    assert res.status == 200 and res.attempts == 3
    assert stats["crawl/retry/reason/http_503"] == 2


def test_connection_reset_is_retried_then_reported(hostile_server, fast):
    hostile, base = hostile_server
    res, stats = fetch(f"{base}/reset", fast(retry_times=2))
    assert res.error == "reset"
    assert res.status is None
    assert res.attempts == 3
    assert hostile.hits["GET /reset"] >= 3
    assert stats["crawl/retry/reason/reset"] == 2


def test_permanent_errors_are_not_retried(hostile_server, fast, closed_port):
    _, base = hostile_server
    res, stats = fetch(f"{base}/missing", fast())
    assert res.error == "http_404" and res.attempts == 1
    refused, _ = fetch(f"http://127.0.0.1:{closed_port()}/", fast())
    assert refused.error == "connect" and refused.attempts == 1
    assert "crawl/retry/count" not in stats


def test_head_405_falls_back_to_get(hostile_server, fast):
    hostile, base = hostile_server
    res, stats = check(f"{base}/head405", fast())
    assert res.status == 200 and res.error is None
    assert res.method == "HEAD,GET"
    assert stats["crawl/check/head_fallback/http_405"] == 1
    assert hostile.hits["HEAD /head405"] == 1 and hostile.hits["GET /head405"] == 1


def test_head_failure_falls_back_to_get(hostile_server, fast):
    _, base = hostile_server
    res, stats = check(f"{base}/headreset", fast())
    assert res.status == 200 and res.method == "HEAD,GET"
    assert stats["crawl/check/head_fallback/reset"] == 1


def test_check_of_a_live_target_uses_head_only(hostile_server, fast):
    hostile, base = hostile_server
    res, _ = check(f"{base}/pdf", fast())
    assert res.status == 200 and res.method == "HEAD"
    assert res.body == b""
    assert hostile.hits["GET /pdf"] == 0


def test_non_html_bodies_are_not_read(hostile_server, fast):
    _, base = hostile_server
    res, _ = fetch(f"{base}/pdf", fast())
    assert res.status == 200 and res.content_type == "application/pdf"
    assert res.body == b"" and not res.body_read


def test_undeclared_content_type_is_sniffed(serve_raw, fast):
    page = b"<html><body><a href='/ok'>ok</a></body></html>"
    base = serve_raw(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(page), page))
    res, _ = fetch(f"{base}/", fast())
    assert res.content_type == ""
    assert res.body == page


def test_undeclared_binary_body_is_dropped(serve_raw, fast):
    blob = bytes(range(256)) * 4
    base = serve_raw(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(blob), blob))
    res, _ = fetch(f"{base}/", fast())
    assert res.status == 200 and res.body == b""


def test_malformed_response_is_classified(serve_raw, fast):
    base = serve_raw(b"HTTP/1.1 2OO NOT OK\r\n\r\n")
    res, _ = fetch(f"{base}/", fast())
    assert res.error == "bad_response"
    assert res.attempts == 1


def test_huge_headers_are_classified(serve_raw, fast):
    base = serve_raw(b"HTTP/1.1 200 OK\r\nX-Junk: " + b"a" * 100_000 + b"\r\n\r\n")
    res, _ = fetch(f"{base}/", fast())
    assert res.error == "bad_response"


def test_server_closing_without_response_is_a_reset(serve_raw, fast):
    base = serve_raw(b"")
    res, _ = fetch(f"{base}/", fast(retry_times=1))
    assert res.error == "reset" and res.attempts == 2


def test_requests_carry_the_user_agent(serve, fast):
    from aiohttp import web

    seen = []

    async def echo(request):
        seen.append(request.headers.get("User-Agent"))
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_get("/", echo)
    base = serve(app)
    fetch(f"{base}/", fast())
    assert seen == [USER_AGENT]
    assert "admin@example.gov.cn" in USER_AGENT


def test_fetch_sync_returns_body_headers_and_redirect_chain(hostile_server, fast):
    _, base = hostile_server
    res = fetch_sync(f"{base}/chain/1", timeout=5)
    assert res.status == 200 and res.error is None
    assert res.final_url == f"{base}/chain/0"
    assert res.headers["content-type"].startswith("text/html")
    assert all(name == name.lower() for name in res.headers)
    assert b"end of chain" in res.body
    assert len(res.redirects) == 1 and res.elapsed > 0 and not res.truncated


def test_fetch_sync_deadline_is_the_whole_budget(hostile_server, fast):
    _, base = hostile_server
    started = time.monotonic()
    res = fetch_sync(f"{base}/hang", timeout=0.5)
    assert res.error == "timeout"
    assert time.monotonic() - started < 2


def test_fetch_sync_works_inside_a_running_event_loop(hostile_server, fast):
    _, base = hostile_server

    async def inside():
        return fetch_sync(f"{base}/ok", timeout=5)

    assert asyncio.run(inside()).status == 200


def test_stats_are_namespaced(hostile_server, fast):
    _, base = hostile_server
    _, stats = fetch(f"{base}/ok", fast())
    assert isinstance(stats, Stats)
    assert stats["crawl/request/method/GET"] == 1
    assert stats["crawl/response/status/200"] == 1
    assert all(key.startswith("crawl/") for key in stats)
