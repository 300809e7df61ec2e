"""Reminders before a deadline, alerts after it, escalation (M3). Run by the periodic job
``govsite message_deadlines``; each notice is sent once per message and deadline (a
MessageEvent marks it), so running the job twice sends nothing twice."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from govsite.accounts.access import users_with_roles
from govsite.accounts.roles import Role
from govsite.messaging.models import Message, MessageEvent, Status
from govsite.messaging.workflow import policy
from govsite.notifications.service import notify
from govsite.workdays.service import current_calendar

OPEN = [Status.ASSIGNED, Status.HANDLING]


def _once(message: Message, action: str, note: str, now) -> bool:
    """Record that ``action`` happened for the current deadline; False if it already had."""
    marker = f"{note}@{message.due_at or message.ack_due_at:%Y-%m-%d %H:%M}"
    if MessageEvent.objects.filter(message=message, action=action, note=marker).exists():
        return False
    MessageEvent.objects.create(message=message, at=now, action=action, note=marker,
                                from_status=message.status, to_status=message.status,
                                unit=message.unit)  # fmt: skip
    return True


def run(now=None) -> dict[str, int]:
    now = now or timezone.now()
    calendar = current_calendar()
    counts = {"reminded": 0, "overdue": 0, "unacknowledged": 0}
    link = lambda m: reverse("messaging:staff_detail", args=[m.number])  # noqa: E731
    for message in Message.objects.filter(status__in=OPEN, due_at__gte=now).select_related("unit"):
        days_left = calendar.workdays_between(now, message.due_at)
        if days_left <= policy(message.message_type).remind_workdays and _once(
            message, "remind", "到期提醒", now
        ):
            notify(users_with_roles((Role.UNIT_STAFF, Role.UNIT_HEAD), message.unit),
                   f"留言 {message.number} 将于 {timezone.localtime(message.due_at):%m月%d日} 到期",
                   body=message.title, link=link(message), kind="messages.remind")  # fmt: skip
            counts["reminded"] += 1
    overdue = Message.objects.filter(status__in=OPEN + [Status.REPLY_REVIEW], due_at__lt=now)
    for message in overdue.select_related("unit"):
        if _once(message, "overdue", "逾期", now):
            recipients = [*users_with_roles((Role.UNIT_STAFF, Role.UNIT_HEAD), message.unit),
                          *users_with_roles((Role.SUPERVISION,))]  # fmt: skip
            notify(recipients, f"留言 {message.number} 已超过办理时限",
                   body=f"{message.title}\n承办单位：{message.unit.name if message.unit else '—'}",
                   link=link(message), kind="messages.overdue")  # fmt: skip
            counts["overdue"] += 1
    late = Message.objects.filter(status=Status.SUBMITTED, acknowledged_at=None, ack_due_at__lt=now)
    for message in late:
        if _once(message, "ack_overdue", "未按时受理", now):
            notify(users_with_roles((Role.INFORMATION,)), f"留言 {message.number} 超过 24 小时未受理",
                   body=message.title, link=link(message), kind="messages.unacknowledged")  # fmt: skip
            counts["unacknowledged"] += 1
    return counts
