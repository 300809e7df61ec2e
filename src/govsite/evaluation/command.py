"""``govsite evaluate SITES --out RESULT.json [--today D] [--ruleset NAME] [--max-pages N] …``

The findings are scored with the ruleset (govsite.scoring) before the file is written."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date, datetime
from pathlib import Path

from govsite.checks import CheckConfig
from govsite.evaluation.run import EvaluateOptions, evaluate
from govsite.evaluation.sites import SitesFileError, read_sites
from govsite.scoring import DEFAULT_RULESET, score_document
from govsite.scoring.command import resolve_ruleset, summary_line, write_json


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="govsite evaluate",
        description="抓取站点、运行全部自动检查，把发现的问题写入 RESULT.json。",
    )
    p.add_argument("sites", help="站点文件：CSV（表头 name,url,unit,category）或 YAML")
    p.add_argument("--out", required=True, help="结果文件 RESULT.json")
    p.add_argument(
        "--today",
        type=date.fromisoformat,
        default=None,
        help="以该日期作为“今天”判断更新是否及时（YYYY-MM-DD，默认今天）",
    )
    p.add_argument("--max-pages", type=int, default=10_000, help="每个站点最多抓取的页面数")
    p.add_argument("--concurrency", type=int, default=64, help="每个进程同时进行的请求数上限")
    p.add_argument("--per-host", type=int, default=2, help="每个站点同时进行的请求数")
    p.add_argument("--delay", type=float, default=0.5, help="同一站点两次请求的最小间隔（秒）")
    p.add_argument("--processes", type=int, default=1, help="工作进程数（站点分片；0 = CPU 核数）")
    p.add_argument(
        "--skip-host",
        action="append",
        default=[],
        metavar="HOST",
        help="只记录、不访问的外部主机（可重复），如 bszs.conac.cn",
    )
    p.add_argument("--no-tls", action="store_true", help="不检查 HTTPS/证书")
    p.add_argument(
        "--ruleset",
        default=DEFAULT_RULESET,
        help=f"评分规则集名称或 YAML 文件路径（默认 {DEFAULT_RULESET}；可用名称见 govsite rulesets）",
    )
    p.add_argument(
        "--job-dir",
        default=None,
        help="抓取作业目录（证据快照保存在此）；给出已有目录即继续被中断的抓取",
    )
    p.add_argument(
        "--workers",
        choices=["local", "celery"],
        default="local",
        help="local：本机进程；celery：每个站点一个 Celery 任务（需 REDIS_URL）",
    )
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    ruleset = resolve_ruleset(args.ruleset, "govsite evaluate")  # before the long crawl
    if ruleset is None:
        return 2
    try:
        specs = read_sites(args.sites)
    except SitesFileError as exc:
        print(f"govsite evaluate: {exc}", file=sys.stderr)
        return 2
    for name, value in (("--max-pages", args.max_pages), ("--concurrency", args.concurrency),
                        ("--per-host", args.per_host)):  # fmt: skip
        if value < 1:
            print(f"govsite evaluate: {name} 须为正整数", file=sys.stderr)
            return 2
    out = Path(args.out)
    job_dir = (
        Path(args.job_dir)
        if args.job_dir
        else Path(f"{out}.crawl") / datetime.now().strftime("%Y%m%d-%H%M%S")
    )
    options = EvaluateOptions(
        today=args.today or date.today(),
        job_dir=job_dir,
        max_pages=args.max_pages,
        concurrency=args.concurrency,
        per_host=args.per_host,
        delay=args.delay,
        processes=args.processes or os.cpu_count() or 1,
        skip_hosts=frozenset(args.skip_host),
        check_tls=not args.no_tls,
        config=CheckConfig(),
    )
    if args.workers == "celery":
        from govsite.evaluation.distributed import CeleryUnavailable, evaluate_with_celery

        try:
            document = evaluate_with_celery(specs, options)
        except CeleryUnavailable as exc:
            print(f"govsite evaluate: {exc}", file=sys.stderr)
            return 2
    else:
        document = evaluate(specs, options)
    document = score_document(document, ruleset)
    write_json(out, document)  # atomically: never a half-written result
    found = sum(len(site["findings"]) for site in document["sites"])
    print(f"已写入 {out}：{len(document['sites'])} 个站点，{found} 项问题。", file=sys.stderr)
    print(summary_line(document), file=sys.stderr)
    # a site whose Celery task failed or timed out is in RESULT.json, but the run is incomplete
    return 1 if any(site["crawl"]["state"] == "error" for site in document["sites"]) else 0
