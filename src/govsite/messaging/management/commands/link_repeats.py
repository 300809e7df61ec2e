"""govsite link_repeats: the repeat check for every message that has not had it yet.

Intake checks a new message after commit, in the background (``messaging/tasks.py``); this
sweep (a job in ``govsite.schedules``) catches whatever that missed — a process killed
between the commit and the check, a full queue, a broker that was down — oldest first.

``--follow`` keeps it running as the repeat checker of ``govsite serve`` (``tasks.follow``):
it exits on SIGTERM or when the process that started it (``--parent``) is gone."""

import os
import signal

from django.core.management.base import BaseCommand

from govsite.messaging.repeats import sweep
from govsite.messaging.tasks import follow


class Command(BaseCommand):
    help = "留言查重：检查所有尚未查重的留言（从最早的开始），关联重复留言。"

    def add_arguments(self, parser):
        parser.add_argument("--max-seconds", type=float, default=300.0,
                            help="本次最多运行的秒数（其余留待下次），默认 300")  # fmt: skip
        parser.add_argument("--batch", type=int, default=500, help="每批检查的留言数")
        parser.add_argument("--follow", action="store_true",
                            help="持续运行：每隔 --interval 秒检查新留言（govsite serve 的查重进程）")  # fmt: skip
        parser.add_argument("--interval", type=float, default=1.0, help="--follow 的轮询间隔（秒）")
        parser.add_argument("--nice", type=int, default=0,
                            help="降低本进程的 CPU 优先级（os.nice），让 Web 请求优先")  # fmt: skip
        parser.add_argument("--parent", type=int, default=0,
                            help="--follow：该进程退出后本进程也退出")  # fmt: skip

    def handle(self, *args, **options):
        if options["nice"]:
            os.nice(options["nice"])
        if options["follow"]:
            return self.follow(options)
        done = sweep(max_seconds=options["max_seconds"], batch=options["batch"])
        self.stdout.write(f"查重 {done['checked']} 条，其中重复 {done['linked']} 条；"
                          f"尚未查重 {done['left']} 条（{done['seconds']:.1f} 秒）")  # fmt: skip

    def follow(self, options):
        stopping = []
        signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
        parent = options["parent"]

        def keep_going() -> bool:
            if parent and os.getppid() != parent:  # the server is gone: so is its checker
                return False
            return not stopping

        done = follow(interval=options["interval"], batch=options["batch"],
                      keep_going=keep_going)  # fmt: skip
        self.stdout.write(f"查重进程退出：共查重 {done} 条")
