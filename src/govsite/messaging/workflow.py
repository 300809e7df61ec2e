"""The message state machine (M2), as one table of transitions.

Every transition is checked three ways before it happens: the message is in a state the
transition leaves from, the actor holds a role allowed to make it (and, for units, the
message is theirs), and the parameters it needs are there. It then happens as one
conditional UPDATE (``WHERE status = <from>``), so of two concurrent claims exactly one
wins, and writes one ``MessageEvent``. Deadlines come from the working-day calendar and
the per-type ``DeadlinePolicy``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from govsite.accounts.access import access_for, can_see_unit
from govsite.accounts.roles import Role
from govsite.messaging.models import (
    DeadlinePolicy,
    Message,
    MessageEvent,
    MessageType,
    Status,
    SupervisionOrder,
)
from govsite.workdays.service import current_calendar

REVIEWERS = (Role.INFORMATION, Role.ADMINISTRATOR)  # 市信息化办 (004 art.4, 8–10)
SUPERVISORS = (Role.SUPERVISION, Role.ADMINISTRATOR)  # 市政府督查室 (004 art.5, 12–14)
LEADERS = (Role.LEADER,)
UNITS = (Role.UNIT_STAFF, Role.UNIT_HEAD)
SENDER = "sender"  # the public sender, proven by the query code

REPLY_KINDS = {
    "answer": "答复",
    "out_of_scope": "非本单位职责，告知主管单位",  # 000 annex 四(七)
    "thanks": "建议已收悉，表示感谢",  # 000 annex 四(六)
}
SATISFACTION = {"satisfied": "满意", "basic": "基本满意", "unsatisfied": "不满意"}


class WorkflowError(Exception):
    """A transition that cannot happen; the message says why, in Chinese."""


class NotAllowed(WorkflowError):
    """The actor may not make this transition on this message."""


@dataclass(frozen=True)
class Transition:
    name: str
    title: str
    sources: frozenset[str]
    roles: tuple[str, ...]
    unit_bound: bool = False  # unit roles act only on messages routed to them
    needs: tuple[str, ...] = ()  # required parameters
    public: bool = False  # the sender sees this step
    apply: Callable | None = field(default=None, compare=False)


def policy(message_type: str) -> DeadlinePolicy:
    found = DeadlinePolicy.objects.filter(message_type=message_type).first()
    return found or DeadlinePolicy(message_type=message_type)


def handling_deadline(message: Message, start) -> object:
    rules = policy(message.message_type)
    days = rules.complex_workdays if message.complex else rules.simple_workdays
    return current_calendar().add_workdays(start, days)


def ack_deadline(message: Message):
    hours = policy(message.message_type).ack_hours
    return message.received_at + timedelta(hours=hours)


# -- what each transition changes -------------------------------------------------------


def _review(message, now, **_):
    changes = {"acknowledged_at": message.acknowledged_at or now}
    return changes


def _publish(message, now, **params):
    return _review(message, now) | {"is_public": message.wants_public and not message.is_report}


def _hide(message, now, reason, **_):
    return {"hide_reason": reason[:200], "is_public": False}


def _unhide(message, now, **_):
    return {"hide_reason": ""}


def _instruct(message, now, actor, instruction, kind="supervise", due_workdays=None, **_):
    days = int(due_workdays) if due_workdays else None
    due = current_calendar().add_workdays(now, days) if days else handling_deadline(message, now)
    SupervisionOrder.objects.create(message=message, kind=kind, instruction=instruction,
                                    leader=actor, created_at=now, due_at=due)  # fmt: skip
    return {"important": True}


def _route(message, now, unit, **_):
    order = message.orders.filter(closed_at=None).first()
    due = order.due_at if order else handling_deadline(message, now)
    return {"unit": unit, "assigned_at": now, "due_at": due,
            "acknowledged_at": message.acknowledged_at or now}  # fmt: skip


def _claim(message, now, actor, **_):
    return _route(message, now, unit=access_for(actor).unit)


def _return(message, now, reason, **_):
    return {"unit": None, "assigned_at": None, "due_at": None}


def _delegate(message, now, actor, unit, **_):
    if unit.pk == message.unit_id or not unit.is_within(message.unit):
        raise WorkflowError("只能转给本单位的下级单位")
    return {"unit": unit}


def _request_extension(message, now, reason, **_):
    if message.extended or message.extension_reason:
        raise WorkflowError("每条留言只能申请一次延期")
    return {"extension_reason": reason[:500]}


def _decide_extension(message, now, approve: bool, **_):
    if not message.extension_reason or message.extended:
        raise WorkflowError("没有待审批的延期申请")
    if not approve:
        return {"extension_reason": ""}
    days = policy(message.message_type).extension_workdays
    return {"extended": True, "due_at": current_calendar().add_workdays(message.due_at, days)}


def _reply(message, now, actor, text, kind="answer", competent="", **_):
    if kind not in REPLY_KINDS:
        raise WorkflowError("未知的答复类型")
    if kind == "thanks" and message.message_type != MessageType.SUGGESTION:
        raise WorkflowError("只有建议类留言可以致谢答复")
    if kind == "out_of_scope":  # 000 annex 四(七): say which unit is competent
        if not competent.strip():
            raise WorkflowError("非本单位职责的答复须写明有权处理的主管单位")
        text = f"{text.rstrip()}\n\n有权处理的主管单位：{competent.strip()}"
    calendar = current_calendar()
    return {
        "reply": text, "reply_kind": kind, "reply_unit": message.unit, "replied_at": now,
        "on_time": message.due_at is None or now <= message.due_at,
        "handling_workdays": max(0, calendar.workdays_between(
            message.assigned_at or message.received_at, now)),
    }  # fmt: skip


def _rate(message, now, rating, **_):
    if rating not in SATISFACTION:
        raise WorkflowError("请选择 满意 / 基本满意 / 不满意")
    return {"satisfaction": rating}


def _close_order(message, now):
    message.orders.filter(closed_at=None).update(closed_at=now)


TRANSITIONS: dict[str, Transition] = {t.name: t for t in [
    Transition("publish", "审核通过并公开", frozenset({Status.SUBMITTED}), REVIEWERS, apply=_publish),
    Transition("keep_private", "审核通过，不公开", frozenset({Status.SUBMITTED}), REVIEWERS,
               apply=_review),
    Transition("hide", "屏蔽", frozenset({Status.SUBMITTED, Status.COLLECTED}), REVIEWERS,
               needs=("reason",), apply=_hide),
    Transition("unhide", "取消屏蔽，重新审核", frozenset({Status.HIDDEN}), REVIEWERS, apply=_unhide),
    Transition("report_to_leader", "呈报领导", frozenset({Status.COLLECTED}), REVIEWERS),
    Transition("instruct", "领导批示", frozenset({Status.WITH_LEADER}), LEADERS,
               needs=("instruction",), apply=_instruct),
    Transition("route", "转办", frozenset({Status.COLLECTED, Status.INSTRUCTED}),
               REVIEWERS + SUPERVISORS, needs=("unit",), public=True, apply=_route),
    Transition("claim", "认领", frozenset({Status.COLLECTED}), UNITS, public=True, apply=_claim),
    Transition("accept", "签收", frozenset({Status.ASSIGNED}), UNITS, unit_bound=True),
    Transition("return", "退回（非本单位职责）", frozenset({Status.ASSIGNED, Status.HANDLING}),
               UNITS, unit_bound=True, needs=("reason",), apply=_return),
    Transition("delegate", "转下级单位办理", frozenset({Status.ASSIGNED, Status.HANDLING}), UNITS,
               unit_bound=True, needs=("unit",), public=True, apply=_delegate),
    Transition("explain_delay", "说明延期原因", frozenset({Status.HANDLING}), UNITS,
               unit_bound=True, needs=("reason",), public=True),
    Transition("request_extension", "申请延期", frozenset({Status.HANDLING}), UNITS,
               unit_bound=True, needs=("reason",), apply=_request_extension),
    Transition("approve_extension", "批准延期", frozenset({Status.HANDLING}), SUPERVISORS,
               public=True, apply=lambda m, now, **p: _decide_extension(m, now, True)),
    Transition("reject_extension", "不批准延期", frozenset({Status.HANDLING}), SUPERVISORS,
               apply=lambda m, now, **p: _decide_extension(m, now, False)),
    Transition("reply", "答复", frozenset({Status.HANDLING}), UNITS, unit_bound=True,
               needs=("text",), public=True, apply=_reply),
    Transition("approve_reply", "审核通过答复", frozenset({Status.REPLY_REVIEW}), SUPERVISORS,
               public=True),
    Transition("reject_reply", "退回答复，重新办理", frozenset({Status.REPLY_REVIEW}), SUPERVISORS,
               needs=("reason",)),
    Transition("rate", "评价答复", frozenset({Status.REPLIED}), (SENDER,), needs=("rating",),
               public=True, apply=_rate),
]}  # fmt: skip


def target_status(transition: Transition, message: Message, params: dict) -> str:
    """Where a transition leads; some depend on the message."""
    name = transition.name
    if name in ("publish", "keep_private"):
        return Status.COLLECTED
    if name == "hide":
        return Status.HIDDEN
    if name == "unhide":
        return Status.SUBMITTED
    if name == "report_to_leader":
        return Status.WITH_LEADER
    if name == "instruct":
        return Status.INSTRUCTED
    if name in ("route", "delegate"):
        return Status.ASSIGNED
    if name in ("claim", "accept"):
        return Status.HANDLING
    if name == "return":
        return (
            Status.INSTRUCTED
            if message.orders.filter(closed_at=None).exists()
            else Status.COLLECTED
        )
    if name == "reply":
        return Status.REPLY_REVIEW if needs_reply_review(message) else Status.REPLIED
    if name == "approve_reply":
        return Status.REPLIED
    if name == "reject_reply":
        return Status.HANDLING
    if name == "rate":
        if params.get("rating") == "unsatisfied" and message.reopened == 0:
            return Status.HANDLING  # 不满意 reopens once
        return Status.CLOSED
    return message.status  # explain_delay, extensions: the state does not change


def needs_reply_review(message: Message) -> bool:
    """004 art.14: a city department's reply to a leader-instructed message goes to the
    supervision office before it is published."""
    unit = message.unit
    if unit is None or not message.orders.exists():
        return False
    return unit.depth == 1 and unit.category.code in ("city_department", "directly_affiliated")


def allowed(transition: Transition, actor, message: Message) -> bool:
    if actor == SENDER:
        return SENDER in transition.roles
    roles = access_for(actor).roles
    if not roles & set(transition.roles):
        return False
    if roles & {Role.ADMINISTRATOR} or not (roles & set(UNITS)) or not transition.unit_bound:
        return True
    return message.unit is not None and can_see_unit(actor, message.unit)


def available(actor, message: Message) -> list[Transition]:
    """The transitions this actor may make on this message now (for the buttons)."""
    return [t for t in TRANSITIONS.values()
            if message.status in t.sources and t.name != "rate" and allowed(t, actor, message)]  # fmt: skip


def transition(message: Message, name: str, actor, **params) -> Message:
    """Make one transition; raises WorkflowError (or NotAllowed) with a reason."""
    spec = TRANSITIONS.get(name)
    if spec is None:
        raise WorkflowError(f"未知的操作：{name}")
    if message.status not in spec.sources:
        raise WorkflowError(f"留言当前状态为「{Status(message.status).label}」，不能{spec.title}")
    if not allowed(spec, actor, message):
        raise NotAllowed(f"您无权对这条留言执行「{spec.title}」")
    for key in spec.needs:
        value = params.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            raise WorkflowError(f"{spec.title}需要填写：{PARAM_LABELS.get(key, key)}")
    if name == "claim" and access_for(actor).unit is None:
        raise WorkflowError("您没有所属单位，不能认领")
    now = params.pop("now", None) or timezone.now()
    user = None if actor == SENDER else actor
    with transaction.atomic():
        changes = spec.apply(message, now, actor=user, **params) if spec.apply else {}
        to = target_status(spec, message, params)
        if name == "rate" and to == Status.HANDLING:
            changes |= {"reopened": message.reopened + 1, "replied_at": None,
                        "due_at": handling_deadline(message, now), "assigned_at": now}  # fmt: skip
        changes["status"] = to
        updated = Message.objects.filter(pk=message.pk, status=message.status).update(
            updated_at=now, **changes
        )
        if not updated:
            raise WorkflowError("留言已被他人处理，请刷新后再试")
        if to in (Status.REPLIED, Status.CLOSED) and name in ("reply", "approve_reply"):
            _close_order(message, now)
        MessageEvent.objects.create(
            message=message, at=now, actor=user, action=name, from_status=message.status,
            to_status=to, unit=changes.get("unit", message.unit) if "unit" in changes else message.unit,
            note=_event_note(spec, params, changes),
            # a reply waiting for the supervision office's review is not the sender's yet
            public=spec.public and not (name == "reply" and to == Status.REPLY_REVIEW),
        )  # fmt: skip
    message.refresh_from_db()
    return message


PARAM_LABELS = {"reason": "理由", "instruction": "批示内容", "unit": "承办单位", "text": "答复内容",
                "rating": "评价"}  # fmt: skip


def _event_note(spec: Transition, params: dict, changes: dict) -> str:
    if spec.name in ("route", "delegate", "claim") and changes.get("unit") is not None:
        return f"转至「{changes['unit'].name}」办理"
    if spec.name == "rate":
        return SATISFACTION.get(params.get("rating"), "")
    if spec.name in ("reply", "approve_reply"):  # the text itself is on the message
        return "已答复" if spec.name == "reply" else "答复经审核后公开"
    for key in ("reason", "instruction", "text"):
        if params.get(key):
            return str(params[key])[:2000]
    return ""
