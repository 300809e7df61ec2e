"""Every periodic job of the platform, in one place.

Each job is a management command first (run it by hand: ``govsite probe --once``) and a
schedule entry second. With ``REDIS_URL`` set, ``govsite.celery`` builds the Celery beat
schedule from ``JOBS``; beat sends ``govsite.run_command`` (``core/tasks.py``), which runs
only commands listed here. Without Redis, run a command's own ``--loop`` instead.

``tests/monitoring/test_schedules.py`` checks that no job runs more often than every
``MIN_INTERVAL`` seconds and that the availability probe meets the 20-a-day rule.
No Django import here: celery.py reads this before Django is set up.
"""

from __future__ import annotations

from dataclasses import dataclass

from govsite.monitoring.probe import PROBE_INTERVAL

# No job may run more often than this (seconds): a tighter job is a bug or belongs elsewhere.
MIN_INTERVAL = 10 * 60


@dataclass(frozen=True)
class Job:
    name: str  # beat entry key, stable
    title: str  # for people
    command: str  # management command
    args: tuple[str, ...]
    interval: int  # seconds between two runs
    at_start: bool = False  # in-process scheduler: run once as soon as it starts


JOBS: list[Job] = [
    Job(
        name="availability-probe",
        title="网站首页可用性探测（站点无法访问：每天至少 20 次，15 秒超时）",
        command="probe",
        args=("--once",),
        interval=PROBE_INTERVAL,
        at_start=True,
    ),
    Job(
        name="daily-supervision",
        title="日常监督：每天抓取并检查全部在用网站，结果计入本期",
        command="supervise",
        args=(),
        interval=24 * 3600,
    ),
    Job(
        name="message-deadlines",
        title="留言办理时限：到期提醒、逾期告警、超时未受理",
        command="message_deadlines",
        args=(),
        interval=30 * 60,
    ),
    Job(
        # Intake checks each new message in the background after commit; this catches any
        # the background missed (process killed, queue full, broker down), oldest first.
        name="message-repeats",
        title="留言查重：补查提交后未完成查重的留言（从最早的开始）",
        command="link_repeats",
        args=(),
        interval=MIN_INTERVAL,
        at_start=True,
    ),
    Job(
        name="rectification",
        title="整改跟踪：复核已报整改事项，逾期事项上报",
        command="rectify",
        args=(),
        interval=6 * 3600,
    ),
]


def allowed_commands(jobs: list[Job] | None = None) -> frozenset[str]:
    return frozenset(job.command for job in (JOBS if jobs is None else jobs))


def beat_schedule(jobs: list[Job] | None = None) -> dict:
    """The ``beat_schedule`` mapping for Celery. A run not started within one interval
    expires: the next one is due by then, and a backlog would bunch probes together."""
    return {
        job.name: {
            "task": "govsite.run_command",
            "schedule": float(job.interval),
            "args": (job.command, list(job.args)),
            "options": {"expires": float(job.interval)},
        }
        for job in (JOBS if jobs is None else jobs)
    }
