"""govsite message_deadlines: reminders, overdue alerts and escalation for messages."""

from django.core.management.base import BaseCommand

from govsite.messaging.deadlines import run


class Command(BaseCommand):
    help = "留言办理时限：到期前提醒、逾期告警并上报督查室、超时未受理告警。"

    def handle(self, *args, **options):
        counts = run()
        self.stdout.write(f"提醒 {counts['reminded']} 条，逾期告警 {counts['overdue']} 条，"
                          f"未按时受理 {counts['unacknowledged']} 条")  # fmt: skip
