"""The in-process scheduler runs each job when due, remembers across restarts, and keeps
going when a job fails."""

from govsite.core.scheduler import Scheduler
from govsite.schedules import JOBS, Job

PROBE = Job(name="probe", title="p", command="probe", args=(), interval=600, at_start=True)
DAILY = Job(name="daily", title="d", command="supervise", args=(), interval=86400)


class Clock:
    def __init__(self):
        self.now = 1_000_000.0

    def __call__(self):
        return self.now


def test_jobs_run_when_due_and_daily_jobs_wait_a_day(tmp_path):
    clock, ran = Clock(), []
    scheduler = Scheduler([PROBE, DAILY], tmp_path / "s.json", lambda j: ran.append(j.name), clock)
    assert scheduler.run_pending() == ["probe"]
    clock.now += 300
    assert scheduler.run_pending() == []
    clock.now += 300
    assert scheduler.run_pending() == ["probe"]
    clock.now += 86400
    assert scheduler.run_pending() == ["probe", "daily"]


def test_a_restart_does_not_repeat_a_job_just_run(tmp_path):
    clock, ran = Clock(), []
    Scheduler([PROBE], tmp_path / "s.json", lambda j: ran.append(j.name), clock).run_pending()
    clock.now += 10
    again = Scheduler([PROBE], tmp_path / "s.json", lambda j: ran.append(j.name), clock)
    assert again.run_pending() == [] and ran == ["probe"]


def test_a_failing_job_does_not_stop_the_others(tmp_path):
    clock, ran = Clock(), []

    def run(job):
        if job.name == "probe":
            raise RuntimeError("boom")
        ran.append(job.name)

    other = Job(name="other", title="o", command="rectify", args=(), interval=600, at_start=True)
    assert Scheduler([PROBE, other], tmp_path / "s.json", run, clock).run_pending() == [
        "probe",
        "other",
    ]
    assert ran == ["other"]


def test_every_scheduled_command_exists():
    from django.core.management import get_commands

    assert {job.command for job in JOBS} <= set(get_commands())
