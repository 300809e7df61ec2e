"""Background work runs in-process by default and on real Celery workers with Redis."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from govsite.core.tasks import ping

REDIS_URL = os.environ.get("GOVSITE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
GOVSITE = Path(sys.executable).with_name("govsite")


def redis_available() -> bool:
    import redis

    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError:
        return False


def test_without_redis_tasks_run_in_process():
    result = ping.delay("eager")
    assert result.get(timeout=5)["pid"] == os.getpid()


@pytest.mark.redis
def test_worker_started_by_govsite_runs_tasks_from_redis(tmp_path):
    if not redis_available():
        if os.environ.get("CI"):
            pytest.fail(f"CI needs Redis at {REDIS_URL}")
        pytest.skip(f"no Redis at {REDIS_URL}")
    from celery import Celery

    env = {**os.environ, "REDIS_URL": REDIS_URL, "GOVSITE_DATA_DIR": str(tmp_path)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    worker = subprocess.Popen(
        [
            str(GOVSITE),
            "worker",
            "--concurrency=1",
            "--pool=solo",
            "--without-gossip",
            "--without-mingle",
            "--queues=celery",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        client = Celery("govsite", broker=REDIS_URL, backend=REDIS_URL)
        client.conf.task_always_eager = False
        result = client.send_task("govsite.ping", args=["over redis"])
        answer = result.get(timeout=60)
        assert answer["word"] == "over redis"
        assert answer["pid"] != os.getpid()
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
        time.sleep(0)
