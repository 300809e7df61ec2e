"""Self-benchmark: crawl a generated local web of N sites x M pages and report the cost.

    python -m govsite.crawler.selfbench --sites 10 --pages 200
    python -m govsite.crawler.selfbench --sites 10 --pages 2000 --profile prof.txt

A server subprocess (aiohttp low-level server, pages pre-rendered in memory, one port per
site on 127.0.0.1) serves a web shaped like the peers' benchmark web
(``shared/reference/crawl-bench/gen_web.py``): per site a home page, column pages and
articles with nav links, 15 related links per article, ~3 % broken internal links, ~30 % of
articles linking a dead external URL (a closed loopback port), one cross-site link per
article, and a stylesheet, a script and an image on every page. The crawler runs in this
process, throttles lifted; CPU seconds and peak RSS are this process's only.

Only 127.0.0.1 is ever contacted; the server stops when this process closes its stdin or
after ``--max-seconds``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

COLUMNS = ["要闻动态", "通知公告", "政策文件", "政策解读", "政务公开", "办事服务", "互动交流",
           "人事信息", "财政资金", "统计数据"]  # fmt: skip
HAN = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说"
    "产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使"
    "点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明"
)


def closed_ports(n: int) -> list[int]:
    """Loopback ports nobody listens on (bound then released: refused on connect)."""
    ports = []
    for _ in range(n):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            ports.append(sock.getsockname()[1])
    return ports


def make_web(
    sites: int,
    pages: int,
    ports: list[int],
    dead_ports: list[int],
    *,
    columns: int = 10,
    broken_rate: float = 0.03,
    dead_ext_rate: float = 0.30,
    seed: int = 20240601,
) -> tuple[list[dict[str, bytes]], dict]:
    """One ``{path: body}`` dict per site plus the ground truth (pages, broken URLs)."""
    rnd = random.Random(seed)
    paragraphs = [
        "。".join("".join(rnd.choices(HAN, k=rnd.randint(18, 40))) for _ in range(6)) + "。"
        for _ in range(300)
    ]
    titles = ["".join(rnd.choices(HAN, k=20)) for _ in range(500)]
    n_art = max(1, pages - 1 - columns)
    cols = [COLUMNS[i % len(COLUMNS)] for i in range(columns)]
    webs: list[dict[str, bytes]] = []
    truth = {"html_pages": 0, "broken_internal": 0, "dead_external": 0, "bytes": 0}
    dead_ext: set[str] = set()
    for s in range(sites):
        web: dict[str, bytes] = {}
        broken: set[str] = set()

        def link(target: str, *, _broken=broken, _s=s) -> str:
            if rnd.random() < broken_rate:
                url = f"/art/gone-{_s:02d}-{len(_broken):05d}.html"
                _broken.add(url)
                return url
            return target

        def head(title: str, _s=s) -> str:
            return (
                '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
                f"<title>{title} - 示例市人民政府 {_s:02d}</title>"
                '<link rel="stylesheet" href="/static/style.css">'
                '<script src="/static/app.js"></script></head><body>'
                '<header><img src="/static/logo.png" alt="logo">'
                f"<h1>示例市人民政府 {_s:02d}</h1></header>"
                '<nav><a href="/index.html">首页</a> '
                + " ".join(f'<a href="/col/c{c:02d}.html">{cols[c]}</a>' for c in range(columns))
                + "</nav>"
            )

        footer = (
            '<footer><a href="/index.html">网站地图</a> <a href="#top">返回顶部</a> '
            '<a href="javascript:void(0)">打印</a> <a href="/col/c00.html">联系我们</a>'
            "<p>主办：示例市人民政府办公室</p></footer></body></html>"
        )
        arts = [(i, i % columns, rnd.randint(0, 2000)) for i in range(n_art)]
        for i, col, day in arts:
            parts = [head(titles[i % len(titles)]), f"<main><h2>{titles[(i * 7) % 500]}</h2>"]
            parts.append(f'<div class="info">发布时间：2021-01-01 +{day}</div>')
            parts.extend(f"<p>{rnd.choice(paragraphs)}</p>" for _ in range(rnd.randint(4, 7)))
            parts.append("<ul>")
            for _ in range(15):
                parts.append(
                    f'<li><a href="{link(f"/art/a{rnd.randrange(n_art):05d}.html")}">'
                    f"{rnd.choice(titles)}</a></li>"
                )
            parts.append("</ul>")
            if sites > 1:
                other = ports[rnd.choice([x for x in range(sites) if x != s])]
                parts.append(
                    f'<p><a href="http://127.0.0.1:{other}/art/a{rnd.randrange(n_art):05d}.html">'
                    "兄弟单位</a></p>"
                )
            if rnd.random() < dead_ext_rate and dead_ports:
                k = rnd.randrange(10)
                url = f"http://127.0.0.1:{dead_ports[k % len(dead_ports)]}/ext/s{s:02d}-{k}.html"
                dead_ext.add(url)
                parts.append(f'<p><a href="{url}">已失效的外部站点</a></p>')
            parts.append(f'<p><a href="/col/c{col:02d}.html">返回{cols[col]}</a></p></main>')
            parts.append(footer)
            web[f"/art/a{i:05d}.html"] = "".join(parts).encode()
        for c in range(columns):
            members = [a for a in arts if a[1] == c]
            parts = [head(cols[c]), f"<main><h2>{cols[c]}</h2><ul>"]
            parts.extend(
                f'<li><a href="{link(f"/art/a{i:05d}.html")}">{titles[i % 500]}</a></li>'
                for i, _, _ in members
            )
            parts.append("</ul></main>" + footer)
            web[f"/col/c{c:02d}.html"] = "".join(parts).encode()
        parts = [head("首页"), "<main>"]
        for c in range(columns):
            members = [a for a in arts if a[1] == c][:5]
            parts.append(f'<section><h3><a href="/col/c{c:02d}.html">{cols[c]}</a></h3><ul>')
            parts.extend(
                f'<li><a href="{link(f"/art/a{i:05d}.html")}">{titles[i % 500]}</a></li>'
                for i, _, _ in members
            )
            parts.append("</ul></section>")
        parts.append("</main>" + footer)
        web["/index.html"] = web["/"] = "".join(parts).encode()
        truth["html_pages"] += len(web)  # "/" and "/index.html" count twice, as for the peers
        truth["bytes"] += sum(len(b) for b in web.values())
        web["/static/style.css"] = b"body{font-family:sans-serif;margin:0}" * 40
        web["/static/app.js"] = b"(function(){var a=1;})();\n" * 80
        web["/static/logo.png"] = b"\x89PNG\r\n\x1a\n" + bytes(
            rnd.getrandbits(8) for _ in range(2048)
        )
        web["/robots.txt"] = b"User-agent: *\nDisallow: /private/\n"
        truth["broken_internal"] += len(broken)
        webs.append(web)
    truth["dead_external"] = len(dead_ext)
    return webs, truth


_TYPES = {"html": "text/html; charset=utf-8", "css": "text/css", "js": "application/javascript",
          "png": "image/png", "txt": "text/plain"}  # fmt: skip


async def serve_webs(webs: list[dict[str, bytes]], ports: list[int]) -> list:
    """Serve each web on its port of 127.0.0.1 (aiohttp low-level server); returns runners."""
    from aiohttp import web as aioweb

    runners = []
    counts = {"requests": 0}
    for pages, port in zip(webs, ports, strict=True):

        async def handler(request, pages=pages):
            counts["requests"] += 1
            body = pages.get(request.path)
            if body is None:
                return aioweb.Response(status=404, body=b"<html><body>404 Not Found</body></html>",
                                       content_type="text/html")  # fmt: skip
            ext = request.path.rpartition(".")[2] if "." in request.path else "html"
            return aioweb.Response(
                body=body, headers={"Content-Type": _TYPES.get(ext, "text/html")}
            )

        runner = aioweb.ServerRunner(aioweb.Server(handler), access_log=None)
        await runner.setup()
        await aioweb.TCPSite(runner, "127.0.0.1", port, backlog=1024).start()
        runners.append(runner)
    runners.append(counts)  # type: ignore[arg-type]
    return runners


def _serve_main(args: argparse.Namespace) -> None:
    ports = closed_ports(args.sites)
    dead = closed_ports(3)
    webs, truth = make_web(args.sites, args.pages, ports, dead)

    async def main() -> None:
        runners = await serve_webs(webs, ports)
        counts = runners.pop()
        print(json.dumps({"ports": ports, "truth": truth}), flush=True)
        loop = asyncio.get_running_loop()
        stop = asyncio.Event()
        # stdin closing (parent gone or done) or the time limit ends the server
        threading.Thread(
            target=lambda: (sys.stdin.read(), loop.call_soon_threadsafe(stop.set)), daemon=True
        ).start()
        try:
            await asyncio.wait_for(stop.wait(), args.max_seconds)
        except TimeoutError:
            pass
        print(json.dumps({"requests": counts["requests"]}), flush=True)
        for runner in runners:
            await runner.cleanup()

    asyncio.run(main())


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run_bench(args: argparse.Namespace) -> dict:
    from govsite.crawler import CrawlSettings, crawl_sites

    server = subprocess.Popen(
        [sys.executable, "-m", "govsite.crawler.selfbench", "--serve", "--sites", str(args.sites),
         "--pages", str(args.pages), "--max-seconds", str(args.max_seconds)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        hello = json.loads(server.stdout.readline())
        ports, truth = hello["ports"], hello["truth"]
        starts = [f"http://127.0.0.1:{p}/" for p in ports]
        settings = CrawlSettings(
            max_pages=args.pages * 2 + 10, max_urls_per_pattern=args.pages * 2 + 10
        ).unthrottled(args.concurrency)
        job_dir = Path(tempfile.mkdtemp(prefix="govsite-selfbench-"))
        profiler = None
        if args.profile:
            import cProfile

            profiler = cProfile.Profile()
        cpu0, t0 = _cpu(), time.perf_counter()
        if profiler:
            profiler.enable()
        crawls = asyncio.run(crawl_sites(starts, settings, job_dir))
        if profiler:
            profiler.disable()
        wall, cpu = time.perf_counter() - t0, _cpu() - cpu0
        peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        server.stdin.close()
        server_requests = json.loads(server.stdout.readline())["requests"]
    finally:
        if server.poll() is None:
            if not server.stdin.closed:
                server.stdin.close()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
    html_ok = broken = checks = pages = 0
    for crawl in crawls:
        pages += crawl.pages_done
        checks += crawl.checks_done
        for rec in crawl.pages():
            if rec.status == 200 and rec.content_type == "text/html":
                html_ok += 1
            if rec.error:
                broken += 1
        broken += sum(1 for rec in crawl.checked() if rec.error)
    db_mb = (job_dir / "crawl.sqlite").stat().st_size / 1e6
    if profiler:
        import pstats

        with open(args.profile, "w") as fh:
            pstats.Stats(profiler, stream=fh).sort_stats("cumulative").print_stats(60)
    if not args.keep:
        shutil.rmtree(job_dir, ignore_errors=True)
    return {
        "sites": args.sites,
        "pages_per_site": args.pages,
        "html_pages_ok": html_ok,
        "expected_html_pages": truth["html_pages"],
        "pages_fetched": pages,
        "checks": checks,
        "broken_found": broken,
        "broken_expected": truth["broken_internal"] + truth["dead_external"],
        "server_requests": server_requests,
        "wall_s": round(wall, 3),
        "pages_per_s": round(html_ok / wall, 1),
        "cpu_s": round(cpu, 3),
        "pages_per_cpu_s": round(html_ok / cpu, 1),
        "peak_rss_mb": round(peak_rss_mb, 1),
        "db_mb": round(db_mb, 1),
        "job_dir": str(job_dir) if args.keep else None,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sites", type=int, default=10)
    parser.add_argument("--pages", type=int, default=200, help="pages per site (>= 12)")
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--max-seconds", type=float, default=600.0)
    parser.add_argument("--profile", help="write a cProfile report to this file")
    parser.add_argument("--keep", action="store_true", help="keep the job directory")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        _serve_main(args)
        return
    print(json.dumps(run_bench(args), indent=2))


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
