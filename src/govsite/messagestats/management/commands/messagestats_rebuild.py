"""``govsite messagestats_rebuild``: recompute the statistics rollup from the messages."""

import time

from django.core.management.base import BaseCommand

from govsite.messagestats import rollup


class Command(BaseCommand):
    help = "从留言重新计算办理统计（单位每日、每月汇总）"

    def handle(self, *args, **options):
        started = time.monotonic()
        counted = rollup.rebuild()
        self.stdout.write(
            f"已重新统计 {counted:,} 条留言，用时 {time.monotonic() - started:.1f} 秒。"
        )
