"""Writing a message (M1): checked, rate-limited, idempotent; the sender gets a tracking
number and a query code to follow it without an account."""

from __future__ import annotations

import hashlib
import hmac
import mimetypes
import re
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from govsite.core.pseudonyms import keyed_hash
from govsite.messaging.models import (
    Attachment,
    Channel,
    DeadlinePolicy,
    Message,
    MessageEvent,
    MessageType,
    Status,
)
from govsite.messaging.tasks import schedule_repeat_check
from govsite.messaging.workflow import policy

TITLE_MAX, CONTENT_MIN, CONTENT_MAX = 100, 10, 5000
ATTACHMENT_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png",
                    ".pdf": "application/pdf", ".doc": "application/msword",
                    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}  # fmt: skip
# What a file of each type starts with: the extension alone proves nothing.
MAGIC = {".jpg": (b"\xff\xd8\xff",), ".jpeg": (b"\xff\xd8\xff",), ".png": (b"\x89PNG\r\n\x1a\n",),
         ".pdf": (b"%PDF-",), ".doc": (b"\xd0\xcf\x11\xe0",), ".docx": (b"PK\x03\x04",)}  # fmt: skip
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
PHONE = re.compile(r"^1[3-9]\d{9}$|^0\d{2,3}-?\d{7,8}$")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class IntakeError(ValueError):
    """Input refused; ``errors`` maps field -> Chinese message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("；".join(errors.values()))
        self.errors = errors


@dataclass(frozen=True)
class Upload:
    name: str
    data: bytes


@dataclass(frozen=True)
class Submitted:
    message: Message
    query_code: str  # shown to the sender once; only its hash is stored
    created: bool  # False: the same submission was received before (idempotent)


def check_query_code(message: Message, code: str) -> bool:
    return hmac.compare_digest(message.query_code_hash, keyed_hash("code:" + code.strip().upper()))


def clean_text(value: str) -> str:
    return CONTROL.sub("", (value or "").replace("\r\n", "\n")).strip()


def validate(data: dict, channel: Channel, uploads: list[Upload]) -> dict:
    errors: dict[str, str] = {}
    out = {key: clean_text(str(data.get(key, ""))) for key in
           ("title", "content", "name", "phone", "email", "message_type")}  # fmt: skip
    if out["message_type"] not in MessageType.values:
        errors["message_type"] = "请选择留言类型"
    if not out["title"]:
        errors["title"] = "请填写标题"
    elif len(out["title"]) > TITLE_MAX:
        errors["title"] = f"标题不能超过 {TITLE_MAX} 字"
    if len(out["content"]) < CONTENT_MIN:
        errors["content"] = f"内容不能少于 {CONTENT_MIN} 字"
    elif len(out["content"]) > CONTENT_MAX:
        errors["content"] = f"内容不能超过 {CONTENT_MAX} 字"
    out["anonymous"] = bool(data.get("anonymous")) and channel.allows_anonymous
    if data.get("anonymous") and not channel.allows_anonymous:
        errors["anonymous"] = "该渠道不接受匿名留言"
    if out["phone"] and not PHONE.match(out["phone"]):
        errors["phone"] = "电话号码格式不正确"
    if out["email"] and ("@" not in out["email"] or len(out["email"]) > 254):
        errors["email"] = "邮箱格式不正确"
    if not out["anonymous"] and not (out["phone"] or out["email"]):
        errors["phone"] = "请留下电话或邮箱，以便答复（或选择匿名）"
    if len(out["name"]) > 40:
        errors["name"] = "姓名不能超过 40 字"
    errors.update(check_uploads(uploads))
    if errors:
        raise IntakeError(errors)
    out["wants_public"] = bool(data.get("wants_public", True))
    return out


def check_uploads(uploads: list[Upload]) -> dict[str, str]:
    if len(uploads) > settings.GOVSITE_MESSAGE_MAX_ATTACHMENTS:
        return {"attachments": f"附件不能超过 {settings.GOVSITE_MESSAGE_MAX_ATTACHMENTS} 个"}
    for upload in uploads:
        suffix = "." + upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
        if suffix not in ATTACHMENT_TYPES:
            return {
                "attachments": f"不支持的附件类型：{upload.name}（可上传 jpg、png、pdf、doc、docx）"
            }
        if len(upload.data) > settings.GOVSITE_MESSAGE_MAX_ATTACHMENT_BYTES:
            limit = settings.GOVSITE_MESSAGE_MAX_ATTACHMENT_BYTES // (1024 * 1024)
            return {"attachments": f"附件 {upload.name} 超过 {limit} MB"}
        if not upload.data.startswith(MAGIC[suffix]):
            return {"attachments": f"附件 {upload.name} 的内容与类型不符"}
    return {}


def too_many_from(address_key: str, now) -> bool:
    # ``exclude("")`` repeats the partial index's condition: SQLite uses the index only then
    recent = (Message.objects.filter(sender_address=address_key,
                                     received_at__gte=now - timedelta(hours=1))
              .exclude(sender_address="").count())  # fmt: skip
    return recent >= settings.GOVSITE_MESSAGES_PER_HOUR


def previous_submission(idempotency_key: str) -> Message | None:
    """The message already stored under this Idempotency-Key, if any (the partial unique
    index: ``exclude("")`` lets SQLite use it; no ORDER BY, there is at most one)."""
    key = idempotency_key[:64]
    if not key:
        return None
    found = Message.objects.filter(idempotency_key=key).exclude(idempotency_key="").order_by()
    pk = next(iter(found.values_list("pk", flat=True)[:1]), None)  # nearly always: none
    return None if pk is None else Message.objects.get(pk=pk)


#: Acknowledgement hours per message type, kept for ``ACK_HOURS_TTL`` seconds: one query
#: less per submission. Saving a DeadlinePolicy clears it in this process; other processes
#: take the change within the TTL (a deadline counted in hours).
ACK_HOURS_TTL = 60.0
_ack_hours: dict[str, tuple[float, int]] = {}


def ack_due(message_type: str, received_at):
    """``workflow.ack_deadline`` for a message not yet saved, from the cached policy."""
    cached = _ack_hours.get(message_type)
    if cached is None or cached[0] < time.monotonic():
        cached = (time.monotonic() + ACK_HOURS_TTL, policy(message_type).ack_hours)
        _ack_hours[message_type] = cached
    return received_at + timedelta(hours=cached[1])


def _policy_changed(**kwargs) -> None:
    _ack_hours.clear()


post_save.connect(_policy_changed, sender=DeadlinePolicy, dispatch_uid="intake-ack-hours")
post_delete.connect(_policy_changed, sender=DeadlinePolicy, dispatch_uid="intake-ack-hours")


NUMBER_DIGITS = 8  # random digits after the date: 100,000,000 numbers a day


def new_number(now) -> str:
    """The tracking number: the local date and ``NUMBER_DIGITS`` random digits (unguessable
    enough that numbers cannot be enumerated; the query code guards the content anyway)."""
    return number_for_day(timezone.localtime(now).strftime("%Y%m%d"))


def number_for_day(day: str) -> str:
    """``day`` (YYYYMMDD) followed by ``NUMBER_DIGITS`` random digits."""
    return f"{day}{secrets.randbelow(10**NUMBER_DIGITS):0{NUMBER_DIGITS}d}"


def submit(channel: Channel, data: dict, *, address: str = "", uploads: list[Upload] = (),
           idempotency_key: str = "", source: str = "web", now=None,
           key_is_new: bool = False) -> Submitted:  # fmt: skip
    """Store a message from the public. Raises IntakeError with per-field messages.

    ``key_is_new``: no lookup of ``idempotency_key`` before the INSERT — a key stored before
    (a retry, or a submission racing this one) is caught by the unique constraint: the
    INSERT fails and the stored message is returned (``created=False``). The API does this:
    a repeated key is rare, and the lookup cost ~10 % of a submission's CPU.

    The repeat check (``repeats.py``) is not made here: the message is stored with
    ``repeat_checked=False`` and checked in the background once the transaction commits
    (``messaging/tasks.py``; ``govsite link_repeats`` catches any the background missed)."""
    now = now or timezone.now()
    uploads = list(uploads)
    fields = validate(data, channel, uploads)
    address_key = keyed_hash("ip:" + address) if address else ""
    key = idempotency_key[:64]
    if key and not key_is_new and (previous := previous_submission(key)) is not None:
        return Submitted(previous, "", created=False)
    if address_key and too_many_from(address_key, now):
        raise IntakeError({"__all__": "提交过于频繁，请一小时后再试"})
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    contact = fields["phone"] or fields["email"].lower()
    message = Message(
        query_code_hash=keyed_hash("code:" + code), channel=channel,
        message_type=fields["message_type"], title=fields["title"], content=fields["content"],
        sender_name=fields["name"], sender_phone=fields["phone"], sender_email=fields["email"],
        sender_key=keyed_hash("who:" + contact) if contact else "",
        anonymous=fields["anonymous"], wants_public=fields["wants_public"], received_at=now,
        source=source, idempotency_key=key, sender_address=address_key,
        status=Status.SUBMITTED, repeat_checked=False,
    )  # fmt: skip
    message.ack_due_at = ack_due(message.message_type, now)  # in the INSERT, no UPDATE
    # A number is the date and 8 random digits: 10⁸ a day. With n already taken today an
    # attempt collides with probability n / 10⁸ (17 % at 200 a second all day long, 17 M):
    # ten attempts make a refusal ~10⁻⁸ even there.
    for _attempt in range(10):
        message.pk, message.number = None, new_number(now)
        message._state.adding = True
        try:
            with transaction.atomic():
                message.save(force_insert=True)
                for upload in uploads:
                    suffix = "." + upload.name.rsplit(".", 1)[-1].lower()
                    Attachment.objects.create(
                        message=message, name=upload.name[-120:], size=len(upload.data),
                        content_type=ATTACHMENT_TYPES[suffix] or mimetypes.guess_type(upload.name)[0],
                        sha256=hashlib.sha256(upload.data).hexdigest(), body=upload.data,
                    )  # fmt: skip
                MessageEvent.objects.create(message=message, at=now, action="submit",
                                            to_status=Status.SUBMITTED, public=True,
                                            unit_id=channel.unit_id, note=f"通过「{channel.name}」提交")  # fmt: skip
                schedule_repeat_check(message.pk)  # after commit: never inside the request
            break
        except IntegrityError:
            if key and (previous := previous_submission(key)) is not None:
                return Submitted(previous, "", created=False)
            continue
    else:  # pragma: no cover - ten colliding random numbers in a row
        raise IntakeError({"__all__": "系统繁忙，请稍后再试"})
    return Submitted(message, code, created=True)
