"""govsite probe [--once | --loop [--interval S] [--max-loops N]] [--url URL]

One round accesses the home page of every active website (active unit too) once and stores
one ProbeResult each. ``--loop`` repeats a round every ``--interval`` seconds, measured from
round start to round start, so rounds stay evenly spaced whatever a round costs (the rule
asks for accesses "at intervals"). Under Celery beat the schedule runs ``probe --once``
(``govsite.schedules``); ``--loop`` is for a machine without Redis.
"""

from __future__ import annotations

import asyncio
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from govsite.monitoring.availability import record_probes
from govsite.monitoring.probe import (
    PROBE_CONCURRENCY,
    PROBE_INTERVAL,
    PROBE_TIMEOUT,
    ProbeOutcome,
    probe_many,
)
from govsite.registry.models import Website


class Command(BaseCommand):
    help = "探测在用网站的首页是否可以访问，并保存结果（站点无法访问的监测）。"

    def add_arguments(self, parser):
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--once", action="store_true", help="只探测一轮（默认）")
        mode.add_argument("--loop", action="store_true", help="每隔 --interval 秒探测一轮")
        parser.add_argument(
            "--interval",
            type=float,
            default=PROBE_INTERVAL,
            help=f"两轮开始之间的秒数（默认 {PROBE_INTERVAL}，每天约 {86400 / PROBE_INTERVAL:.1f} 轮）",
        )
        parser.add_argument("--max-loops", type=int, default=0, help="最多探测几轮（0：不限）")
        parser.add_argument("--url", help="只探测这一个网址（已登记的网站才保存结果）")
        parser.add_argument(
            "--timeout", type=float, default=PROBE_TIMEOUT, help="超时秒数（国家规定 15 秒）"
        )
        parser.add_argument(
            "--concurrency", type=int, default=PROBE_CONCURRENCY, help="同时进行的探测数"
        )

    def handle(self, *args, **options):
        if options["interval"] < 0 or options["max_loops"] < 0:
            raise CommandError("--interval 与 --max-loops 不能为负数")
        if options["timeout"] <= 0 or options["concurrency"] <= 0:
            raise CommandError("--timeout 与 --concurrency 必须大于 0")
        if not options["loop"]:
            self.round(options, 1)
            return
        rounds = 0
        try:
            while True:
                rounds += 1
                started = time.monotonic()
                try:
                    self.round(options, rounds)
                except Exception as exc:  # a loop outlives one bad round (database restart…)
                    self.stderr.write(f"第 {rounds} 轮出错：{exc!r}")
                if options["max_loops"] and rounds >= options["max_loops"]:
                    break
                _release_connections()
                wait = options["interval"] - (time.monotonic() - started)
                if wait < 0:
                    self.stderr.write(f"第 {rounds} 轮超过间隔 {-wait:.0f} 秒，立即开始下一轮。")
                time.sleep(max(wait, 0))
        except KeyboardInterrupt:
            self.stdout.write(f"已停止（共 {rounds} 轮）。")

    def round(self, options, number: int) -> None:
        websites = Website.objects.filter(is_active=True, unit__is_active=True)
        url = options["url"]
        if url:
            websites = Website.objects.filter(url=url)
        by_url = {w.url: w for w in websites.order_by("pk")}
        urls = list(by_url) or ([url] if url else [])
        if not urls:
            self.stdout.write("没有在用的网站，无需探测。")
            return
        self.stdout.write(f"第 {number} 轮：探测 {len(urls)} 个网站首页……")
        started = time.monotonic()
        outcomes = asyncio.run(
            probe_many(urls, timeout=options["timeout"], concurrency=options["concurrency"])
        )
        for outcome in outcomes:
            if not outcome.ok or options["verbosity"] >= 2 or url:
                self.stdout.write(self.line(outcome, by_url.get(outcome.url)))
        if by_url:
            record_probes(outcomes, by_url)
        else:
            self.stdout.write("该网址未登记，结果不保存。")
        failed = sum(not o.ok for o in outcomes)
        self.stdout.write(
            f"完成：{len(outcomes)} 个，可访问 {len(outcomes) - failed} 个，失败 {failed} 个，"
            f"用时 {time.monotonic() - started:.1f} 秒。"
        )

    @staticmethod
    def line(outcome: ProbeOutcome, website: Website | None) -> str:
        name = website.name if website is not None else outcome.url
        state = "可访问" if outcome.ok else f"失败（{outcome.error}）"
        status = outcome.status if outcome.status is not None else "-"
        return f"  {'✓' if outcome.ok else '✗'} {name} {outcome.url} {state} 状态 {status} {outcome.elapsed:.2f} 秒"


def _release_connections() -> None:
    """Between rounds: drop broken or expired database connections (a loop lives for weeks,
    the database may restart). A connection inside a caller's transaction is not ours."""
    for connection in connections.all(initialized_only=True):
        if not connection.in_atomic_block:
            connection.close_if_unusable_or_obsolete()
