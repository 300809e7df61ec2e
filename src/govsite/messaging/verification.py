"""Verifying a sender's phone or e-mail with a one-time code (M1, when
GOVSITE_MESSAGE_VERIFY_CONTACT is on). Codes are six digits, stored hashed, valid ten
minutes, five tries; one code a minute per contact and ten an hour per address, so the
form cannot be used to flood someone's phone."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.core.mail import send_mail
from django.db import models
from django.utils import timezone

from govsite.core.pseudonyms import keyed_hash
from govsite.messaging.intake import PHONE
from govsite.notifications.service import sms_sender

VALID_FOR = timedelta(minutes=10)
MAX_TRIES = 5


class VerificationError(ValueError):
    pass


def _key(contact: str) -> str:
    return keyed_hash("verify:" + contact.strip().lower())


def send_code(contact: str, address: str = "", now=None) -> None:
    from govsite.messaging.models import ContactCode

    now = now or timezone.now()
    contact = contact.strip()
    is_phone = bool(PHONE.match(contact))
    if not is_phone and ("@" not in contact or len(contact) > 254):
        raise VerificationError("请填写正确的手机号码或邮箱")
    key, address_key = _key(contact), keyed_hash("ip:" + address) if address else ""
    if ContactCode.objects.filter(
        contact_key=key, created_at__gte=now - timedelta(minutes=1)
    ).exists():
        raise VerificationError("验证码已发送，请一分钟后再试")
    if (
        address_key
        and ContactCode.objects.filter(
            address=address_key, created_at__gte=now - timedelta(hours=1)
        ).count()
        >= 10
    ):
        raise VerificationError("发送过于频繁，请稍后再试")
    code = f"{secrets.randbelow(1_000_000):06d}"
    ContactCode.objects.create(contact_key=key, code_hash=keyed_hash("code:" + code),
                               address=address_key, created_at=now)  # fmt: skip
    text = f"您的留言验证码是 {code}，10 分钟内有效。如非本人操作，请忽略。"
    if is_phone:
        sms_sender().send(contact, text)
    else:
        send_mail("留言验证码", text, None, [contact])


def check_code(contact: str, code: str, now=None) -> bool:
    """True once for a right code within its time; every try counts."""
    from govsite.messaging.models import ContactCode

    now = now or timezone.now()
    found = (ContactCode.objects.filter(contact_key=_key(contact), used_at=None,
                                        created_at__gte=now - VALID_FOR)
             .order_by("-created_at").first())  # fmt: skip
    if found is None or found.tries >= MAX_TRIES:
        return False
    ContactCode.objects.filter(pk=found.pk).update(tries=models.F("tries") + 1)
    if not secrets.compare_digest(found.code_hash, keyed_hash("code:" + (code or "").strip())):
        return False
    return bool(ContactCode.objects.filter(pk=found.pk, used_at=None).update(used_at=now))
