"""govsite load_demo_messages [--limit N]: the real 2020 messages for the demo city."""

from django.core.management.base import BaseCommand, CommandError

from govsite.messaging.demo import DemoRegistryMissing, load_demo_messages
from govsite.messaging.importer import ImportRejected


class Command(BaseCommand):
    help = "载入真实留言数据（2020 年，含官方答复）到演示留言板，按主题分派到示范市各单位。"

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, help="每个文件只导入前 N 行")

    def handle(self, *args, limit=None, **options):
        try:
            report = load_demo_messages(limit=limit)
        except DemoRegistryMissing as exc:
            raise CommandError(str(exc)) from None
        except ImportRejected as rejected:
            for error in rejected.errors[:50]:
                self.stderr.write(str(error))
            raise CommandError(str(rejected)) from None
        if not report.rows:
            for line in report.warnings:
                self.stdout.write(line)
            return
        self.stdout.write("真实留言：" + report.summary())
        for line in report.details():
            self.stdout.write("  " + line)
