"""A local web server on 127.0.0.1 for the probes: healthy, failing, hanging and redirecting
home pages on one aiohttp app in a background thread; each handler bounded in time."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections import Counter
from types import SimpleNamespace

import pytest
from aiohttp import web

HANG_SECONDS = 5.0  # far beyond the tests' probe timeout; cancelled when the client leaves


def make_app(hits: Counter) -> web.Application:
    async def count(request, response):
        hits[request.path] += 1
        return response

    async def ok(request):
        return await count(request, web.Response(text="<html><title>首页</title></html>"))

    async def error(request):
        return await count(request, web.Response(status=500, text="<html>error</html>"))

    async def busy(request):
        return await count(request, web.Response(status=503, text="busy"))

    async def hang(request):
        hits[request.path] += 1
        await asyncio.sleep(HANG_SECONDS)
        return web.Response(text="too late")

    async def moved(request):
        hits[request.path] += 1
        raise web.HTTPFound("/ok")

    async def moved_to_missing(request):
        hits[request.path] += 1
        raise web.HTTPFound("/missing")

    app = web.Application()
    app.router.add_get("/ok", ok)
    app.router.add_get("/500", error)
    app.router.add_get("/503", busy)
    app.router.add_get("/hang", hang)
    app.router.add_get("/moved", moved)
    app.router.add_get("/moved-to-missing", moved_to_missing)
    return app


@pytest.fixture(scope="session")
def web_server():
    """``.base`` ("http://127.0.0.1:PORT"), ``.hits`` (Counter of paths), ``.closed`` (a URL
    on a port nobody listens on)."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    hits: Counter = Counter()

    async def start():
        runner = web.AppRunner(make_app(hits), access_log=None, handler_cancellation=True)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        return runner

    runner = asyncio.run_coroutine_threadsafe(start(), loop).result(10)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    yield SimpleNamespace(
        base=f"http://127.0.0.1:{runner.addresses[0][1]}",
        hits=hits,
        closed=f"http://127.0.0.1:{closed_port}/",
    )
    asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(10)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(5)
