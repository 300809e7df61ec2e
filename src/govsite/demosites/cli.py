"""``python -m govsite.demosites``: generate the demo sites and optionally serve them."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from datetime import date
from pathlib import Path

from .generate import DEFAULT_BASE_PORT, generate
from .server import run_forever


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m govsite.demosites",
        description="生成（并可启动）带已知缺陷和标准答案的演示政府网站 / "
        "Generate (and optionally serve) demo government websites with known defects.",
    )
    p.add_argument("--out", type=Path, default=Path("data/demosites"), help="output directory")
    p.add_argument(
        "--today",
        type=date.fromisoformat,
        default=None,
        help="reference date YYYY-MM-DD that all dates are relative to (default: today)",
    )
    p.add_argument("--base-port", type=int, default=DEFAULT_BASE_PORT, help="port of site 1")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--scale", type=int, default=1, help="multiply articles/list pages per site")
    p.add_argument("--serve", action="store_true", help="serve the sites until Ctrl-C/SIGTERM")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument(
        "--unreachable",
        choices=("refuse", "hang"),
        default="refuse",
        help="the unreachable site refuses connections (default) or accepts and never answers",
    )
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    today = args.today or date.today()
    try:
        manifest = generate(args.out, today, args.seed, args.scale, base_port=args.base_port)
    except (OSError, ValueError) as exc:
        print(f"错误 / error: {exc}", file=sys.stderr)
        return 2
    pages = sum(s.pages for s in manifest.sites)
    print(
        f"已生成 {len(manifest.sites)} 个演示网站（{pages} 个页面）/ "
        f"generated {len(manifest.sites)} demo sites ({pages} pages) in {args.out}"
    )
    print(f"标准答案 / ground truth: {manifest.ground_truth_path}")
    print(f"网站清单 / site list: {manifest.sites_csv_path}")
    if not args.serve:
        return 0
    return _serve(args.out, args.host, args.unreachable, manifest)


def _serve(root: Path, host: str, unreachable: str, manifest) -> int:  # noqa: ANN001
    async def run() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.add_signal_handler(sig, stop.set)
            except (NotImplementedError, RuntimeError):  # pragma: no cover - non-POSIX
                pass
        task = asyncio.create_task(run_forever(root, host, stop=stop, unreachable=unreachable))
        await asyncio.sleep(0.2)
        if task.done():
            task.result()  # raises the bind error
        for site in manifest.sites:
            url = f"http://{host}:{site.port}/"
            note = "" if site.reachable else "  （按设计不可访问 / unreachable by design）"
            print(f"{site.name} / {site.english}  {url}{note}", flush=True)
        print("按 Ctrl-C 停止 / press Ctrl-C to stop", flush=True)
        await task

    try:
        asyncio.run(run())
    except OSError as exc:
        print(f"错误 / error: cannot listen: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:  # pragma: no cover - signal handler normally wins
        pass
    print("已停止 / stopped")
    return 0
