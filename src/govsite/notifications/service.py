"""The one way the platform tells people something (rectification deadlines now, message
deadlines later): an inbox row per recipient, plus an e-mail and, where configured, an SMS.

A failed copy never loses the notification: the inbox row is written first and the failure
is recorded on it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

from govsite.notifications.models import Notification

log = logging.getLogger(__name__)


class SmsSender:
    """Interface of an SMS gateway adapter (set GOVSITE_SMS_SENDER to a subclass path)."""

    def send(self, phone: str, text: str) -> None:  # pragma: no cover - interface
        raise NotImplementedError


class LogSmsSender(SmsSender):
    """Default: writes the SMS to the log (no gateway on a fresh install)."""

    def send(self, phone: str, text: str) -> None:
        log.info("SMS to %s: %s", phone, text)


def sms_sender() -> SmsSender:
    return import_string(settings.GOVSITE_SMS_SENDER)()


def _phone(user) -> str:
    profile = getattr(user, "profile", None)
    return getattr(profile, "phone", "") or ""


def notify(
    recipients: Iterable, subject: str, body: str = "", link: str = "", kind: str = ""
) -> list[Notification]:
    """Write one inbox row per distinct active recipient, then send the copies."""
    seen, rows = set(), []
    for user in recipients:
        if user is None or not user.is_active or user.pk in seen:
            continue
        seen.add(user.pk)
        note = Notification.objects.create(
            recipient=user, subject=subject[:200], body=body, link=link, kind=kind
        )
        note.delivery = {"email": _email(user, subject, body, link)}
        phone = _phone(user)
        if phone:
            try:
                sms_sender().send(phone, subject)
                note.delivery["sms"] = "sent"
            except Exception as exc:  # a gateway failure must not lose the inbox row
                note.delivery["sms"] = f"failed: {exc}"[:200]
        note.save(update_fields=["delivery"])
        rows.append(note)
    return rows


def _email(user, subject: str, body: str, link: str) -> str:
    if not user.email:
        return "no_address"
    text = body + (f"\n\n{settings.GOVSITE_BASE_URL.rstrip('/')}{link}" if link else "")
    try:
        send_mail(subject, text, None, [user.email])
    except Exception as exc:
        return f"failed: {exc}"[:200]
    return "sent"
