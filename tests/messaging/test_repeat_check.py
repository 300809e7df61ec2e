"""The repeat check after commit, off the request (M7): a submission is answered before the
check; the background thread (or Celery) then links it; ``govsite link_repeats`` links what
the background never did, oldest first — even after the process was killed."""

from __future__ import annotations

import io
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from govsite.messaging import tasks
from govsite.messaging.intake import submit
from govsite.messaging.models import Message, MessageEvent
from govsite.messaging.repeats import MAX_RECENT, link_unchecked, sweep

SCHOOL = {"message_type": "consult", "title": "青山县城关二小门口早晚交通拥堵",
          "content": "城关二小门口每天早晚上下学时段车辆乱停，家长接送孩子非常危险，"
                     "请交警和学校协调设置临时停车区和护学岗。",
          "name": "王小明", "phone": "13800000001"}  # fmt: skip
OTHER = SCHOOL | {"title": "咨询城关镇医保报销比例", "phone": "13900000009",
                  "content": "请问今年城乡居民医保在镇卫生院住院报销比例是多少，起付线是多少？"}  # fmt: skip


def test_a_submission_returns_before_the_check(channels, django_capture_on_commit_callbacks):
    first = submit(channels.board, SCHOOL, address="10.0.0.1").message
    with django_capture_on_commit_callbacks() as callbacks, CaptureQueriesContext(connection) as q:
        again = submit(channels.board, SCHOOL | {"title": "再次反映城关二小门口交通拥堵"},
                       address="10.0.0.2").message  # fmt: skip
    assert len(callbacks) == 1  # the check waits for the commit
    again.refresh_from_db()
    assert again.repeat_of is None and not again.repeat_checked
    assert not MessageEvent.objects.filter(action="repeat").exists()
    # no candidate rows are read in the request (they are MAX_RECENT + … at a time)
    assert not [x["sql"] for x in q.captured_queries if str(MAX_RECENT) in x["sql"]]
    assert link_unchecked([again.pk]) == 1  # what the background then does
    again.refresh_from_db()
    assert again.repeat_of == first and again.repeat_checked
    assert link_unchecked([again.pk]) == 0  # checked once: nothing twice
    assert MessageEvent.objects.filter(action="repeat", message=again).count() == 1


def test_the_ack_deadline_is_in_the_insert_and_the_queries_are_few(channels):
    with CaptureQueriesContext(connection) as q:
        done = submit(channels.board, SCHOOL, address="10.0.0.1", idempotency_key="k-1")
    sqls = [x["sql"] for x in q.captured_queries]
    assert not [s for s in sqls if s.startswith("UPDATE")], sqls
    assert done.message.ack_due_at is not None
    assert Message.objects.get(pk=done.message.pk).ack_due_at == done.message.ack_due_at
    # idempotency lookup, hourly limit, deadline policy, INSERT message, INSERT event
    # (plus savepoint statements on a nested transaction)
    assert len([s for s in sqls if "SAVEPOINT" not in s]) <= 5, sqls


@pytest.mark.django_db(transaction=True)
def test_the_background_thread_links_it_after_commit(channels, monkeypatch):
    gate = threading.Event()

    class Gated(tasks.Background):
        # SQLite's in-memory test database refuses a read during another connection's
        # write at once ("table is locked", no busy timeout): start after the submissions.
        def _run(self):
            gate.wait(30)
            super()._run()

    worker = Gated(gather=0.1)
    monkeypatch.setattr(tasks, "background", lambda: worker)
    first = submit(channels.board, SCHOOL, address="10.0.0.1").message
    other = submit(channels.board, OTHER, address="10.0.0.2").message
    again = submit(channels.board, SCHOOL | {"title": "再次反映城关二小门口交通拥堵"},
                   address="10.0.0.3").message  # fmt: skip
    assert worker.queue.qsize() == 3  # committed and handed over, not checked yet
    assert not Message.objects.filter(repeat_checked=True).exists()
    gate.set()
    assert worker.wait(30)
    assert worker.checked == 3
    for message in (first, other, again):
        message.refresh_from_db()
        assert message.repeat_checked
    assert again.repeat_of == first and other.repeat_of is None and first.repeat_of is None
    event = MessageEvent.objects.get(action="repeat")
    assert event.message == again and not event.public and first.number in event.note


def test_the_sweep_links_one_whose_background_job_never_ran(channels):
    # In a test transaction on_commit never fires: exactly a job that never ran.
    first = submit(channels.board, SCHOOL, address="10.0.0.1").message
    again = submit(channels.board, SCHOOL | {"title": "再次反映城关二小门口交通拥堵"},
                   address="10.0.0.2").message  # fmt: skip
    third = submit(channels.board, SCHOOL | {"title": "第三次反映城关二小交通拥堵问题"},
                   address="10.0.0.3").message  # fmt: skip
    assert Message.objects.filter(repeat_checked=False).count() == 3
    out = io.StringIO()
    call_command("link_repeats", stdout=out)
    assert "查重 3 条，其中重复 2 条；尚未查重 0 条" in out.getvalue()
    again.refresh_from_db()
    third.refresh_from_db()
    assert again.repeat_of == first and third.repeat_of == first  # the first of the chain
    call_command("link_repeats", stdout=out)  # again: nothing left, nothing twice
    assert MessageEvent.objects.filter(action="repeat").count() == 2


def test_the_sweep_goes_oldest_first_and_stops_at_its_time_budget(channels):
    ids = [submit(channels.board, OTHER | {"title": f"再次咨询医保报销比例（第{i}次）"},
                  address=f"10.0.1.{i}").message.pk for i in range(3)]  # fmt: skip
    assert sweep(max_seconds=0)["checked"] == 0
    done = sweep(batch=2)  # two batches: the first two, then the third
    assert done == done | {"checked": 3, "linked": 2, "left": 0}
    links = dict(Message.objects.filter(pk__in=ids).values_list("pk", "repeat_of"))
    assert links == {ids[0]: None, ids[1]: ids[0], ids[2]: ids[0]}


def test_a_full_queue_leaves_the_message_for_the_sweep(channels, monkeypatch):
    class Stuck(tasks.Background):
        def _run(self):  # never takes anything off the queue
            pass

    stuck = Stuck(size=1)
    monkeypatch.setattr(tasks, "background", lambda: stuck)
    assert tasks.dispatch(1) is True
    assert tasks.dispatch(2) is False and stuck.dropped == 1


def test_with_redis_the_check_is_a_celery_task_and_a_dead_broker_loses_nothing(
    channels, monkeypatch, settings
):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    sent = []
    monkeypatch.setattr(tasks.check_repeats, "apply_async", lambda *a, **kw: sent.append((a, kw)))
    assert tasks.dispatch(7) is True
    assert sent == [((([7],),), {"retry": False})]

    def down(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.check_repeats, "apply_async", down)
    assert tasks.dispatch(8) is False  # logged; the sweep will check it


def test_the_celery_task_links(channels):
    first = submit(channels.board, SCHOOL, address="10.0.0.1").message
    again = submit(channels.board, SCHOOL | {"phone": "13900000002"}, address="10.0.0.2").message
    assert tasks.check_repeats.run([first.pk, again.pk]) == 2
    again.refresh_from_db()
    assert again.repeat_of == first


# -- killed between the commit and the check -------------------------------------------------

GOVSITE = Path(sys.executable).with_name("govsite")
KILLED = r"""
import os, signal, django
django.setup()
from govsite.messaging import tasks
class Never(tasks.Background):  # the process dies before the thread gets to the check
    def _run(self):
        pass
tasks._background, tasks._pid = Never(), os.getpid()
from govsite.messaging.intake import submit
from govsite.messaging.models import Channel, Message
from govsite.registry.models import Unit, UnitCategory
unit = Unit.objects.create(code="C0", name="示范市人民政府",
                           category=UnitCategory.objects.get(code="city_portal"))
board = Channel.objects.create(slug="board", name="网上留言板", kind="board", unit=unit)
data = {"message_type": "consult", "title": "青山县城关二小门口早晚交通拥堵", "name": "王",
        "content": "城关二小门口每天早晚上下学时段车辆乱停，家长接送孩子非常危险。",
        "phone": "13800000001"}
submit(board, data, address="10.0.0.1")
submit(board, data | {"title": "再次反映城关二小门口交通拥堵"}, address="10.0.0.2")
assert tasks._background.queue.qsize() == 2  # committed, handed over, not checked
print(Message.objects.filter(repeat_checked=False).count(), flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_an_unchecked_message_survives_a_kill_and_the_sweep_links_it(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env |= {"GOVSITE_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "govsite.settings"}

    def run(*command):
        return subprocess.run(command, capture_output=True, text=True, timeout=180, env=env)

    assert run(str(GOVSITE), "migrate", "-v0").returncode == 0
    killed = run(sys.executable, "-c", KILLED)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert killed.stdout.strip() == "2"
    swept = run(str(GOVSITE), "link_repeats")  # a new process: the next sweep
    assert swept.returncode == 0, swept.stderr
    assert "查重 2 条，其中重复 1 条；尚未查重 0 条" in swept.stdout
    with sqlite3.connect(tmp_path / "govsite.sqlite3") as db:
        rows = db.execute("SELECT id, repeat_of_id, repeat_checked FROM messaging_message "
                          "ORDER BY id").fetchall()  # fmt: skip
    assert rows == [(1, None, 1), (2, 1, 1)]


def test_under_serve_the_workers_hand_nothing_over_the_checker_process_polls(monkeypatch):
    monkeypatch.setenv(tasks.CHECKER_ENV, "process")
    monkeypatch.setattr(tasks, "background", lambda: pytest.fail("no in-process queue"))
    assert tasks.dispatch(1) is True


def test_the_checker_loop_links_what_is_unchecked_then_waits(channels, monkeypatch):
    first = submit(channels.board, SCHOOL, address="10.0.0.1").message
    again = submit(channels.board, SCHOOL | {"phone": "13900000002"}, address="10.0.0.2").message
    rounds, slept = iter([True, True, False]), []
    monkeypatch.setattr(tasks.time, "sleep", slept.append)
    # the loop lets go of its connection between rounds: not the test's own
    monkeypatch.setattr(tasks, "close_old_connections", lambda: None)
    monkeypatch.setattr(tasks.connections, "close_all", lambda: None)
    assert tasks.follow(interval=0.5, keep_going=lambda: next(rounds), idle=lambda: None) == 2
    assert slept == [0.5]  # the second round found nothing: it waited before looking again
    again.refresh_from_db()
    assert again.repeat_of == first and again.repeat_checked


def test_the_checker_waits_while_the_machine_is_busy_but_not_past_max_wait(channels, monkeypatch):
    first = submit(channels.board, SCHOOL, address="10.0.0.1").message
    again = submit(channels.board, SCHOOL | {"phone": "13900000002"}, address="10.0.0.2").message
    monkeypatch.setattr(tasks.time, "sleep", lambda seconds: None)
    monkeypatch.setattr(tasks, "close_old_connections", lambda: None)
    monkeypatch.setattr(tasks.connections, "close_all", lambda: None)

    def rounds(n):
        left = iter([True] * n + [False])
        return lambda: next(left)

    busy = lambda: 0.02  # noqa: E731 (98 % of the CPU in use)
    assert tasks.follow(keep_going=rounds(3), idle=busy, max_wait=60) == 0
    assert Message.objects.filter(repeat_checked=False).count() == 2  # requests first
    assert tasks.follow(keep_going=rounds(3), idle=lambda: 0.5, max_wait=60) == 2  # idle: now
    again.refresh_from_db()
    assert again.repeat_of == first
    late = submit(channels.board, OTHER, address="10.0.0.3").message
    # busy for good: the oldest has waited longer than max_wait, so it is checked anyway
    assert tasks.follow(keep_going=rounds(2), idle=busy, max_wait=0) == 1
    late.refresh_from_db()
    assert late.repeat_checked


def test_the_idle_meter_reads_the_machine():
    meter = tasks.cpu_idle_meter()
    sum(range(2_000_000))  # let some ticks pass
    share = meter()
    assert share is None or 0.0 <= share <= 1.0


def test_the_checker_process_links_and_stops_on_sigterm(tmp_path):
    """``govsite serve``'s checker: ``link_repeats --follow`` finds the messages the killed
    process left unchecked, links them, and stops cleanly when the server stops it."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env |= {"GOVSITE_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "govsite.settings"}
    assert subprocess.run([str(GOVSITE), "migrate", "-v0"], env=env, timeout=180).returncode == 0
    subprocess.run([sys.executable, "-c", KILLED], env=env, timeout=180, capture_output=True)
    checker = subprocess.Popen([str(GOVSITE), "link_repeats", "--follow", "--interval", "0.1",
                                "--nice", "5"], env=env, stdout=subprocess.PIPE, text=True)  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            with sqlite3.connect(tmp_path / "govsite.sqlite3") as db:
                rows = db.execute("SELECT id, repeat_of_id, repeat_checked FROM "
                                  "messaging_message ORDER BY id").fetchall()  # fmt: skip
            if rows == [(1, None, 1), (2, 1, 1)]:
                break
            time.sleep(0.2)
        assert rows == [(1, None, 1), (2, 1, 1)]
        checker.send_signal(signal.SIGTERM)
        out, _ = checker.communicate(timeout=30)
    finally:
        checker.kill()
    assert checker.returncode == 0
    assert "查重进程退出：共查重 2 条" in out


# -- the lean intake request --------------------------------------------------------------------

PLAIN = {"message_type": "consult", "title": "  咨询幼儿园入学政策 ", "content": "请问今年幼儿园入学需要哪些材料？",
         "name": "王小明", "phone": "13800000001"}  # fmt: skip


@pytest.mark.parametrize("body", [
    PLAIN,
    PLAIN | {"channel": "mayor", "anonymous": True, "wants_public": False, "email": ""},
    PLAIN | {"captcha_key": "abc", "captcha_value": " x7Y ", "unknown": [1, 2]},
])  # fmt: skip
def test_the_plain_json_path_gives_what_the_serializer_gives(body):
    from govsite.messaging.api import IntakeSerializer, plain_intake_data

    serializer = IntakeSerializer(data=body)
    assert serializer.is_valid(), serializer.errors
    assert plain_intake_data(body) == dict(serializer.validated_data)


@pytest.mark.parametrize("change", [
    {"title": "   "}, {"title": 12}, {"content": None}, {"anonymous": "true"}, {"phone": 138},
    {"message_type": "spam"}, {"channel": "no slug"}, {"channel": ""}, {"title": "题" * 1001},
    {"name": "a\x00b"}, {"content": "坏\ud800字"}, {"message_type": None},
])  # fmt: skip
def test_anything_unusual_goes_through_the_serializer(change):
    from govsite.messaging.api import plain_intake_data

    assert plain_intake_data(PLAIN | change) is None
    body = dict(PLAIN)
    del body["content"]
    assert plain_intake_data(body) is None


def test_a_staff_token_submission_takes_six_queries(channels, personas):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    outsider = APIClient()  # a token without a govsite role: the public's rules apply
    outsider.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=personas.outsider)}")
    refused = outsider.post("/api/messages/", PLAIN, format="json")
    assert refused.status_code == 400 and "captcha_value" in refused.json()["errors"]
    client = APIClient()
    token = Token.objects.create(user=personas.edu_officer)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    body = PLAIN | {"channel": "board"}
    with CaptureQueriesContext(connection) as q:
        done = client.post("/api/messages/", body, format="json", HTTP_IDEMPOTENCY_KEY="abc-1")
    assert done.status_code == 201, done.json()
    sqls = [x["sql"] for x in q.captured_queries if "SAVEPOINT" not in x["sql"]]
    # token (with "holds a role"), channel, then the INSERTs of the message and its submit
    # event (in a transaction); no Idempotency-Key lookup (the unique index catches a
    # repeated key), no repeat check, no UPDATE
    assert len([s for s in sqls if s not in ("BEGIN", "COMMIT")]) == 4, sqls
    assert not [s for s in sqls if s.startswith("UPDATE")]
    again = client.post("/api/messages/", body, format="json", HTTP_IDEMPOTENCY_KEY="abc-1")
    assert again.status_code == 200 and again.json()["number"] == done.json()["number"]


def test_a_changed_deadline_policy_is_used_at_once_in_this_process(channels, monkeypatch):
    from govsite.messaging import intake
    from govsite.messaging.models import DeadlinePolicy

    monkeypatch.setattr(intake, "_ack_hours", {})  # the rollback clears no cache: keep ours

    first = submit(channels.board, SCHOOL, address="10.0.0.1").message
    assert first.ack_due_at - first.received_at == timedelta(hours=24)
    DeadlinePolicy.objects.create(message_type="consult", ack_hours=48)
    later = submit(channels.board, OTHER, address="10.0.0.2").message
    assert later.ack_due_at - later.received_at == timedelta(hours=48)


def test_a_late_check_records_the_status_the_message_has_by_then(channels, tree, user_factory):
    from govsite.accounts.roles import Role
    from govsite.messaging.workflow import transition

    office = user_factory("xinxiban", Role.INFORMATION, tree.city)
    first = submit(channels.board, SCHOOL, address="10.0.0.1").message
    again = submit(channels.board, SCHOOL | {"phone": "13900000002"}, address="10.0.0.2").message
    transition(again, "publish", office)  # before the background got to it
    assert link_unchecked([first.pk, again.pk]) == 2
    event = MessageEvent.objects.get(action="repeat")
    assert event.message == again and event.from_status == event.to_status == "collected"
