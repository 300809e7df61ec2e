"""Who may see a message and its sender (M6; 004 art.18).

* The public sees published messages, without contact details; an anonymous sender's name
  is never shown.
* A unit sees messages routed to it (or, for a unit head, to its subtree) — never the
  identity or contact of a 举报 (report) sender, whom the unit may be the subject of.
* The information office, the supervision office, leaders and administrators see everything.

Every view, API and export goes through these functions.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from govsite.accounts.access import access_for, restrict_to_visible
from govsite.accounts.roles import Role, Scope
from govsite.messaging.models import Message, PrivateRead, Status

OFFICE_ROLES = {Role.INFORMATION, Role.SUPERVISION, Role.LEADER, Role.ADMINISTRATOR}
HIDDEN_FROM_PUBLIC = {Status.SUBMITTED, Status.HIDDEN}


def is_office(user) -> bool:
    return bool(access_for(user).roles & OFFICE_ROLES)


def staff_messages(user) -> QuerySet[Message]:
    """Messages a staff member may open: all for the offices, routed ones for units."""
    messages = Message.objects.all()
    if is_office(user):
        return messages
    access = access_for(user)
    if access.scope in (Scope.UNIT, Scope.SUBTREE):
        return restrict_to_visible(user, messages.exclude(unit=None), "unit")
    return messages.none()


def public_messages() -> QuerySet[Message]:
    return Message.objects.filter(is_public=True).exclude(status__in=HIDDEN_FROM_PUBLIC)


def may_see_sender(user, message: Message) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if is_office(user):
        return True
    if message.is_report:
        return False  # never to a unit: it may be the one reported on
    return staff_messages(user).filter(pk=message.pk).exists()


def sender_view(user, message: Message) -> dict:
    """The sender fields this user may see (empty strings for the rest)."""
    if may_see_sender(user, message):
        return {"name": "匿名" if message.anonymous and not is_office(user) else message.sender_name,
                "phone": message.sender_phone, "email": message.sender_email}  # fmt: skip
    if message.is_report or message.anonymous or not message.sender_name:
        return {
            "name": "匿名" if message.anonymous or message.is_report else "",
            "phone": "",
            "email": "",
        }
    return {"name": message.sender_name[:1] + "**", "phone": "", "email": ""}


def log_private_read(user, message: Message, where: str) -> None:
    """Every read of a non-public message by staff is kept."""
    if not message.is_public and getattr(user, "is_authenticated", False):
        PrivateRead.objects.create(message=message, reader=user, where=where[:40])


def public_filter() -> Q:
    return Q(is_public=True) & ~Q(status__in=HIDDEN_FROM_PUBLIC)


def claimable_messages(user) -> QuerySet[Message]:
    """Messages a unit may claim (认领, 004 art.6): published, not yet routed, not 举报.
    They are on the public board already, so a unit seeing them reveals nothing."""
    from govsite.messaging.models import MessageType

    if not access_for(user).roles & {Role.UNIT_STAFF, Role.UNIT_HEAD}:
        return Message.objects.none()
    return Message.objects.filter(status=Status.COLLECTED, unit=None, is_public=True).exclude(
        message_type=MessageType.REPORT
    )


def openable_messages(user) -> QuerySet[Message]:
    """What a staff member's message pages may show: their own and the claimable ones."""
    return staff_messages(user) | claimable_messages(user)
