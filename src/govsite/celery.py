"""The Celery app. Without REDIS_URL every task runs in-process (eager); with it,
``govsite worker`` processes pick tasks up from Redis."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govsite.settings")

app = Celery("govsite")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
