"""govsite supervise [--today D] [--website ID …] [--max-pages N] [--ruleset NAME]"""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from govsite.evaluations.supervision import supervise


class Command(BaseCommand):
    help = "日常监督：抓取并检查所有在用网站，结果存为本期的检查批次（草稿）并评分。"

    def add_arguments(self, parser):
        parser.add_argument("--today", type=date.fromisoformat, help="评估基准日（默认今天）")
        parser.add_argument("--website", type=int, action="append", help="只检查这些网站（ID）")
        parser.add_argument("--max-pages", type=int, default=2000, help="每个站点最多抓取页面数")
        parser.add_argument("--processes", type=int, default=1, help="工作进程数")
        parser.add_argument("--delay", type=float, default=0.5, help="同一站点请求间隔（秒）")
        parser.add_argument("--ruleset", help="指标体系（默认 GOVSITE_DEFAULT_RULESET）")
        parser.add_argument("--skip-host", action="append", default=[], help="不访问的外部主机")

    def handle(self, *args, **options):
        if options["max_pages"] < 1 or options["processes"] < 1 or options["delay"] < 0:
            raise CommandError("--max-pages、--processes 须为正数，--delay 不能为负数")
        try:
            run = supervise(
                options["today"] or timezone.localdate(), website_ids=options["website"],
                max_pages=options["max_pages"], processes=options["processes"],
                delay=options["delay"], ruleset=options["ruleset"],
                skip_hosts=frozenset(options["skip_host"]),
            )  # fmt: skip
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"检查批次 {run.pk}：{run.sites.count()} 个网站，已评分（{run.ruleset_name}）"
        )
