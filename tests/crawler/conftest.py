"""Local test servers for the crawler: aiohttp apps on 127.0.0.1, random free ports.

One background thread runs an event loop for the whole session; ``serve(app)`` starts an app
on a fresh port in it and returns the base URL (each call = a separate origin, i.e. a separate
"host" for the throttle). The crawler under test runs in the main thread with ``asyncio.run``.
Every hostile handler is bounded in time and bytes so nothing runs on by itself.
"""

from __future__ import annotations

import asyncio
import gzip
import socket
import struct
import threading
import zlib
from collections import Counter
from collections.abc import Callable

import pytest
from aiohttp import web

from govsite.crawler import CrawlSettings


class ServerLoop:
    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def call(self, coro, timeout: float = 30.0):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    async def _start(self, app: web.Application) -> tuple[web.AppRunner, int]:
        runner = web.AppRunner(app, access_log=None, handler_cancellation=True)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        return runner, port

    def start(self, app: web.Application) -> tuple[web.AppRunner, str]:
        runner, port = self.call(self._start(app))
        return runner, f"http://127.0.0.1:{port}"

    def stop(self, runner: web.AppRunner) -> None:
        self.call(runner.cleanup())

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


@pytest.fixture(scope="session")
def server_loop():
    loop = ServerLoop()
    yield loop
    loop.close()


@pytest.fixture
def serve(server_loop) -> Callable[[web.Application], str]:
    """``serve(app) -> "http://127.0.0.1:PORT"``; stopped after the test."""
    runners = []

    def start(app: web.Application) -> str:
        runner, base = server_loop.start(app)
        runners.append(runner)
        return base

    yield start
    for runner in runners:
        server_loop.stop(runner)


@pytest.fixture
def serve_raw(server_loop):
    """``serve_raw(response: bytes) -> base URL``: a bare TCP server that answers every
    connection with exactly these bytes (for responses aiohttp's server will not produce)."""
    servers = []

    def start(response: bytes) -> str:
        async def handle(reader, writer):
            try:
                await reader.readuntil(b"\r\n\r\n")
                writer.write(response)
                await writer.drain()
            except (ConnectionError, asyncio.IncompleteReadError):
                pass
            finally:
                writer.close()

        async def open_server():
            return await asyncio.start_server(handle, "127.0.0.1", 0)

        server = server_loop.call(open_server())
        servers.append(server)
        return f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"

    yield start

    async def close(server):
        server.close()
        await server.wait_closed()

    for server in servers:
        server_loop.call(close(server))


class Site:
    """A little web site from a dict: ``{path_qs: body | (status, headers, body) | handler}``.

    Counts hits per ``METHOD path?query`` and the highest number of requests in flight.
    ``delay`` makes every response wait that long (to observe concurrency).
    """

    def __init__(self, pages: dict, delay: float = 0.0) -> None:
        self.pages = pages
        self.delay = delay
        self.hits: Counter[str] = Counter()
        self.in_flight = 0
        self.max_in_flight = 0
        self.app = web.Application()
        self.app.router.add_route("*", "/{tail:.*}", self.handle)

    def fetched(self, method: str = "GET") -> set[str]:
        return {key.split(" ", 1)[1] for key in self.hits if key.startswith(method + " ")}

    async def handle(self, request: web.Request) -> web.StreamResponse:
        self.hits[f"{request.method} {request.path_qs}"] += 1
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if self.delay:
                await asyncio.sleep(self.delay)
            page = self.pages.get(request.path_qs, self.pages.get(request.path))
            if page is None:  # "/prefix/*" keys serve a whole subtree
                page = next(
                    (v for k, v in self.pages.items() if k.endswith("*")
                     and request.path.startswith(k[:-1])),
                    None,
                )  # fmt: skip
            if page is None:
                return web.Response(status=404, text="<html>not found</html>",
                                    content_type="text/html")  # fmt: skip
            if callable(page):
                return await page(request)
            if isinstance(page, tuple):
                status, headers, body = page
            else:
                status, headers, body = 200, {"Content-Type": "text/html; charset=utf-8"}, page
            if isinstance(body, str):
                body = body.encode()
            return web.Response(status=status, headers=headers, body=body)
        finally:
            self.in_flight -= 1


@pytest.fixture
def serve_site(serve):
    """``serve_site(pages, delay=0) -> (Site, base URL)``."""

    def start(pages: dict, delay: float = 0.0) -> tuple[Site, str]:
        site = Site(pages, delay)
        return site, serve(site.app)

    return start


def _closed_port() -> int:
    """A loopback port nobody listens on: connecting to it is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _fast_settings(**changes) -> CrawlSettings:
    """Small timeouts and no politeness delays: tests must finish in seconds."""
    base = CrawlSettings(
        connect_timeout=1.0,
        read_timeout=1.0,
        total_timeout=2.0,
        home_timeout=2.0,
        robots_timeout=1.0,
        retry_backoff_base=0.02,
        retry_backoff_max=0.1,
        retry_after_max=2.0,
        per_host_delay=0.0,
        per_host_concurrency=8,
        site_workers=8,
        commit_interval=0.1,
        progress_interval=0.05,
    )
    return base.replace(**changes)


@pytest.fixture
def fast():
    """``fast(**changes) -> CrawlSettings`` with test-sized timeouts and no delays."""
    return _fast_settings


@pytest.fixture
def closed_port():
    """``closed_port() -> int``: a loopback port that refuses connections."""
    return _closed_port


def html(body: str, title: str = "t", charset: str = "utf-8") -> str:
    return (
        f'<!DOCTYPE html><html><head><meta charset="{charset}"><title>{title}</title></head>'
        f"<body>{body}</body></html>"
    )


async def _reset(request: web.Request) -> web.StreamResponse:
    """Abort the TCP connection with RST (SO_LINGER 0), no response at all."""
    transport = request.transport
    sock = transport.get_extra_info("socket")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()
    await asyncio.sleep(0.05)
    return web.Response(status=500)


def _bomb(size: int) -> bytes:
    comp = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    chunk = b"\0" * (1 << 20)
    parts = [comp.compress(chunk) for _ in range(size >> 20)]
    parts.append(comp.flush())
    return b"".join(parts)


class Hostile:
    """One app with every misbehaviour the crawler must survive, and request counters."""

    BOMB_SIZE = 256 << 20  # 256 MiB of zeros, ~250 KB gzipped

    def __init__(self) -> None:
        self.hits: Counter[str] = Counter()
        self.bomb = _bomb(self.BOMB_SIZE)
        self.big = (b"<html><body>" + b"<p>big page</p>" * (20 * 1024 * 1024 // 15))[: 20 << 20]
        self.app = web.Application()
        self.app.middlewares.append(self._count)
        r = self.app.router
        r.add_get("/slow", self.slow)
        r.add_get("/hang", self.hang)
        r.add_get("/endless", self.endless)
        r.add_get("/bomb", self.bomb_handler)
        r.add_get("/big", self.big_handler)
        r.add_get("/loop/a", self.redirect_to("/loop/b"))
        r.add_get("/loop/b", self.redirect_to("/loop/a"))
        r.add_get("/chain/{n}", self.chain)
        r.add_get("/rate/{key}", self.rate_limited)
        r.add_get("/rate-long", self.rate_long)
        r.add_get("/busy/{key}", self.busy)
        r.add_get("/reset", _reset)
        r.add_route("*", "/head405", self.head405)
        r.add_route("*", "/headreset", self.headreset)
        r.add_get("/ok", self.ok)
        r.add_get("/gzip", self.gzipped)
        r.add_get("/deflate/{wrap}", self.deflated)
        r.add_get("/pdf", self.pdf)

    @staticmethod
    def redirect_to(location: str):
        async def handler(request):
            raise web.HTTPFound(location)

        return handler

    async def ok(self, request):
        return web.Response(text=html("ok"), content_type="text/html")

    @web.middleware
    async def _count(self, request, handler):
        self.hits[f"{request.method} {request.path_qs}"] += 1
        return await handler(request)

    async def slow(self, request):
        resp = web.StreamResponse(headers={"Content-Type": "text/html"})
        await resp.prepare(request)
        for _ in range(50):  # at most ~10 s, one byte every 0.2 s
            await resp.write(b"<")
            await asyncio.sleep(0.2)
        return resp

    async def hang(self, request):
        await asyncio.sleep(5)
        return web.Response(text=html("late"), content_type="text/html")

    async def endless(self, request):
        resp = web.StreamResponse(headers={"Content-Type": "text/html"})
        await resp.prepare(request)
        chunk = b"<p>" + b"x" * 65530 + b"</p>"
        try:
            for _ in range(2000):  # bounded: 128 MB at most
                await resp.write(chunk)
        except (ConnectionResetError, RuntimeError):
            pass
        return resp

    async def bomb_handler(self, request):
        return web.Response(
            body=self.bomb, headers={"Content-Type": "text/html", "Content-Encoding": "gzip"}
        )

    async def big_handler(self, request):
        return web.Response(body=self.big, headers={"Content-Type": "text/html"})

    async def chain(self, request):
        n = int(request.match_info["n"])
        if n <= 0:
            return web.Response(text=html("end of chain"), content_type="text/html")
        raise web.HTTPFound(f"/chain/{n - 1}")

    async def rate_limited(self, request):
        key = request.match_info["key"]
        self.hits[f"rate:{key}"] += 1
        if self.hits[f"rate:{key}"] == 1:
            return web.Response(status=429, headers={"Retry-After": "1"})
        return web.Response(text=html("served"), content_type="text/html")

    async def rate_long(self, request):
        return web.Response(status=429, headers={"Retry-After": "3600"})

    async def busy(self, request):
        key = request.match_info["key"]
        self.hits[f"busy:{key}"] += 1
        if self.hits[f"busy:{key}"] <= 2:
            return web.Response(status=503)
        return web.Response(text=html("recovered"), content_type="text/html")

    async def head405(self, request):
        if request.method == "HEAD":
            return web.Response(status=405)
        return web.Response(body=b"%PDF-1.4", content_type="application/pdf")

    async def headreset(self, request):
        if request.method == "HEAD":
            return await _reset(request)
        return web.Response(body=b"GIF89a", content_type="image/gif")

    async def gzipped(self, request):
        body = gzip.compress(html("<p>compressed 压缩</p>").encode())
        return web.Response(
            body=body, headers={"Content-Type": "text/html", "Content-Encoding": "gzip"}
        )

    async def deflated(self, request):
        raw = request.match_info["wrap"] == "raw"  # what many servers send for "deflate"
        comp = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS if raw else zlib.MAX_WBITS)
        body = comp.compress(html("<p>deflated 压缩</p>").encode()) + comp.flush()
        return web.Response(
            body=body, headers={"Content-Type": "text/html", "Content-Encoding": "deflate"}
        )

    async def pdf(self, request):
        return web.Response(body=b"%PDF-1.4" + b"0" * 10000, content_type="application/pdf")


@pytest.fixture(scope="module")
def hostile_server(server_loop):
    """(Hostile, base URL): one server for all hostile-behaviour tests of a module."""
    hostile = Hostile()
    runner, base = server_loop.start(hostile.app)
    yield hostile, base
    server_loop.stop(runner)
