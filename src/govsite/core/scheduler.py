"""The in-process scheduler: runs ``govsite.schedules.JOBS`` without Celery beat.

One daemon thread wakes every ``tick`` seconds and runs, one after another, the jobs that are
due. When each job last ran is kept in a small JSON file under GOVSITE_DATA_DIR, so a
restarted server does not repeat a daily crawl it has just done. A failing job is logged
and retried at its next interval; it never stops the others.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

from govsite.schedules import JOBS, Job

log = logging.getLogger(__name__)


class Scheduler:
    def __init__(self, jobs: list[Job], state_file: Path, run: Callable[[Job], None],
                 clock: Callable[[], float] = time.time):  # fmt: skip
        self.jobs, self.state_file, self.run, self.clock = jobs, Path(state_file), run, clock
        self.last = self._load()
        now = self.clock()
        for job in jobs:  # never run before: at start, or one interval from now
            self.last.setdefault(job.name, now - job.interval if job.at_start else now)

    def _load(self) -> dict[str, float]:
        try:
            data = json.loads(self.state_file.read_text())
            return {k: float(v) for k, v in data.items()}
        except (OSError, ValueError, AttributeError):
            return {}

    def _save(self) -> None:
        tmp = self.state_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.last))
        tmp.replace(self.state_file)

    def due(self) -> list[Job]:
        now = self.clock()
        return [job for job in self.jobs if now - self.last[job.name] >= job.interval]

    def run_pending(self) -> list[str]:
        ran = []
        for job in self.due():
            self.last[job.name] = self.clock()
            self._save()
            try:
                self.run(job)
            except Exception:
                log.exception("定时任务 %s 失败", job.name)
            ran.append(job.name)
        return ran


def run_command(job: Job) -> None:
    from django.core.management import call_command
    from django.db import close_old_connections

    close_old_connections()
    try:
        call_command(job.command, *job.args)
    finally:
        close_old_connections()


def start_in_background(state_dir: Path, tick: float = 30.0) -> threading.Thread:
    scheduler = Scheduler(JOBS, Path(state_dir) / "scheduler-state.json", run_command)

    def loop() -> None:
        while True:
            scheduler.run_pending()
            time.sleep(tick)

    thread = threading.Thread(target=loop, name="govsite-scheduler", daemon=True)
    thread.start()
    return thread
