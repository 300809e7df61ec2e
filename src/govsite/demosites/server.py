"""Serve generated demo sites: one aiohttp application per site, each on its own port.

All sites run in one process and one event loop. Behaviour per site comes from the
``demosites.json`` written by :func:`govsite.demosites.generate.generate`:

* static files with ``Content-Type: text/html; charset=…`` matching the site's encoding
  (the meta-trap site gets a bare ``text/html``);
* ``path?query`` is served from the file ``path@query`` when it exists (the ``?page=2`` and
  ``show.asp?id=…`` sites), otherwise from ``path`` itself (a search page ignores its query);
* 404 for anything missing, 500 for the site's error paths, a delay for its slow paths;
* the unreachable site gets no listener at all (connection refused) or, with
  ``unreachable="hang"``, a listener that accepts and never answers;
* the dead-link port is simply never bound.

Use it as ``with serve(root) as server:`` (a background thread runs the loop) or
``async with serve(root) as server:`` (inside a running loop).
"""

from __future__ import annotations

import asyncio
import json
import threading
from pathlib import Path
from typing import Any

from aiohttp import web

_TYPES: dict[str, str] = {
    ".html": "text/html",
    ".htm": "text/html",
    ".shtml": "text/html",
    ".asp": "text/html",
    ".jsp": "text/html",
    ".do": "text/html",
    ".css": "text/css",
    ".js": "application/javascript",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".gif": "image/gif",
    ".doc": "application/msword",
    ".xls": "application/vnd.ms-excel",
    ".pdf": "application/pdf",
    ".txt": "text/plain",
    ".xml": "application/xml",
}

_NOT_FOUND = (
    "<!DOCTYPE html><html><head><title>404 Not Found</title></head><body>"
    "<h1>404 Not Found</h1><p>您访问的页面不存在或已被删除。</p></body></html>"
)
_SERVER_ERROR = (
    "<!DOCTYPE html><html><head><title>500 Internal Server Error</title></head><body>"
    "<h1>500 Internal Server Error</h1><p>系统繁忙，请稍后再试。</p></body></html>"
)


def load_config(root: Path) -> dict[str, Any]:
    path = Path(root) / "demosites.json"
    config = json.loads(path.read_text("utf-8"))
    if "sites" not in config:
        raise ValueError(f"{path} is incomplete: generate the demo sites again")
    return config


def _content_type(name: str, charset: str | None) -> tuple[str, str | None]:
    suffix = Path(name.split("@", 1)[0]).suffix.lower()
    ctype = _TYPES.get(suffix, "application/octet-stream")
    if ctype == "text/html":
        return ctype, charset
    if ctype in ("text/css", "application/javascript", "text/plain"):
        return ctype, "utf-8"
    return ctype, None


def site_app(site: dict[str, Any], docroot: Path, slow_seconds: float) -> web.Application:
    """The aiohttp application for one site (see the module docstring)."""
    docroot = docroot.resolve()
    charset = site.get("charset")
    errors = set(site.get("errors", ()))
    slow = set(site.get("slow", ()))

    def error_page(status: int, body: str) -> web.Response:
        return web.Response(
            status=status,
            body=body.encode(charset or "utf-8", errors="replace"),
            content_type="text/html",
            charset=charset,
        )

    def find(path: str, query: str) -> Path | None:
        rel = path.lstrip("/")
        if "@" in rel or any(part in ("..", ".") for part in rel.split("/")):
            return None
        if rel == "" or rel.endswith("/"):
            rel += "index.html"
        candidates = [f"{rel}@{query}", rel] if query else [rel]
        for candidate in candidates:
            target = (docroot / candidate).resolve()
            if target.is_relative_to(docroot) and target.is_file():
                return target
        return None

    async def handle(request: web.Request) -> web.StreamResponse:
        path = request.path
        if path in errors:
            return error_page(500, _SERVER_ERROR)
        if path in slow:
            await asyncio.sleep(slow_seconds)
        target = find(path, request.query_string)
        if target is None:
            return error_page(404, _NOT_FOUND)
        ctype, cs = _content_type(target.name, charset)
        return web.Response(body=target.read_bytes(), content_type=ctype, charset=cs)

    app = web.Application()
    app.router.add_get("/{tail:.*}", handle)
    return app


class DemoServer:
    """Runs every site of a generated root on 127.0.0.1 (see the module docstring)."""

    def __init__(
        self,
        root: Path,
        host: str = "127.0.0.1",
        *,
        slow_seconds: float | None = None,
        unreachable: str = "refuse",
    ) -> None:
        if unreachable not in ("refuse", "hang"):
            raise ValueError("unreachable must be 'refuse' or 'hang'")
        self.root = Path(root)
        self.host = host
        self.config = load_config(self.root)
        self.slow_seconds = (
            float(slow_seconds) if slow_seconds is not None else self.config["slow_seconds"]
        )
        self.unreachable = unreachable
        self._runners: list[web.AppRunner] = []
        self._hangers: list[asyncio.base_events.Server] = []
        self._hung: set[asyncio.StreamWriter] = set()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def sites(self) -> list[dict[str, Any]]:
        return list(self.config["sites"])

    def url(self, site: dict[str, Any]) -> str:
        return f"http://{self.host}:{site['port']}/"

    @property
    def urls(self) -> list[str]:
        return [self.url(s) for s in self.sites]

    async def start(self) -> None:
        try:
            for site in self.sites:
                if site.get("unreachable"):
                    if self.unreachable == "hang":
                        server = await asyncio.start_server(self._hang, self.host, site["port"])
                        self._hangers.append(server)
                    continue
                app = site_app(site, self.root / site["docroot"], self.slow_seconds)
                runner = web.AppRunner(app, access_log=None, handle_signals=False)
                await runner.setup()
                self._runners.append(runner)
                await web.TCPSite(runner, self.host, site["port"], reuse_address=True).start()
        except OSError:
            await self.stop()
            raise

    async def _hang(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._hung.add(writer)
        try:
            while await reader.read(4096):
                pass
        finally:
            self._hung.discard(writer)
            writer.close()

    async def stop(self) -> None:
        for server in self._hangers:
            server.close()
        for writer in list(self._hung):
            writer.close()
        for server in self._hangers:
            await server.wait_closed()
        self._hangers.clear()
        for runner in self._runners:
            await runner.cleanup()
        self._runners.clear()

    async def __aenter__(self) -> DemoServer:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # ---- blocking use: the loop runs in a background thread

    def __enter__(self) -> DemoServer:
        ready = threading.Event()
        failure: list[BaseException] = []
        self._loop = asyncio.new_event_loop()

        def run() -> None:
            assert self._loop is not None
            asyncio.set_event_loop(self._loop)
            try:
                self._loop.run_until_complete(self.start())
            except BaseException as exc:  # reported to the caller below
                failure.append(exc)
                ready.set()
                return
            ready.set()
            self._loop.run_forever()
            self._loop.run_until_complete(self.stop())

        self._thread = threading.Thread(target=run, name="govsite-demosites", daemon=True)
        self._thread.start()
        ready.wait()
        if failure:
            self._thread.join()
            self._loop.close()
            raise failure[0]
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._loop is not None and self._thread is not None
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()
        self._thread = None
        self._loop = None


def serve(
    root: Path,
    host: str = "127.0.0.1",
    *,
    slow_seconds: float | None = None,
    unreachable: str = "refuse",
) -> DemoServer:
    """Return a server for the sites generated under ``root``; use it as a context manager.

    ``with serve(root):`` runs the event loop in a background thread; ``async with
    serve(root):`` runs it in the current loop. ``slow_seconds`` overrides the configured
    delay of the slow page (tests use a short one).
    """
    return DemoServer(root, host, slow_seconds=slow_seconds, unreachable=unreachable)


async def run_forever(
    root: Path,
    host: str = "127.0.0.1",
    *,
    stop: asyncio.Event | None = None,
    unreachable: str = "refuse",
) -> None:
    """Serve until ``stop`` is set (or the task is cancelled)."""
    stop = stop or asyncio.Event()
    async with serve(root, host, unreachable=unreachable):
        await stop.wait()
