"""Reminders before the deadline, alerts after, each once; unacknowledged messages flagged."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from govsite.messaging.deadlines import run
from govsite.messaging.workflow import transition
from govsite.notifications.models import Notification

SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def personas(personas, user_factory, tree):
    from govsite.accounts.roles import Role

    personas.information = user_factory("xinxiban", Role.INFORMATION, tree.city)
    return personas


def test_remind_then_alert_once_each(write, personas, tree):
    start = datetime(2025, 11, 3, 9, 0, tzinfo=SH)  # Monday
    with time_machine.travel(start, tick=False):
        message = write().message
        transition(message, "publish", personas.information)
        transition(message, "route", personas.information, unit=tree.edu)
    with time_machine.travel(start + timedelta(days=2), tick=False):
        assert run()["reminded"] == 0
    with time_machine.travel(start + timedelta(days=6), tick=False):  # due Monday 11-10
        assert run()["reminded"] == 1
        assert run()["reminded"] == 0
    with time_machine.travel(start + timedelta(days=8), tick=False):
        assert run()["overdue"] == 1
        assert run()["overdue"] == 0
    kinds = set(Notification.objects.values_list("kind", flat=True))
    assert {"messages.remind", "messages.overdue"} <= kinds
    assert Notification.objects.filter(
        recipient=personas.supervisor, kind="messages.overdue"
    ).exists()


def test_a_message_nobody_reviewed_in_24_hours_is_flagged(write, personas):
    start = datetime(2025, 11, 3, 9, 0, tzinfo=SH)
    with time_machine.travel(start, tick=False):
        write()
    with time_machine.travel(start + timedelta(hours=25), tick=False):
        assert run()["unacknowledged"] == 1
    assert Notification.objects.filter(recipient=personas.information).exists()
