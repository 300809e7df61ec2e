"""govsite import_messages FILE --source NAME --channel SLUG [--dry-run] [--no-route] …"""

from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand, CommandError

from govsite.messaging.importer import ImportRejected, import_messages


def _date(value: str) -> datetime:
    return datetime.combine(date.fromisoformat(value), time(), ZoneInfo("Asia/Shanghai"))


class Command(BaseCommand):
    help = "从 CSV/XLSX 导入外部留言板的留言（保留原编号和时间）；有任何错误则不做修改。"

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--source", required=True, help="来源标识，如 rmw-lyb（同一来源的原编号只导入一次）"
        )
        parser.add_argument("--channel", required=True, help="留言所在渠道的标识（slug）")
        parser.add_argument("--dry-run", action="store_true", help="只检查和统计，不写入")
        parser.add_argument("--no-route", action="store_true", help="不按主题分派单位")
        parser.add_argument("--by-place", action="store_true",
                            help="提到县区地名的留言放到该县区的留言板（三级联动）")  # fmt: skip
        parser.add_argument("--close-unanswered-before", type=_date, metavar="YYYY-MM-DD",
                            help="此日期前收到且无答复的留言按已办结归档（默认：全部待办理）")  # fmt: skip
        parser.add_argument("--limit", type=int, help="只导入前 N 行")

    def handle(self, *args, file, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"找不到文件：{path}")
        try:
            report = import_messages(
                path, source=options["source"], channel=options["channel"],
                route=not options["no_route"], dry_run=options["dry_run"],
                by_place=options["by_place"],
                close_unanswered_before=options["close_unanswered_before"], limit=options["limit"],
            )  # fmt: skip
        except ImportRejected as rejected:
            if len(rejected.errors) == 1:
                raise CommandError(f"导入失败，未做任何修改：{rejected.errors[0]}") from None
            for error in rejected.errors[:200]:
                self.stderr.write(str(error))
            if len(rejected.errors) > 200:
                self.stderr.write(f"……另有 {len(rejected.errors) - 200} 处错误未列出")
            raise CommandError(str(rejected)) from None
        self.stdout.write(report.summary())
        for line in report.details():
            self.stdout.write("  " + line)
