"""The Celery app. Without REDIS_URL every task runs in-process (eager); with it,
``govsite worker`` processes pick tasks up from Redis, and beat (``govsite worker -B`` or
``celery -A govsite.celery beat``) runs the periodic jobs listed in ``govsite.schedules``.

``GOVSITE_CELERY_VISIBILITY_TIMEOUT`` (seconds, default 3600): a task is acknowledged only
when it is done (``CELERY_TASK_ACKS_LATE``). If its worker dies, the Redis transport hands the
message to another worker once it has gone unacknowledged for this long. Redis cannot tell a
dead worker from a slow one. Keep the timeout above the longest task (a site evaluation, see
``evaluation/distributed.py``), or a task that is still running is delivered a second time.
Lower it only where tasks are short, as the tests do."""

import os

from celery import Celery

from govsite.lib.env import EnvError, env_int, env_str

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govsite.settings")

app = Celery("govsite")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.conf.include = ["govsite.evaluation.tasks"]  # not a Django app, so not autodiscovered


def broker_transport_options(visibility_timeout: int) -> dict:
    """Redis transport options for a given visibility timeout. kombu looks for abandoned
    messages every ``unacked_restore_interval`` × ``unacked_restore_throttle`` seconds
    (10 × 10 by default). The sweep is scaled to about a tenth of the timeout, so a dead
    worker's task comes back within roughly 1.1 × the timeout."""
    if visibility_timeout < 1:
        raise EnvError(f"GOVSITE_CELERY_VISIBILITY_TIMEOUT={visibility_timeout} must be >= 1")
    sweep = max(1, min(visibility_timeout // 10, 100))
    return {
        "visibility_timeout": visibility_timeout,
        "unacked_restore_interval": min(sweep, 10),
        "unacked_restore_throttle": max(1, sweep // 10),
    }


app.conf.broker_transport_options = broker_transport_options(
    env_int("GOVSITE_CELERY_VISIBILITY_TIMEOUT", 3600)
)
if env_str("REDIS_URL"):  # beat only runs with a broker; keep eager start-up light
    from govsite.schedules import beat_schedule

    app.conf.beat_schedule = beat_schedule()
