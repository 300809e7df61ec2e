"""govsite rectify [--today D]: re-check claimed items, escalate overdue ones."""

from datetime import date

from django.core.management.base import BaseCommand
from django.utils import timezone

from govsite.rectification.models import RectificationItem
from govsite.rectification.service import escalate_overdue, recheck_items


class Command(BaseCommand):
    help = "整改跟踪：复核各单位已报整改的事项，逾期未整改的上报单位负责人和考核方。"

    def add_arguments(self, parser):
        parser.add_argument("--today", type=date.fromisoformat, help="基准日（默认今天）")
        parser.add_argument("--no-recheck", action="store_true", help="只处理逾期上报")

    def handle(self, *args, **options):
        today = options["today"] or timezone.localdate()
        counts = {"closed": 0, "reopened": 0, "unknown": 0}
        if not options["no_recheck"]:
            claimed = RectificationItem.objects.filter(
                status=RectificationItem.Status.CLAIMED
            ).select_related("website__unit", "finding", "unit")
            counts = recheck_items(list(claimed), today=today)
        escalated = escalate_overdue(today)
        self.stdout.write(
            f"复核：销号 {counts['closed']}，重新整改 {counts['reopened']}，"
            f"暂无法复核 {counts['unknown']}；逾期上报 {escalated} 项"
        )
