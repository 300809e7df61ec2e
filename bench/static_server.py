"""Fallback static server for bench/crawl.py when nginx is not installed.

    python bench/static_server.py WEB_DIR --workers 2 --log-dir DIR [--max-seconds 1800]

Serves ``WEB_DIR/siteNN`` on ``127.0.0.1:PORT`` for every site of ``WEB_DIR/manifest.json``,
from ``--workers`` processes that all listen on every port (SO_REUSEPORT, the kernel spreads
connections), files preloaded into memory, keep-alive, aiohttp's low-level server (no routing,
no access-log formatting). Each worker appends ``port status method path`` lines (the bench's
nginx log format) to ``DIR/access-<n>.log``, buffered and flushed every 0.5 s. Like the nginx
config it sends ``LinkChecker: bench`` (the only way LinkChecker lifts its per-host throttle).
Loopback only; stops on SIGTERM, when stdin closes, or after ``--max-seconds``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import sys
import threading
from pathlib import Path

TYPES = {"html": "text/html; charset=utf-8", "css": "text/css", "js": "application/javascript",
         "png": "image/png", "xml": "application/xml", "txt": "text/plain"}  # fmt: skip
NOT_FOUND = (
    b"<html><head><title>404 Not Found</title></head><body><h1>404 Not Found</h1></body></html>"
)


def load_site(root: Path) -> dict[str, tuple[bytes, str]]:
    files = {}
    for p in root.rglob("*"):
        if p.is_file():
            rel = "/" + p.relative_to(root).as_posix()
            files[rel] = (
                p.read_bytes(),
                TYPES.get(p.suffix.lstrip("."), "application/octet-stream"),
            )
    if "/index.html" in files:
        files["/"] = files["/index.html"]
    return files


def worker(n: int, web: Path, log_dir: Path, max_seconds: float) -> None:
    from aiohttp import web as aioweb

    manifest = json.loads((web / "manifest.json").read_text())
    log = open(log_dir / f"access-{n}.log", "a", buffering=1 << 20)

    async def main() -> None:
        runners = []
        for site in manifest["sites"]:
            files = load_site(web / Path(site["root"]).name)
            port = site["port"]

            async def handler(request, files=files, port=port):
                hit = files.get(request.path)
                if hit is None:
                    log.write(f"{port} 404 {request.method} {request.path_qs}\n")
                    return aioweb.Response(status=404, body=NOT_FOUND, content_type="text/html",
                                           headers={"LinkChecker": "bench"})  # fmt: skip
                log.write(f"{port} 200 {request.method} {request.path_qs}\n")
                body = b"" if request.method == "HEAD" else hit[0]
                return aioweb.Response(
                    body=body,
                    headers={
                        "Content-Type": hit[1],
                        "LinkChecker": "bench",
                        "Content-Length": str(len(hit[0])),
                    },  # fmt: skip
                )

            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            sock.bind(("127.0.0.1", port))
            runner = aioweb.ServerRunner(aioweb.Server(handler), access_log=None)
            await runner.setup()
            await aioweb.SockSite(runner, sock, backlog=1024).start()
            runners.append(runner)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGTERM, stop.set)

        async def flusher():
            while True:
                await asyncio.sleep(0.5)
                log.flush()

        task = asyncio.create_task(flusher())
        try:
            await asyncio.wait_for(stop.wait(), max_seconds)
        except TimeoutError:
            pass
        task.cancel()
        for r in runners:
            await r.cleanup()
        log.flush()

    asyncio.run(main())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("web")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--log-dir", required=True)
    ap.add_argument("--max-seconds", type=float, default=1800)
    a = ap.parse_args()
    web, log_dir = Path(a.web), Path(a.log_dir)
    log_dir.mkdir(parents=True, exist_ok=True)
    pids = []
    for n in range(a.workers):
        pid = os.fork()
        if pid == 0:
            try:
                worker(n, web, log_dir, a.max_seconds)
            finally:
                os._exit(0)
        pids.append(pid)

    def stop(*_):
        for pid in pids:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass

    signal.signal(signal.SIGTERM, lambda *_: stop())
    # stdin closing (parent gone) also stops the workers
    threading.Thread(target=lambda: (sys.stdin.read(), stop()), daemon=True).start()
    print("ready", flush=True)
    for pid in pids:
        while True:
            try:
                os.waitpid(pid, 0)
                break
            except ChildProcessError:
                break
            except InterruptedError:
                continue


if __name__ == "__main__":
    main()
