"""The one outbound-HTTP wrapper: every request of the crawler goes through :class:`HttpClient`.

* explicit timeouts (connect, read gap, total per hop, optional overall deadline);
* redirects followed by hand (chain recorded, loops detected, ``max_redirects``);
* bodies streamed and capped at ``max_body_bytes`` *after* decompression: aiohttp's own
  decompression is switched off and we inflate chunk by chunk with ``max_length``, so a gzip
  bomb costs at most the cap in memory;
* only HTML bodies are read (``body="html"``); other types keep status and headers;
* transient failures retried with backoff (``retry.py``), permanent ones reported at once;
* HEAD-then-GET for link checks (:meth:`HttpClient.check`).

:func:`fetch_sync` is the blocking convenience for one-off fetches (no robots, no throttle).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import time
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal
from urllib.parse import urljoin

import aiohttp
from yarl import URL

from .retry import classify_exception, is_transient, retry_delay
from .settings import CrawlSettings
from .stats import Stats
from .throttle import Throttle
from .urls import InvalidURL, fetch_form, origin

BodyPolicy = Literal["html", "all", "none"]
_REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})
# HEAD failures that GET cannot fix: no point asking again with GET.
_NO_GET_FALLBACK = frozenset(
    {"dns", "connect", "tls", "invalid_url", "too_many_redirects", "redirect_loop", "bad_redirect"}
)
_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def utc_now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


@dataclass(slots=True)
class FetchResult:
    url: str  # as requested
    status: int | None = None  # last HTTP status seen (None: no response at all)
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names
    body: bytes = b""  # decoded (gzip/deflate undone), capped; empty when not read
    final_url: str = ""  # after redirects
    error: str | None = None  # reason string (retry.py table), None when all went well
    redirects: list[tuple[str, int]] = field(default_factory=list)  # (url, status) per hop
    elapsed: float = 0.0  # seconds, all hops and retries
    truncated: bool = False  # body cut at max_body_bytes
    method: str = "GET"
    attempts: int = 0
    fetched_at: str = ""  # UTC ISO time the last request started
    body_read: bool = False  # True when the body was read (whatever its length)

    @property
    def content_type(self) -> str:
        """Media type, lower-case, without parameters ('' if none)."""
        value = self.headers.get("content-type", "")
        return value.partition(";")[0].strip().lower()

    @property
    def ok(self) -> bool:
        return self.error is None


class _Deflate:
    """HTTP ``deflate`` is zlib-wrapped by the spec and raw deflate in practice: sniff it."""

    __slots__ = ("_d",)

    def __init__(self) -> None:
        self._d: zlib._Decompress | None = None

    def decompress(self, data: bytes, max_length: int) -> bytes:
        if self._d is None:
            zlib_header = (
                len(data) >= 2 and data[0] & 0x0F == 8 and (data[0] << 8 | data[1]) % 31 == 0
            )
            self._d = zlib.decompressobj(zlib.MAX_WBITS if zlib_header else -zlib.MAX_WBITS)
        return self._d.decompress(data, max_length)

    @property
    def unconsumed_tail(self) -> bytes:
        return self._d.unconsumed_tail if self._d is not None else b""

    def flush(self) -> bytes:
        return self._d.flush() if self._d is not None else b""


def _decompressor(encoding: str):
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        return _Deflate()
    return None


def _looks_like_html(body: bytes) -> bool:
    head = body[:1024].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<!--")) or (
        b"<html" in head or b"<body" in head or b"<title" in head
    )


def _lower_headers(resp: aiohttp.ClientResponse) -> dict[str, str]:
    headers: dict[str, str] = {}
    for name, value in resp.headers.items():
        name = name.lower()
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    return headers


def _content_length(headers: dict[str, str]) -> int | None:
    value = headers.get("content-length")
    if value is None or not value.strip().isdigit():
        return None
    return int(value)


class HttpClient:
    """One aiohttp session (keep-alive pool) plus the policies above. Use ``async with``."""

    def __init__(
        self,
        settings: CrawlSettings | None = None,
        *,
        throttle: Throttle | None = None,
        stats: Stats | None = None,
    ) -> None:
        self.settings = settings or CrawlSettings()
        self.throttle = throttle
        self.stats = stats if stats is not None else Stats()
        self._session: aiohttp.ClientSession | None = None
        s = self.settings
        self._timeout = aiohttp.ClientTimeout(
            total=s.total_timeout, sock_connect=s.connect_timeout, sock_read=s.read_timeout
        )

    async def __aenter__(self) -> HttpClient:
        self.open()
        return self

    async def __aexit__(self, *exc_info) -> None:
        await self.close()

    def open(self) -> None:
        if self._session is not None:
            return
        s = self.settings
        connector = aiohttp.TCPConnector(
            limit=s.global_concurrency + 8,  # the throttle enforces the real cap
            limit_per_host=0,  # the throttle's per-origin cap applies instead
            ttl_dns_cache=300,
            enable_cleanup_closed=True,
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            timeout=self._timeout,
            auto_decompress=False,  # we inflate ourselves, with a cap (decompression bombs)
            headers={
                "User-Agent": s.user_agent,
                "Accept": _ACCEPT,
                "Accept-Encoding": "gzip, deflate",  # only what we can inflate with a cap
                "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5",
            },
            max_line_size=16 * 1024,
            max_field_size=16 * 1024,
        )

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    # -- public API ---------------------------------------------------------------------------

    async def fetch(
        self,
        url: str,
        *,
        method: str = "GET",
        body: BodyPolicy = "html",
        deadline: float | None = None,
        retries: int | None = None,
        retry_exceptions: bool = True,
        stats: Stats | None = None,
    ) -> FetchResult:
        """Fetch ``url`` following redirects, retrying transient failures.

        ``deadline`` is a ``time.monotonic()`` instant after which no attempt starts and any
        running one times out (the home-page probe rule).
        """
        s = self.settings
        stats = self.stats if stats is None else stats
        started = time.monotonic()
        max_retries = s.retry_times if retries is None else retries
        attempt = 0
        while True:
            attempt += 1
            res = await self._follow(url, method, body, deadline, stats)
            reason = res.error
            if reason is None or not is_transient(reason, res.status, s):
                break
            if res.status is None and not retry_exceptions:
                break
            if attempt > max_retries:
                stats.inc("crawl/retry/max_reached")
                break
            delay = retry_delay(attempt, res.status, res.headers.get("retry-after"), s)
            if delay is None:
                stats.inc("crawl/retry/retry_after_too_long")
                break
            if deadline is not None and time.monotonic() + delay >= deadline:
                stats.inc("crawl/retry/deadline")
                break
            stats.inc("crawl/retry/count")
            stats.inc(f"crawl/retry/reason/{reason}")
            if self.throttle is not None and res.status in (429, 503):
                try:  # the whole host is overloaded, not just this URL
                    self.throttle.defer(origin(res.final_url), delay)
                except InvalidURL:
                    pass
            await asyncio.sleep(delay)
        res.attempts = attempt
        res.elapsed = time.monotonic() - started
        return res

    async def check(
        self, url: str, *, deadline: float | None = None, stats: Stats | None = None
    ) -> FetchResult:
        """Is ``url`` alive? HEAD first; GET (body not read) if HEAD is refused or fails."""
        stats = self.stats if stats is None else stats
        if not self.settings.check_with_head:
            return await self.fetch(url, body="none", deadline=deadline, stats=stats)
        head = await self.fetch(
            url, method="HEAD", body="none", deadline=deadline, retry_exceptions=False, stats=stats
        )
        if head.status in self.settings.head_fallback_codes:
            stats.inc(f"crawl/check/head_fallback/http_{head.status}")
        elif head.status is None and head.error not in _NO_GET_FALLBACK:
            stats.inc(f"crawl/check/head_fallback/{head.error}")
        else:
            return head
        get = await self.fetch(url, body="none", deadline=deadline, stats=stats)
        get.elapsed += head.elapsed
        get.attempts += head.attempts
        get.method = "HEAD,GET"
        return get

    # -- internals ----------------------------------------------------------------------------

    async def _follow(
        self, url: str, method: str, body: BodyPolicy, deadline: float | None, stats: Stats
    ) -> FetchResult:
        chain: list[tuple[str, int]] = []
        visits: dict[str, int] = {url: 1}
        current = url
        for _hop in range(self.settings.max_redirects + 1):
            res, location = await self._one(current, method, body, deadline, stats)
            res.url = url
            res.redirects = chain
            if location is None:
                return res
            chain.append((current, res.status or 0))
            stats.inc("crawl/redirect/count")
            try:
                nxt = fetch_form(urljoin(current, location.strip()))
                origin(nxt)
            except (InvalidURL, ValueError, UnicodeError):
                res.error = "bad_redirect"
                stats.inc("crawl/redirect/bad")
                return res
            # A revisit is allowed once if the hop set a cookie (cookie-check redirects of
            # anti-bot gateways); otherwise coming back to a visited URL is a loop.
            allowance = 1 if "set-cookie" in res.headers else 0
            if visits.get(nxt, 0) > allowance:
                res.error = "redirect_loop"
                res.final_url = nxt
                stats.inc("crawl/redirect/loop")
                return res
            visits[nxt] = visits.get(nxt, 0) + 1
            current = nxt
        res.error = "too_many_redirects"
        res.final_url = current
        stats.inc("crawl/redirect/too_many")
        return res

    async def _one(
        self, url: str, method: str, policy: BodyPolicy, deadline: float | None, stats: Stats
    ) -> tuple[FetchResult, str | None]:
        s = self.settings
        res = FetchResult(url=url, method=method, final_url=url)
        kwargs: dict = {}
        if deadline is not None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                res.error = "timeout"
                return res, None
            if remaining < s.total_timeout:
                kwargs["timeout"] = aiohttp.ClientTimeout(
                    total=remaining,
                    sock_connect=min(s.connect_timeout, remaining),
                    sock_read=min(s.read_timeout, remaining),
                )
        try:
            host = origin(url)
            target = URL(url, encoded=True)
        except ValueError:  # InvalidURL too
            res.error = "invalid_url"
            return res, None
        if self._session is None:
            self.open()
        session = self._session
        assert session is not None
        throttle = self.throttle
        slot = await throttle.acquire(host) if throttle is not None else None
        location = None
        try:
            stats.inc(f"crawl/request/method/{method}")
            res.fetched_at = utc_now_iso()
            async with session.request(method, target, allow_redirects=False, **kwargs) as resp:
                status = res.status = resp.status
                stats.inc(f"crawl/response/status/{status}")
                headers = res.headers = _lower_headers(resp)
                if status in _REDIRECT_CODES and "location" in headers:
                    location = headers["location"]
                    await self._drain(resp, headers, method)
                elif method == "HEAD" or policy == "none":
                    await self._drain(resp, headers, method)
                else:
                    mediatype = headers.get("content-type", "").partition(";")[0].strip().lower()
                    if policy == "all" or mediatype in s.html_content_types:
                        await self._read_body(resp, res, stats)
                    elif not mediatype:  # undeclared: read and sniff
                        await self._read_body(resp, res, stats)
                        if res.body and not _looks_like_html(res.body):
                            res.body = b""
                    else:
                        await self._drain(resp, headers, method)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # every failure becomes a reason string
            res.error = classify_exception(exc)
            res.body = b""
            stats.inc(f"crawl/exception/{res.error}")
        finally:
            if slot is not None:
                assert throttle is not None
                throttle.release(slot)
        if res.error is None and res.status is not None and res.status >= 400 and not location:
            res.error = f"http_{res.status}"
        return res, location

    async def _drain(self, resp: aiohttp.ClientResponse, headers: dict, method: str) -> None:
        """Consume a small unwanted body so the connection can be reused; close if big."""
        if method == "HEAD":
            return
        length = _content_length(headers)
        limit = self.settings.drain_bytes
        if length is not None and length > limit:
            resp.close()
            return
        got = 0
        content = resp.content
        while True:
            chunk = await content.readany()
            if not chunk:
                return
            got += len(chunk)
            if got > limit:
                resp.close()
                return

    async def _read_body(
        self, resp: aiohttp.ClientResponse, res: FetchResult, stats: Stats
    ) -> None:
        s = self.settings
        cap = s.max_body_bytes
        headers = res.headers
        encoding = headers.get("content-encoding", "").strip().lower()
        dec = _decompressor(encoding) if encoding and encoding != "identity" else None
        if encoding and encoding != "identity" and dec is None:
            stats.inc(f"crawl/response/unsupported_encoding/{encoding[:20]}")
            await self._drain(resp, headers, res.method)
            return
        length = _content_length(headers)
        if dec is None and length is not None and length > cap and not s.truncate_large:
            resp.close()
            res.error = "too_large"
            stats.inc("crawl/response/too_large")
            return
        chunks: list[bytes] = []
        size = wire = 0
        truncated = bad_encoding = False
        content = resp.content
        while True:
            chunk = await content.readany()
            if not chunk:
                break
            wire += len(chunk)
            if dec is None:
                if size + len(chunk) > cap:
                    chunks.append(chunk[: cap - size])
                    size = cap
                    truncated = True
                    break
                chunks.append(chunk)
                size += len(chunk)
                continue
            try:
                data = dec.decompress(chunk, cap - size + 1)
                while True:
                    if size + len(data) > cap:
                        chunks.append(data[: cap - size])
                        size = cap
                        truncated = True
                        break
                    chunks.append(data)
                    size += len(data)
                    tail = dec.unconsumed_tail
                    if not tail:
                        break
                    data = dec.decompress(tail, cap - size + 1)
            except zlib.error:
                bad_encoding = True
                break
            if truncated:
                wire -= len(dec.unconsumed_tail)  # compressed bytes actually inflated
                break
        if dec is not None and not truncated and not bad_encoding:
            try:
                data = dec.flush()
            except zlib.error:
                data = b""
                bad_encoding = True
            if size + len(data) > cap:
                data = data[: cap - size]
                truncated = True
            chunks.append(data)
            size += len(data)
        if bad_encoding:
            stats.inc("crawl/response/bad_content_encoding")
            resp.close()
            if not size:
                res.error = "bad_response"
        res.body_read = True
        if truncated:
            resp.close()
            if dec is not None and size / max(wire, 1) > s.max_compression_ratio:
                res.error = "decompression_bomb"
                stats.inc("crawl/response/decompression_bomb")
                return
            stats.inc("crawl/response/too_large")
            if not s.truncate_large:
                res.error = "too_large"
                return
            res.truncated = True
        res.body = chunks[0] if len(chunks) == 1 else b"".join(chunks)


def fetch_sync(
    url: str, timeout: float = 15.0, settings: CrawlSettings | None = None
) -> FetchResult:
    """Fetch one URL and read its body (any content type, capped), blocking.

    ``timeout`` is the overall deadline in seconds, redirects and retries included. No
    robots.txt and no throttle: meant for one-off fetches a person asked for. Safe to call
    from inside a running event loop (it then runs in a helper thread).
    """
    s = settings or CrawlSettings()
    s = s.replace(total_timeout=min(s.total_timeout, timeout))

    async def run() -> FetchResult:
        async with HttpClient(s) as client:
            return await client.fetch(url, body="all", deadline=time.monotonic() + timeout)

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(run())
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, run()).result()
