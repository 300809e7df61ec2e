"""The repeat check after commit, off the request path (M7).

``intake.submit`` stores a message with ``repeat_checked=False`` and calls
``schedule_repeat_check(pk)``. Nothing happens until the transaction commits; then:

* with ``REDIS_URL`` (Celery): the task ``govsite.messaging.check_repeats`` goes to Redis
  for a ``govsite worker``;
* under ``govsite serve`` without Celery: nothing is handed over. ``serve`` starts one
  *repeat checker* process beside the web workers (``govsite link_repeats --follow``, at a
  lower CPU priority) that polls the unchecked messages (a partial index holds only those)
  and checks them in batches: the web workers spend no CPU on it, and under full load the
  operating system gives the requests the cores first, while the checker catches up as soon
  as they are free (``GOVSITE_REPEAT_CHECKER=process`` tells the workers it runs);
* anywhere else (tests, ``runserver``, management commands): the id goes on a bounded
  in-process queue, read by one daemon thread per process (started on first use, again
  after a fork). **Not** Celery's eager mode: that would run the check inside the request.

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
from collections.abc import Callable

from celery import shared_task
from django.conf import settings
from django.db import close_old_connections, connections, transaction

logger = logging.getLogger(__name__)

QUEUE_SIZE = 5_000  # ids waiting in one process; beyond that the sweep has them
BATCH = 200  # ids checked together
DUTY = 0.5  # share of one CPU the thread may use while it has work
GATHER = 2.0  # seconds to wait for more ids before a batch (a batch of one costs ~20 × more)
CHECKER_ENV = "GOVSITE_REPEAT_CHECKER"  # "process": a `link_repeats --follow` process runs


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
        if os.environ.get(CHECKER_ENV) == "process":
            return True  # the checker process finds it in the database
        return background().put(message_id)
    except Exception:  # noqa: BLE001 (left for the sweep)
        logger.exception("repeat check for message %s not scheduled; the sweep will do it",
                         message_id)  # fmt: skip
        return False


BUSY_IDLE = 0.15  # the machine counts as busy below this share of idle CPU
MAX_WAIT = 60.0  # seconds a message may wait for its check while the machine is busy


def cpu_idle_meter() -> Callable[[], float | None]:
    """A function giving the share of the machine's CPU time that was idle since its last
    call (Linux ``/proc/stat``); None where that cannot be read."""

    def read() -> tuple[int, int] | None:
        try:
            with open("/proc/stat") as f:
                ticks = [int(x) for x in f.readline().split()[1:9]]
        except (OSError, ValueError):
            return None
        return sum(ticks), ticks[3] + ticks[4]  # all, idle + iowait

    last = [read()]

    def idle() -> float | None:
        now, before = read(), last[0]
        last[0] = now
        if now is None or before is None or now[0] <= before[0]:
            return None
        return (now[1] - before[1]) / (now[0] - before[0])

    return idle


def oldest_unchecked_wait() -> float:
    """Seconds the oldest unchecked message has waited (0 when there is none)."""
    from django.utils import timezone

    from govsite.messaging.models import Message

    oldest = (Message.objects.filter(repeat_checked=False).order_by("received_at")
              .values_list("received_at", flat=True).first())  # fmt: skip
    return 0.0 if oldest is None else (timezone.now() - oldest).total_seconds()


def follow(interval: float = 1.0, batch: int = 200, keep_going: Callable[[], bool] = lambda: True,
           idle: Callable[[], float | None] | None = None, max_wait: float = MAX_WAIT) -> int:  # fmt: skip
    """The repeat checker process (``govsite link_repeats --follow``): check what is
    unchecked, oldest first, in short rounds, looking every ``interval`` seconds while
    ``keep_going()``. Polling is one lookup on the partial index of unchecked messages, so
    an idle checker costs nothing measurable.

    Background work on spare CPU: while the machine is busy (less than ``BUSY_IDLE`` of
    the CPU idle over the last interval, ``idle()``) the checks wait — the web requests get
    the cores, and the checker's queries would load PostgreSQL, which a lower ``nice`` of
    this process does not reach — unless the oldest unchecked message has waited
    ``max_wait`` seconds: then it is checked anyway, so a sustained load delays a check by
    about a minute, never indefinitely. Returns how many it checked."""
    from govsite.messaging.repeats import sweep

    idle = idle or cpu_idle_meter()
    checked = 0
    while keep_going():
        busy = False
        try:
            share = idle()
            if share is not None and share < BUSY_IDLE and oldest_unchecked_wait() < max_wait:
                pass  # requests first
            else:
                done = sweep(max_seconds=2.0, batch=batch)  # then look at the load again
                checked += done["checked"]
                busy = done["checked"] > 0  # more may have come meanwhile
        except Exception:  # noqa: BLE001 (database away: try again next round)
            logger.exception("repeat checker: this round failed; trying again")
        finally:
            close_old_connections()
        if not busy:
            time.sleep(interval)
    connections.close_all()
    return checked


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
