"""govsite scheduler [--once]: run the periodic jobs in this process (no Celery beat)."""

import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from govsite.core.scheduler import Scheduler, run_command
from govsite.schedules import JOBS


class Command(BaseCommand):
    help = "在本进程内按 schedules.py 运行定时任务（未配置 REDIS_URL 时使用）。"

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="只运行一次到期的任务")
        parser.add_argument("--tick", type=float, default=30.0, help="检查间隔（秒）")

    def handle(self, *args, **options):
        scheduler = Scheduler(JOBS, Path(settings.DATA_DIR) / "scheduler-state.json", run_command)
        for job in JOBS:
            self.stdout.write(f"· {job.title}：每 {job.interval // 60} 分钟（{job.command}）")
        while True:
            ran = scheduler.run_pending()
            if ran:
                self.stdout.write(f"已运行：{', '.join(ran)}")
            if options["once"]:
                return
            time.sleep(options["tick"])
