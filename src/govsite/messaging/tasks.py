"""The repeat check after commit, off the request path (M7).

``intake.submit`` stores a message with ``repeat_checked=False`` and calls
``schedule_repeat_check(pk)``. Nothing happens until the transaction commits; then:

* with ``REDIS_URL`` (Celery): the task ``govsite.messaging.check_repeats`` goes to Redis
  for a ``govsite worker``;
* without it (the embedded default): the id goes on a bounded in-process queue, read by one
  daemon thread per process (started on first use, again after a fork). **Not** Celery's
  eager mode: that would run the check inside the request.

Nothing is lost when either of these does not happen (queue full, broker down, the process
killed between the commit and the check): the message keeps ``repeat_checked=False`` and
``govsite link_repeats`` (a job in ``govsite.schedules``) links every such message, oldest
first. The check itself (``repeats.link_unchecked``) is idempotent: it claims each message
with a conditional UPDATE, so a message the thread and the sweep both look at is linked
once, with one event.

The thread works in batches: after the first id it gathers more for up to ``GATHER``
seconds (or ``BATCH`` ids) and checks them with one set of candidate queries — one message
alone costs ~45 ms of CPU at a million messages (3,000 candidate rows fetched), one of a
batch of 200 ~2 ms. It also keeps to a share of the CPU (``DUTY``): after a batch that took
*t* seconds it rests ``t × (1 − DUTY) / DUTY``, so a burst of submissions is answered at
full speed while the checks fall behind (and, past ``QUEUE_SIZE``, are left to the sweep).
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time

from celery import shared_task
from django.conf import settings
from django.db import close_old_connections, connections, transaction

logger = logging.getLogger(__name__)

QUEUE_SIZE = 5_000  # ids waiting in one process; beyond that the sweep has them
BATCH = 200  # ids checked together
DUTY = 0.5  # share of one CPU the thread may use while it has work
GATHER = 2.0  # seconds to wait for more ids before a batch (a batch of one costs ~20 × more)


@shared_task(name="govsite.messaging.check_repeats", ignore_result=True)
def check_repeats(ids: list[int]) -> int:
    """Link the given messages if they repeat an earlier one (Celery worker)."""
    from govsite.messaging.repeats import link_unchecked

    return link_unchecked(ids)


def schedule_repeat_check(message_id: int) -> None:
    """After the current transaction commits, check ``message_id`` in the background."""
    transaction.on_commit(lambda: dispatch(message_id))


def dispatch(message_id: int) -> bool:
    """Hand the check to Celery (REDIS_URL) or the in-process thread. False: not handed
    over (the sweep will do it). Never raises: the message is already stored."""
    try:
        if settings.REDIS_URL:
            # retry=False: a broker that is down must not hold the answer to the sender
            check_repeats.apply_async(([message_id],), retry=False)
            return True
        return background().put(message_id)
    except Exception:  # noqa: BLE001 (left for the sweep)
        logger.exception("repeat check for message %s not scheduled; the sweep will do it",
                         message_id)  # fmt: skip
        return False


class Background:
    """One daemon thread reading a bounded queue of message ids."""

    def __init__(self, size: int | None = None, batch: int | None = None,
                 duty: float | None = None, gather: float | None = None):  # fmt: skip
        self.queue: queue.Queue[int] = queue.Queue(maxsize=size or QUEUE_SIZE)
        self.batch = batch or BATCH
        self.duty = DUTY if duty is None else duty
        self.gather = GATHER if gather is None else gather
        self.dropped = 0  # queue full: left for the sweep
        self.checked = 0
        self.thread = threading.Thread(target=self._run, name="govsite-repeat-check",
                                       daemon=True)  # fmt: skip
        self.thread.start()

    def put(self, message_id: int) -> bool:
        try:
            self.queue.put_nowait(message_id)
            return True
        except queue.Full:
            self.dropped += 1
            if self.dropped == 1 or self.dropped % 1000 == 0:
                logger.warning("repeat-check queue full (%s left for the sweep so far)",
                               self.dropped)  # fmt: skip
            return False

    def wait(self, timeout: float = 30.0) -> bool:
        """Until every id put so far has been checked (tests, shutdown). False: timed out."""
        deadline = time.monotonic() + timeout
        while self.queue.unfinished_tasks:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.01)
        return True

    def _run(self) -> None:
        from govsite.messaging.repeats import link_unchecked

        while True:
            ids = [self.queue.get()]
            until = time.monotonic() + self.gather
            while len(ids) < self.batch and (left := until - time.monotonic()) > 0:
                try:
                    ids.append(self.queue.get(timeout=left))
                except queue.Empty:
                    break
            started = time.monotonic()
            try:
                close_old_connections()
                self.checked += link_unchecked(ids)
            except Exception:  # noqa: BLE001 (left unchecked: the sweep retries)
                logger.exception("repeat check failed for %s messages", len(ids))
            finally:
                if self.queue.empty():  # idle: hold no database connection
                    connections.close_all()
                else:
                    close_old_connections()
                for _ in ids:
                    self.queue.task_done()
            if self.duty < 1:
                time.sleep((time.monotonic() - started) * (1 - self.duty) / self.duty)


_background: Background | None = None
_pid: int | None = None
_lock = threading.Lock()


def background() -> Background:
    """This process's thread (a forked gunicorn worker starts its own)."""
    global _background, _pid
    if _background is None or _pid != os.getpid():
        with _lock:
            if _background is None or _pid != os.getpid():
                _background, _pid = Background(), os.getpid()
    return _background


def _after_fork() -> None:
    global _background, _pid, _lock
    _background, _pid, _lock = None, None, threading.Lock()


os.register_at_fork(after_in_child=_after_fork)
