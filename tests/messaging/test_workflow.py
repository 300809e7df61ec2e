"""The message state machine (M2): each step only from the right state, by the right person,
timestamped and recorded; deadlines in working days; concurrent claims, one winner."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from govsite.messaging.models import MessageEvent, Status, SupervisionOrder
from govsite.messaging.workflow import NotAllowed, WorkflowError, transition

SH = ZoneInfo("Asia/Shanghai")


def routed(write, personas, unit, **fields):
    message = write(**fields).message
    transition(message, "publish", personas.information)
    return transition(message, "route", personas.information, unit=unit)


@pytest.fixture
def personas(personas, user_factory, tree):
    from govsite.accounts.roles import Role

    personas.information = user_factory("xinxiban", Role.INFORMATION, tree.city)
    return personas


def test_full_path_from_review_to_rating(write, personas, tree):
    message = routed(write, personas, tree.edu)
    assert message.status == Status.ASSIGNED and message.unit == tree.edu and message.due_at
    transition(message, "accept", personas.edu_officer)
    transition(
        message, "reply", personas.edu_officer, text="请携带户口本和出生证明到所在片区幼儿园报名。"
    )
    assert message.status == Status.REPLIED and message.on_time and message.reply_unit == tree.edu
    transition(message, "rate", "sender", rating="satisfied")
    assert message.status == Status.CLOSED and message.satisfaction == "satisfied"
    actions = list(message.events.values_list("action", flat=True))
    assert actions == ["submit", "publish", "route", "accept", "reply", "rate"]


def test_a_unit_cannot_act_on_a_message_routed_elsewhere(write, personas, tree):
    message = routed(write, personas, tree.edu)
    with pytest.raises(NotAllowed):
        transition(message, "accept", personas.fin_officer)
    transition(message, "accept", personas.edu_officer)
    with pytest.raises(NotAllowed):
        transition(message, "reply", personas.fin_officer, text="冒充答复")


def test_states_cannot_be_skipped(write, personas, tree):
    message = write().message
    with pytest.raises(WorkflowError, match="待审核"):
        transition(message, "reply", personas.edu_officer, text="跳过审核直接答复")
    with pytest.raises(WorkflowError):
        transition(message, "rate", "sender", rating="satisfied")


def test_hiding_needs_a_reason_and_keeps_the_message(write, personas):
    message = write().message
    with pytest.raises(WorkflowError, match="理由"):
        transition(message, "hide", personas.information, reason="  ")
    transition(message, "hide", personas.information, reason="含有他人隐私信息")
    assert message.status == Status.HIDDEN and message.hide_reason == "含有他人隐私信息"


def test_deadline_is_five_working_days_after_routing_past_a_holiday(write, personas, tree):
    with time_machine.travel(datetime(2025, 9, 30, 10, 0, tzinfo=SH), tick=False):
        message = routed(write, personas, tree.edu)
    # 国庆中秋 2025: 10/1–10/8 off, Saturday 10/11 worked: 10/9, 10/10, 10/11, 10/13, 10/14
    assert message.due_at.astimezone(SH).date().isoformat() == "2025-10-14"


def test_complex_messages_get_fifteen_working_days(write, personas, tree):
    with time_machine.travel(datetime(2025, 11, 3, 9, 0, tzinfo=SH), tick=False):
        message = write().message
        message.complex = True
        message.save()
        transition(message, "publish", personas.information)
        message = transition(message, "route", personas.information, unit=tree.edu)
    assert message.due_at.astimezone(SH).date().isoformat() == "2025-11-24"


def test_leader_instruction_creates_a_supervision_order_and_reply_review(write, personas, tree):
    message = write().message
    transition(message, "publish", personas.information)
    transition(message, "report_to_leader", personas.information)
    transition(message, "instruct", personas.leader, instruction="请教育局认真核查，按时答复。")
    assert SupervisionOrder.objects.filter(message=message).count() == 1
    transition(message, "route", personas.supervisor, unit=tree.edu)
    transition(message, "accept", personas.edu_officer)
    transition(message, "reply", personas.edu_officer, text="已核查并整改。")
    assert message.status == Status.REPLY_REVIEW  # 004 art.14: a city department's reply
    transition(message, "approve_reply", personas.supervisor)
    assert message.status == Status.REPLIED
    assert message.orders.get().closed_at is not None


def test_one_extension_approved_by_the_supervision_office(write, personas, tree):
    message = routed(write, personas, tree.edu)
    transition(message, "accept", personas.edu_officer)
    before = message.due_at
    transition(message, "request_extension", personas.edu_officer, reason="需要现场核查")
    with pytest.raises(NotAllowed):
        transition(message, "approve_extension", personas.edu_officer)
    transition(message, "approve_extension", personas.supervisor)
    assert message.extended and message.due_at > before
    with pytest.raises(WorkflowError, match="一次"):
        transition(message, "request_extension", personas.edu_officer, reason="再延")


def test_misrouted_message_is_returned_with_a_reason_and_rerouted(write, personas, tree):
    message = routed(write, personas, tree.fin)
    transition(message, "return", personas.fin_officer, reason="属于教育局职责")
    assert message.status == Status.COLLECTED and message.unit is None
    transition(message, "route", personas.information, unit=tree.edu)
    assert message.unit == tree.edu


def test_a_unit_passes_a_message_to_a_subordinate_and_the_sender_is_told(write, personas, tree):
    message = routed(write, personas, tree.county)
    transition(message, "delegate", personas.county_officer, unit=tree.town1)
    assert message.unit == tree.town1
    told = MessageEvent.objects.filter(message=message, public=True, action="delegate").get()
    assert "青山县城关镇" in told.note
    with pytest.raises(WorkflowError):
        transition(message, "delegate", personas.town_officer, unit=tree.edu)


def test_unsatisfied_reopens_once(write, personas, tree):
    message = routed(write, personas, tree.edu)
    transition(message, "accept", personas.edu_officer)
    transition(message, "reply", personas.edu_officer, text="第一次答复")
    transition(message, "rate", "sender", rating="unsatisfied")
    assert message.status == Status.HANDLING and message.reopened == 1
    transition(message, "reply", personas.edu_officer, text="第二次答复")
    transition(message, "rate", "sender", rating="unsatisfied")
    assert message.status == Status.CLOSED


def test_only_suggestions_are_thanked(write, personas, tree):
    message = routed(write, personas, tree.edu)
    transition(message, "accept", personas.edu_officer)
    with pytest.raises(WorkflowError, match="建议"):
        transition(message, "reply", personas.edu_officer, text="感谢", kind="thanks")


def test_a_stale_copy_cannot_make_a_second_transition(write, personas, tree):
    message = write().message
    from govsite.messaging.models import Message

    copy = Message.objects.get(pk=message.pk)
    transition(message, "publish", personas.information)
    with pytest.raises(WorkflowError, match="他人"):
        transition(copy, "hide", personas.information, reason="重复")


def test_a_reply_under_review_is_not_shown_to_the_sender_yet(write, personas, tree):
    message = write().message
    transition(message, "publish", personas.information)
    transition(message, "report_to_leader", personas.information)
    transition(message, "instruct", personas.leader, instruction="请核查")
    transition(message, "route", personas.supervisor, unit=tree.edu)
    transition(message, "accept", personas.edu_officer)
    transition(message, "reply", personas.edu_officer, text="草稿答复内容")
    public = MessageEvent.objects.filter(message=message, public=True)
    assert not public.filter(action="reply").exists()
    assert "草稿答复内容" not in " ".join(public.values_list("note", flat=True))
    transition(message, "approve_reply", personas.supervisor)
    assert public.filter(action="approve_reply").exists()


def test_an_out_of_scope_reply_names_the_competent_unit(write, personas, tree):
    message = routed(write, personas, tree.edu)
    transition(message, "accept", personas.edu_officer)
    with pytest.raises(WorkflowError, match="主管单位"):
        transition(
            message, "reply", personas.edu_officer, text="不属于我局职责", kind="out_of_scope"
        )
    transition(message, "reply", personas.edu_officer, text="不属于我局职责", kind="out_of_scope",
               competent="示范市市场监督管理局")  # fmt: skip
    assert "示范市市场监督管理局" in message.reply
