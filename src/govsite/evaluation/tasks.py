"""Celery tasks of the evaluation: one site per task, so sites spread over the workers.

``govsite evaluate --workers celery`` sends them (see ``distributed.py``); ``govsite worker``
runs them. Arguments are plain JSON: the site as in the SITES file and the options as
``distributed.options_payload`` writes them.
"""

from celery import shared_task
from celery.utils.log import get_task_logger

logger = get_task_logger(__name__)


# acks_late + reject_on_worker_lost (also the settings' defaults, stated here because the
# redelivery after a dead worker is what makes distributed evaluation safe): the message is
# acknowledged only when the site is done, so a worker killed mid-site loses nothing.
@shared_task(name="govsite.evaluate_site", bind=True, acks_late=True, reject_on_worker_lost=True)
def evaluate_site(self, site: dict, options: dict) -> dict:
    """Crawl and check one site into ``<job_dir>/site-<sha1(url)[:12]>``; a redelivered task
    resumes that crawl. Returns the site's RESULT.json entry."""
    from govsite.evaluation.distributed import evaluate_one_site

    return evaluate_one_site(
        site, options, task_id=self.request.id, worker=self.request.hostname or "", log=logger.info
    )
