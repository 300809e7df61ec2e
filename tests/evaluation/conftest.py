from __future__ import annotations

import asyncio
import threading

import pytest
from aiohttp import web


@pytest.fixture
def aiohttp_site():
    """Serve ``{path: html}`` on 127.0.0.1 from a background thread; returns the base URL."""
    loops = []

    def start(pages: dict[str, str]) -> str:
        loop = asyncio.new_event_loop()
        ready = threading.Event()
        holder = {}

        async def handler(request):
            body = pages.get(request.path)
            if body is None:
                return web.Response(status=404, text="not found")
            return web.Response(text=body, content_type="text/html", charset="utf-8")

        async def main():
            app = web.Application()
            app.router.add_route("*", "/{tail:.*}", handler)
            runner = web.AppRunner(app)
            await runner.setup()
            site = web.TCPSite(runner, "127.0.0.1", 0)
            await site.start()
            holder["port"] = site._server.sockets[0].getsockname()[1]
            holder["runner"] = runner
            ready.set()

        thread = threading.Thread(target=lambda: (loop.run_until_complete(main()), loop.run_forever()),
                                  daemon=True)  # fmt: skip
        thread.start()
        ready.wait(10)
        loops.append((loop, holder["runner"], thread))
        return f"http://127.0.0.1:{holder['port']}"

    yield start
    for loop, runner, thread in loops:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
