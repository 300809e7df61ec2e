"""The rollup behind the ranking stays equal to a recount of the messages: after any sequence
of transitions (hypothesis), after a rebuild, and after a bulk load."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govsite.messagestats import rollup
from govsite.messagestats.models import MessageTally, UnitDay
from govsite.messaging.intake import submit
from govsite.messaging.models import Channel, Message, MessageEvent
from govsite.messaging.workflow import WorkflowError, transition

SH = ZoneInfo("Asia/Shanghai")
START = datetime(2025, 3, 3, 9, 0, tzinfo=SH)
TEXTS = ["小区冬季供暖温度一直不达标", "滨河路路面坑洼多次摔车", "工地夜间施工噪音扰民",
         "公交十二路改线后老人出行不便"]  # fmt: skip
ACTIONS = ["publish", "keep_private", "hide", "unhide", "report_to_leader", "instruct", "route",
           "claim", "accept", "return", "delegate", "request_extension", "approve_extension",
           "reply", "approve_reply", "reject_reply", "rate", "repeat_mark"]  # fmt: skip


@pytest.fixture
def world(tree, personas, user_factory):
    from govsite.accounts.roles import Role

    personas.information = user_factory("xinxiban", Role.INFORMATION, tree.city)
    board = Channel.objects.create(slug="board", name="网上留言板", kind="board", unit=tree.city)
    officers = {tree.edu.pk: personas.edu_officer, tree.fin.pk: personas.fin_officer,
                tree.county.pk: personas.county_officer, tree.town1.pk: personas.town_officer}  # fmt: skip
    return tree, personas, board, officers


def step(message, action, choice, now, tree, personas, officers):
    """One attempted transition with plausible actor and parameters (it may be refused)."""
    units = [tree.edu, tree.fin, tree.county, tree.town1]
    officer = officers.get(message.unit_id, personas.edu_officer)
    actors = {"publish": personas.information, "keep_private": personas.information,
              "hide": personas.information, "unhide": personas.information,
              "report_to_leader": personas.information, "instruct": personas.leader,
              "route": personas.supervisor if message.status == "instructed" else personas.information,
              "approve_extension": personas.supervisor, "approve_reply": personas.supervisor,
              "reject_reply": personas.supervisor, "rate": "sender"}  # fmt: skip
    params = {"reason": "理由", "instruction": "请认真办理", "text": "答复内容",
              "unit": units[choice % 4], "rating": ["satisfied", "basic", "unsatisfied"][choice % 3]}  # fmt: skip
    if action == "claim":
        officer = [personas.edu_officer, personas.fin_officer][choice % 2]
    if action == "delegate":
        params["unit"] = tree.town1
    needs = {"hide": ["reason"], "return": ["reason"], "request_extension": ["reason"],
             "reject_reply": ["reason"], "instruct": ["instruction"], "route": ["unit"],
             "delegate": ["unit"], "reply": ["text"], "rate": ["rating"]}.get(action, [])  # fmt: skip
    try:
        transition(message, action, actors.get(action, officer), now=now,
                   **{k: params[k] for k in needs})  # fmt: skip
    except WorkflowError:
        pass


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])  # fmt: skip
@given(steps=st.lists(st.tuples(st.integers(0, 3), st.sampled_from(ACTIONS), st.integers(0, 11),
                                st.integers(0, 5)), max_size=40))  # fmt: skip
def test_rollup_equals_a_recount_after_any_transitions(world, steps):
    tree, personas, board, officers = world
    savepoint = transaction.savepoint()
    try:
        messages = [submit(board, {"message_type": "complaint" if i == 3 else "consult",
                                   "title": f"关于{text}", "content": f"{text}，请尽快处理。",
                                   "phone": f"1380000{i:04d}"},
                           now=START + timedelta(days=i % 2, hours=i)).message
                    for i, text in enumerate(TEXTS)]  # fmt: skip
        now = START + timedelta(hours=6)
        for index, action, choice, days in steps:
            now += timedelta(days=days, hours=1)
            message = Message.objects.get(pk=messages[index].pk)
            if action == "repeat_mark":  # a repeat link, as repeats.py records it
                other = messages[(index + 1) % 4]
                Message.objects.filter(pk=message.pk).update(repeat_of=other)
                MessageEvent.objects.create(message=message, at=now, action="repeat", note="重复")
                continue
            step(message, action, choice, now, tree, personas, officers)
            assert rollup.stored() == rollup.recount()
        assert rollup.stored() == rollup.recount()
        assert rollup.stored_months() == rollup.by_month(rollup.recount())
        incremental, months = rollup.stored(), rollup.stored_months()
        tallies = set(MessageTally.objects.values_list("message_id", "unit_id", "day", "replied"))
        rollup.rebuild()
        assert rollup.stored() == incremental and rollup.stored_months() == months
        assert set(MessageTally.objects.values_list("message_id", "unit_id", "day",
                                                    "replied")) == tallies  # fmt: skip
    finally:
        transaction.savepoint_rollback(savepoint)


def test_a_message_moves_between_units_and_days_rows(world):
    tree, personas, board, officers = world
    m = submit(board, {"message_type": "consult", "title": "关于路灯", "content": "人民路路灯长期不亮。",
                       "phone": "13800000001"}, now=START).message  # fmt: skip
    transition(m, "publish", personas.information, now=START)
    assert rollup.stored() == {}
    transition(m, "route", personas.information, unit=tree.fin, now=START)
    day = START.date()
    assert rollup.stored() == {(tree.fin.pk, day): (1, 0, 0, 0, 0, 0, 0, 0)}
    transition(m, "return", personas.fin_officer, reason="不是本单位职责", now=START)
    assert rollup.stored() == {}
    assert UnitDay.objects.get(unit=tree.fin).received == 0  # emptied, not negative
    transition(m, "route", personas.information, unit=tree.county, now=START)
    transition(m, "delegate", personas.county_officer, unit=tree.town1, now=START)
    transition(m, "accept", personas.town_officer, now=START)
    transition(m, "reply", personas.town_officer, text="已修复。", now=START + timedelta(days=1))
    assert rollup.stored() == {(tree.town1.pk, day): (1, 1, 1, 1, 1, 0, 0, 0)}
    transition(m, "rate", "sender", rating="unsatisfied", now=START + timedelta(days=2))
    assert rollup.stored() == {(tree.town1.pk, day): (1, 0, 0, 0, 0, 0, 0, 0)}  # reopened


def test_bulk_load_is_consistent(world):
    tree, *_ = world
    call_command("messages_bulkload", "400", "--batch", "150", "--days", "120",
                 "--now", "2025-11-20T12:00:00+08:00", verbosity=0)  # fmt: skip
    messages = Message.objects.filter(source="bulkload")
    assert messages.count() == 400
    assert rollup.stored() == rollup.recount()
    assert rollup.stored_months() == rollup.by_month(rollup.recount())
    assert sum(v[0] for v in rollup.stored().values()) == MessageTally.objects.count() > 300
    statuses = set(messages.values_list("status", flat=True))
    assert {"closed", "replied", "handling", "hidden"} <= statuses
    assert messages.filter(repeat_of__isnull=False).exists()
    # every history is a chain: submit first, each step leaves from where the last one went,
    # and it ends where the message is
    for m in messages.prefetch_related("events"):
        events = list(m.events.all())
        assert events[0].action == "submit" and events[0].from_status == ""
        for before, after in zip(events, events[1:], strict=False):
            assert after.from_status == before.to_status, (m.number, before.action, after.action)
            assert after.at >= before.at
        assert events[-1].to_status == m.status, m.number
        if m.status in ("replied", "closed"):
            assert m.replied_at and m.reply_unit_id == m.unit_id and m.on_time is not None
            assert m.on_time == (m.replied_at <= m.due_at)
        if m.is_public:
            assert m.message_type != "report" and m.wants_public
    assert messages.filter(unit__isnull=False).values("unit").distinct().count() >= 4


def test_bulk_load_minimal_events_and_numbers(world):
    call_command("messages_bulkload", "50", "--events", "minimal", verbosity=0)
    actions = set(MessageEvent.objects.values_list("action", flat=True))
    assert actions <= {"submit", "reply", "rate"} and "submit" in actions
    numbers = list(Message.objects.values_list("number", flat=True))
    assert len(set(numbers)) == 50 and all(len(n) == 18 for n in numbers)
    before = rollup.stored()
    assert rollup.add_new_messages(Message.objects.order_by("pk").first().pk) == 0  # idempotent
    assert rollup.stored() == before == rollup.recount()
    assert rollup.stored_months() == rollup.by_month(before)


def test_the_rebuild_command(world):
    call_command("messages_bulkload", "30", verbosity=0)
    before = rollup.stored()
    UnitDay.objects.all().delete()
    call_command("messagestats_rebuild", verbosity=0)
    assert rollup.stored() == before == rollup.recount()
