"""govsite link_repeats: the repeat check for every message that has not had it yet.

Intake checks a new message after commit, in the background (``messaging/tasks.py``); this
sweep (a job in ``govsite.schedules``) catches whatever that missed — a process killed
between the commit and the check, a full queue, a broker that was down — oldest first."""

from django.core.management.base import BaseCommand

from govsite.messaging.repeats import sweep


class Command(BaseCommand):
    help = "留言查重：检查所有尚未查重的留言（从最早的开始），关联重复留言。"

    def add_arguments(self, parser):
        parser.add_argument("--max-seconds", type=float, default=300.0,
                            help="本次最多运行的秒数（其余留待下次），默认 300")  # fmt: skip
        parser.add_argument("--batch", type=int, default=500, help="每批检查的留言数")

    def handle(self, *args, **options):
        done = sweep(max_seconds=options["max_seconds"], batch=options["batch"])
        self.stdout.write(f"查重 {done['checked']} 条，其中重复 {done['linked']} 条；"
                          f"尚未查重 {done['left']} 条（{done['seconds']:.1f} 秒）")  # fmt: skip
