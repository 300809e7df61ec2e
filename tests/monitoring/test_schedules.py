"""The periodic jobs in govsite.schedules: none too often, the probe meets the 20-a-day rule,
and Celery beat runs them through govsite.run_command."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.core.management import get_commands

from govsite.core.tasks import run_command
from govsite.monitoring.models import ProbeResult
from govsite.registry.models import Website
from govsite.schedules import JOBS, MIN_INTERVAL, allowed_commands, beat_schedule

DAY = 24 * 60 * 60


@pytest.mark.parametrize("job", JOBS, ids=lambda job: job.name)
def test_no_job_runs_more_often_than_every_ten_minutes(job):
    assert MIN_INTERVAL == 600
    assert job.interval >= MIN_INTERVAL, f"{job.title} runs every {job.interval} s"


@pytest.mark.parametrize("job", JOBS, ids=lambda job: job.name)
def test_every_job_is_a_management_command_with_a_chinese_title(job):
    assert job.command in get_commands()
    assert any("\u4e00" <= ch <= "\u9fff" for ch in job.title)


def test_the_availability_probe_gives_at_least_20_probes_a_day_with_room_to_spare():
    [probe] = [job for job in JOBS if job.command == "probe"]
    assert DAY // probe.interval >= 20
    # Losing a tenth of the rounds (restarts, a slow round) must still leave 20 a day.
    assert DAY * 0.9 // probe.interval >= 20


def test_names_are_unique_and_the_beat_schedule_lists_every_job():
    assert len({job.name for job in JOBS}) == len(JOBS)
    schedule = beat_schedule()
    assert set(schedule) == {job.name for job in JOBS}
    entry = schedule["availability-probe"]
    assert entry["task"] == "govsite.run_command"
    assert entry["args"] == ("probe", ["--once"])
    assert entry["schedule"] == entry["options"]["expires"] == 3000


def test_celery_with_redis_configured_builds_beat_from_the_list(tmp_path):
    code = (
        "from govsite.celery import app; "
        "print(sorted(app.conf.beat_schedule), app.conf.beat_schedule and "
        "app.conf.beat_schedule['availability-probe']['task'])"
    )
    env = {**os.environ, "REDIS_URL": "redis://127.0.0.1:1/0", "GOVSITE_DATA_DIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    from govsite.schedules import JOBS

    assert done.stdout.strip() == f"{sorted(job.name for job in JOBS)} govsite.run_command"


def test_run_command_refuses_commands_not_on_the_list(db):
    assert "flush" not in allowed_commands()
    with pytest.raises(ValueError, match="flush"):
        run_command.delay("flush", ["--noinput"]).get(timeout=5)


def test_run_command_runs_the_probe_job(tree, web_server):
    Website.objects.update(is_active=False)
    Website.objects.filter(unit=tree.city).update(url=f"{web_server.base}/ok", is_active=True)
    answer = run_command.delay("probe", ["--once", "--timeout", "2"]).get(timeout=30)
    assert answer.startswith("完成：1 个，可访问 1 个")
    assert ProbeResult.objects.get().ok
