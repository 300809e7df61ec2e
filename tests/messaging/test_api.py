"""The messages REST API (B6): intake with captcha and Idempotency-Key, the sender's status
query and rating, the staff workflow behind tokens, published messages, statistics — and
the confidentiality rules (M6, 004 art.18) checked on the raw bytes of every response."""

from __future__ import annotations

import contextlib
import json
import threading
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from govsite.accounts.roles import Role
from govsite.messaging import workflow
from govsite.messaging.models import Message, PrivateRead, Status
from govsite.messaging.workflow import transition

SECRET = {"name": "李举报人", "phone": "13912345678", "email": "whistle@example.org"}
VALID = {"message_type": "consult", "title": "咨询幼儿园入学政策",
         "content": "请问今年幼儿园入学需要准备哪些材料？", "name": "王小明", "phone": "13800000001"}  # fmt: skip


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()  # DRF throttles count in the default cache
    yield
    cache.clear()


@pytest.fixture
def personas(personas, user_factory, tree):
    personas.information = user_factory("xinxiban", Role.INFORMATION, tree.city)
    return personas


def client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(
            HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}"
        )
    return client


def captcha() -> dict:
    from captcha.models import CaptchaStore

    key = CaptchaStore.generate_key()
    return {
        "captcha_key": key,
        "captcha_value": CaptchaStore.objects.get(hashkey=key).response.upper(),
    }


def routed(write, personas, unit, **fields) -> Message:
    message = write(**fields).message
    transition(message, "publish", personas.information)
    return transition(message, "route", personas.information, unit=unit)


def assert_absent(response, *values):
    """None of the values in the raw body, neither as UTF-8 nor as JSON \\u escapes."""
    for value in values:
        assert value.encode() not in response.content, value
        assert json.dumps(value)[1:-1].encode() not in response.content, value


# -- schema ------------------------------------------------------------------------------------


def test_schema_documents_the_message_endpoints(db):
    response = APIClient().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = json.loads(response.content)["paths"]
    for path in ["/api/messages/", "/api/messages/status/", "/api/messages/{number}/rate/",
                 "/api/messages/staff/", "/api/messages/staff/{number}/",
                 "/api/messages/staff/{number}/transition/", "/api/messages/public/",
                 "/api/messages/stats/", "/api/messages/captcha/"]:  # fmt: skip
        assert path in paths, path
    assert "post" in paths["/api/messages/"]
    assert "Idempotency-Key" in json.dumps(paths["/api/messages/"])


def test_the_schema_builds_without_a_warning(db, tmp_path):
    from django.core.management import call_command

    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(tmp_path / "s.yaml"))


# -- intake ------------------------------------------------------------------------------------


def test_anonymous_intake_needs_a_valid_single_use_captcha(channels):
    client = APIClient()
    refused = client.post("/api/messages/", VALID, format="json")
    assert refused.status_code == 400 and "验证码" in refused.json()["errors"]["captcha_value"]

    answer = captcha()
    done = client.post("/api/messages/", VALID | answer, format="json")
    assert done.status_code == 201, done.content
    body = done.json()
    message = Message.objects.get(number=body["number"])
    assert body["query_code"] and message.source == "api" and message.channel == channels.board
    # The key is single-use, as django-simple-captcha's validator makes it.
    again = client.post("/api/messages/", VALID | answer, format="json")
    assert again.status_code == 400 and "验证码" in again.json()["errors"]["captcha_value"]


def test_a_wrong_captcha_answer_burns_the_key(channels):
    answer = captcha()
    wrong = APIClient().post(
        "/api/messages/", VALID | answer | {"captcha_value": "nope"}, format="json"
    )
    assert wrong.status_code == 400
    right = APIClient().post("/api/messages/", VALID | answer, format="json")
    assert right.status_code == 400 and Message.objects.count() == 0


def test_field_errors_come_first_and_do_not_use_up_the_captcha(channels):
    answer = captcha()
    short = APIClient().post("/api/messages/", VALID | answer | {"content": "太短"}, format="json")
    assert short.status_code == 400 and "不能少于" in short.json()["errors"]["content"]
    assert APIClient().post("/api/messages/", VALID | answer, format="json").status_code == 201


def test_captcha_endpoint_hands_out_keys(channels):
    from captcha.models import CaptchaStore

    body = APIClient().get("/api/messages/captcha/").json()
    assert CaptchaStore.objects.filter(hashkey=body["captcha_key"]).exists()
    assert body["captcha_key"] in body["image_url"]


def test_a_staff_token_skips_the_captcha(channels, personas):
    done = client_for(personas.information).post("/api/messages/", VALID, format="json")
    assert done.status_code == 201
    # A token of someone without a govsite role is no staff token.
    assert (
        client_for(personas.outsider).post("/api/messages/", VALID, format="json").status_code
        == 400
    )


def test_an_unknown_or_disabled_token_is_refused_at_intake(channels, personas):
    unknown = APIClient()
    unknown.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    assert unknown.post("/api/messages/", VALID, format="json").status_code in (401, 403)
    client = client_for(personas.information)
    personas.information.is_active = False
    personas.information.save()
    refused = client.post("/api/messages/", VALID, format="json")
    assert refused.status_code in (401, 403) and not Message.objects.exists()


def test_double_submission_with_the_same_idempotency_key(channels):
    client = APIClient()
    first = client.post(
        "/api/messages/", VALID | captcha(), format="json", HTTP_IDEMPOTENCY_KEY="k-123"
    )
    second = client.post("/api/messages/", VALID, format="json", HTTP_IDEMPOTENCY_KEY="k-123")
    assert first.status_code == 201 and second.status_code == 200
    assert second.json()["number"] == first.json()["number"]
    assert second.json()["query_code"] is None and "查询码" in second.json()["detail"]
    assert second.json()["created"] is False
    assert Message.objects.count() == 1
    other = client.post("/api/messages/", VALID | {"content": "另一条完全不同的留言内容。"},
                        format="json", HTTP_IDEMPOTENCY_KEY="k-123")  # fmt: skip
    assert other.status_code == 422 and Message.objects.count() == 1
    too_long = client.post(
        "/api/messages/", VALID | captcha(), format="json", HTTP_IDEMPOTENCY_KEY="x" * 65
    )
    assert too_long.status_code == 400 and "Idempotency-Key" in too_long.json()["errors"]


@pytest.mark.parametrize(("field", "value", "text"), [
    ("content", "长" * 5001, "内容不能超过 5000 字"),
    ("content", "长" * 60000, "内容不能超过 5000 字"),
    ("title", "题" * 101, "标题不能超过 100 字"),
    ("phone", "not-a-phone", "电话号码格式不正确"),
    ("message_type", "spam", "请选择留言类型"),
])  # fmt: skip
def test_bad_input_is_refused_with_chinese_field_errors(channels, field, value, text):
    response = APIClient().post("/api/messages/", VALID | captcha() | {field: value}, format="json")
    assert response.status_code == 400
    assert text in response.json()["errors"][field]
    assert Message.objects.count() == 0


def test_malformed_bodies_are_clear_400s(channels):
    client = APIClient()
    broken = client.post("/api/messages/", b"{not json", content_type="application/json")
    assert broken.status_code == 400 and broken.json()["detail"]
    wrong_type = client.post("/api/messages/", VALID | {"title": ["a", "b"]}, format="json")
    assert wrong_type.status_code == 400 and "title" in wrong_type.json()["errors"]
    no_channel = client.post(
        "/api/messages/", VALID | captcha() | {"channel": "nowhere"}, format="json"
    )
    assert no_channel.status_code == 400 and "渠道" in no_channel.json()["errors"]["channel"]


def test_script_in_a_message_comes_back_as_json_text_only(channels, personas):
    script = "<script>alert('x')</script>"
    done = APIClient().post("/api/messages/", VALID | captcha() | {"title": script,
                            "content": f"内容 {script} 请核实处理。"}, format="json")  # fmt: skip
    message = Message.objects.get(number=done.json()["number"])
    transition(message, "publish", personas.information)
    listed = APIClient().get("/api/messages/public/")
    assert listed["Content-Type"] == "application/json"
    assert listed["X-Content-Type-Options"] == "nosniff"
    assert listed.json()["results"][0]["title"] == script  # data, never rendered as HTML
    assert b"<html" not in listed.content.lower()


def test_intake_rate_limit_per_address(channels, settings):
    settings.GOVSITE_MESSAGES_PER_HOUR = 1
    client = APIClient()
    assert client.post("/api/messages/", VALID | captcha(), format="json").status_code == 201
    again = client.post("/api/messages/", VALID | captcha() | {"title": "第二条"}, format="json")
    assert again.status_code == 429 and "频繁" in again.json()["detail"]
    other_address = client.post(
        "/api/messages/", VALID | captcha(), format="json", REMOTE_ADDR="198.51.100.9"
    )
    assert other_address.status_code == 201


def test_drf_throttle_per_address(channels, settings):
    settings.GOVSITE_API_INTAKE_THROTTLE = "2/min"
    client = APIClient()
    codes = [
        client.post("/api/messages/", {"title": "x"}, format="json").status_code for _ in range(3)
    ]
    assert codes == [400, 400, 429]
    spoofed = client.post(
        "/api/messages/", {"title": "x"}, format="json", HTTP_X_FORWARDED_FOR="10.9.9.9"
    )
    assert spoofed.status_code == 429  # X-Forwarded-For is not trusted without NUM_PROXIES


# -- the sender ------------------------------------------------------------------------------


def test_status_query_shows_public_steps_and_reply(write, personas, tree):
    sent = write(**SECRET)
    transition(sent.message, "publish", personas.information)
    transition(sent.message, "route", personas.information, unit=tree.edu)
    transition(sent.message, "accept", personas.edu_officer)
    transition(sent.message, "reply", personas.edu_officer, text="请携带户口本报名。")
    response = APIClient().get(
        "/api/messages/status/", {"number": sent.message.number, "code": sent.query_code}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "replied" and body["status_label"] == "已答复"
    assert body["reply"] == "请携带户口本报名。" and body["reply_unit"] == "示范市教育局"
    assert body["can_rate"] is True
    assert [e["action"] for e in body["events"]] == [
        "submit",
        "route",
        "reply",
    ]  # publish/accept: internal
    assert_absent(response, *SECRET.values())


def test_wrong_code_and_unknown_number_look_the_same(write):
    sent = write()
    wrong = APIClient().get(
        "/api/messages/status/", {"number": sent.message.number, "code": "WRONG123"}
    )
    unknown = APIClient().get(
        "/api/messages/status/", {"number": "20990101000000", "code": "WRONG123"}
    )
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.content == unknown.content
    missing = APIClient().get("/api/messages/status/", {"number": sent.message.number})
    assert missing.status_code == 400 and "查询码" in missing.json()["errors"]["code"]


def test_guessing_query_codes_is_throttled(write, settings):
    settings.GOVSITE_API_LOOKUP_THROTTLE = "3/min"
    number = write().message.number
    codes = [APIClient().get("/api/messages/status/", {"number": number, "code": f"GUESS{i}"}).status_code
             for i in range(4)]  # fmt: skip
    assert codes == [404, 404, 404, 429]


def test_a_reply_under_review_is_not_shown_to_the_sender(write, personas, tree):
    sent = write()
    transition(sent.message, "publish", personas.information)
    transition(sent.message, "report_to_leader", personas.information)
    transition(sent.message, "instruct", personas.leader, instruction="请认真办理。")
    transition(sent.message, "route", personas.supervisor, unit=tree.edu)
    transition(sent.message, "accept", personas.edu_officer)
    transition(sent.message, "reply", personas.edu_officer, text="尚未审核的答复草稿")
    response = APIClient().get(
        "/api/messages/status/", {"number": sent.message.number, "code": sent.query_code}
    )
    assert response.json()["status"] == "reply_review" and response.json()["reply"] == ""
    assert_absent(response, "尚未审核的答复草稿")


def test_sender_rates_the_reply(write, personas, tree):
    sent = write()
    message = sent.message
    transition(message, "publish", personas.information)
    transition(message, "route", personas.information, unit=tree.edu)
    url = f"/api/messages/{message.number}/rate/"
    early = APIClient().post(url, {"code": sent.query_code, "rating": "satisfied"}, format="json")
    assert early.status_code == 409 and "不能评价答复" in early.json()["detail"]
    transition(message, "accept", personas.edu_officer)
    transition(message, "reply", personas.edu_officer, text="已办理。")
    wrong = APIClient().post(url, {"code": "WRONG123", "rating": "satisfied"}, format="json")
    assert wrong.status_code == 404
    bad = APIClient().post(url, {"code": sent.query_code, "rating": "great"}, format="json")
    assert bad.status_code == 400 and "满意" in bad.json()["errors"]["rating"]
    done = APIClient().post(url, {"code": sent.query_code, "rating": "satisfied"}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "closed"
    assert done.json()["satisfaction"] == "satisfied"


# -- staff --------------------------------------------------------------------------------------


def test_staff_endpoints_need_a_staff_login(write, personas):
    assert APIClient().get("/api/messages/staff/").status_code == 401
    assert client_for(personas.outsider).get("/api/messages/staff/").status_code == 403
    session = APIClient()
    session.force_login(personas.information)
    assert session.get("/api/messages/staff/").status_code == 200


def test_a_unit_sees_only_messages_routed_to_it(write, personas, tree):
    mine = routed(write, personas, tree.edu, title="教育局的留言")
    theirs = routed(write, personas, tree.fin, title="财政局的留言")
    edu = client_for(personas.edu_officer)
    listed = edu.get("/api/messages/staff/").json()
    assert [m["number"] for m in listed["results"]] == [mine.number]
    assert edu.get(f"/api/messages/staff/{mine.number}/").status_code == 200
    assert edu.get(f"/api/messages/staff/{theirs.number}/").status_code == 404
    # Forged transitions on a message routed elsewhere: it does not exist for this unit.
    history = theirs.events.count()
    for action in ({"action": "accept"}, {"action": "reply", "text": "冒充答复"},
                   {"action": "return", "reason": "不归我们管"}):  # fmt: skip
        forged = edu.post(f"/api/messages/staff/{theirs.number}/transition/", action, format="json")
        assert forged.status_code == 404, action
    theirs.refresh_from_db()
    assert theirs.status == Status.ASSIGNED and theirs.events.count() == history


def test_a_unit_head_sees_its_subtree_and_unit_staff_do_not(write, personas, tree):
    town = routed(write, personas, tree.town1)
    assert (
        client_for(personas.county_head).get(f"/api/messages/staff/{town.number}/").status_code
        == 200
    )
    assert (
        client_for(personas.county_officer).get(f"/api/messages/staff/{town.number}/").status_code
        == 404
    )
    assert (
        client_for(personas.town_officer).get(f"/api/messages/staff/{town.number}/").status_code
        == 200
    )


def test_the_workflow_through_the_api(write, personas, tree):
    message = write().message
    info, edu = client_for(personas.information), client_for(personas.edu_officer)
    url = f"/api/messages/staff/{message.number}/transition/"
    assert info.post(url, {"action": "publish"}, format="json").status_code == 200
    routed_ = info.post(url, {"action": "route", "unit": tree.edu.pk}, format="json")
    assert routed_.status_code == 200 and routed_.json()["status"] == "assigned"
    assert routed_.json()["unit"] == tree.edu.pk and routed_.json()["due_at"].endswith("+08:00")
    skipped = edu.post(url, {"action": "reply", "text": "跳过签收直接答复"}, format="json")
    assert skipped.status_code == 409 and "不能答复" in skipped.json()["detail"]
    accepted = edu.post(url, {"action": "accept"}, format="json")
    assert accepted.status_code == 200 and "reply" in [
        a["action"] for a in accepted.json()["available"]
    ]
    missing = edu.post(url, {"action": "reply"}, format="json")
    assert missing.status_code == 409 and "答复内容" in missing.json()["detail"]
    bad_kind = edu.post(url, {"action": "reply", "text": "感谢", "kind": "bogus"}, format="json")
    assert bad_kind.status_code == 400 and "kind" in bad_kind.json()["errors"]
    replied = edu.post(url, {"action": "reply", "text": "请携带户口本报名。"}, format="json")
    assert replied.status_code == 200 and replied.json()["status"] == "replied"
    assert [e.action for e in message.events.all()] == [
        "submit",
        "publish",
        "route",
        "accept",
        "reply",
    ]


def test_forged_or_impossible_transitions_are_clear_errors(write, personas, tree):
    message = write().message
    url = f"/api/messages/staff/{message.number}/transition/"
    leader = client_for(personas.leader)
    not_allowed = leader.post(url, {"action": "publish"}, format="json")
    assert not_allowed.status_code == 403 and "无权" in not_allowed.json()["detail"]
    jump = client_for(personas.information).post(
        url, {"action": "route", "unit": tree.edu.pk}, format="json"
    )
    assert jump.status_code == 409 and "待审核" in jump.json()["detail"]
    unknown = client_for(personas.information).post(url, {"action": "teleport"}, format="json")
    assert unknown.status_code == 400 and "未知的操作" in unknown.json()["errors"]["action"]
    no_unit = client_for(personas.information).post(
        url, {"action": "route", "unit": 999999}, format="json"
    )
    assert no_unit.status_code == 400 and "单位" in no_unit.json()["errors"]["unit"]
    sender_only = client_for(personas.information).post(url, {"action": "rate", "rating": "satisfied"},
                                                         format="json")  # fmt: skip
    assert sender_only.status_code == 400
    message.refresh_from_db()
    assert message.status == Status.SUBMITTED


def test_a_unit_delegates_to_a_township_by_id(write, personas, tree):
    message = routed(write, personas, tree.county)
    url = f"/api/messages/staff/{message.number}/transition/"
    county = client_for(personas.county_officer)
    wrong = county.post(url, {"action": "delegate", "unit": tree.edu.pk}, format="json")
    assert wrong.status_code == 409 and "下级单位" in wrong.json()["detail"]
    done = county.post(url, {"action": "delegate", "unit": tree.town1.pk}, format="json")
    assert done.status_code == 200 and done.json()["unit"] == tree.town1.pk


def test_staff_list_filters(write, personas, tree):
    late = routed(write, personas, tree.edu, title="超期的留言")
    Message.objects.filter(pk=late.pk).update(due_at=timezone.now() - timedelta(days=2))
    fresh = routed(write, personas, tree.town1, title="未超期的留言")
    waiting = write(title="待审核的留言").message
    info = client_for(personas.information)

    def numbers(**query):
        return {m["number"] for m in info.get("/api/messages/staff/", query).json()["results"]}

    assert numbers() == {late.number, fresh.number, waiting.number}
    assert numbers(status="submitted") == {waiting.number}
    assert numbers(status="assigned,submitted") == {late.number, fresh.number, waiting.number}
    assert numbers(unit=tree.county.pk) == {fresh.number}  # the unit and its subtree
    assert numbers(overdue="1") == {late.number}
    listed = info.get("/api/messages/staff/", {"overdue": "1"}).json()["results"][0]
    assert listed["overdue"] is True and listed["unit_name"] == "示范市教育局"
    bad = info.get("/api/messages/staff/", {"status": "lost", "unit": "abc"})
    assert bad.status_code == 400 and set(bad.json()["errors"]) == {"status", "unit"}


def test_private_reads_are_logged_public_ones_not(write, personas, tree):
    private = write(wants_public=False).message
    transition(private, "keep_private", personas.information)
    transition(private, "route", personas.information, unit=tree.edu)
    public = routed(write, personas, tree.edu)
    edu = client_for(personas.edu_officer)
    assert edu.get(f"/api/messages/staff/{private.number}/").status_code == 200
    assert edu.get(f"/api/messages/staff/{public.number}/").status_code == 200
    reads = list(PrivateRead.objects.values_list("message__number", "reader__username", "where"))
    assert reads == [(private.number, "edu", "api:staff_detail")]


def test_report_sender_never_reaches_the_unit_or_the_public(write, personas, tree, channels):
    sent = write(message_type="report", title="举报教育局乱收费",
                 content="教育局某科室违规收取材料费，请调查。", **SECRET)  # fmt: skip
    report = sent.message
    transition(report, "publish", personas.information)  # a report is never made public
    transition(report, "route", personas.information, unit=tree.edu)
    edu = client_for(personas.edu_officer)
    url = f"/api/messages/staff/{report.number}/"
    responses = [
        edu.get("/api/messages/staff/"),
        edu.get(url),
        edu.post(url + "transition/", {"action": "accept"}, format="json"),
        edu.post(url + "transition/", {"action": "reply", "text": "已核查。"}, format="json"),
        edu.get(url),
        client_for(personas.county_head).get("/api/messages/staff/"),
        APIClient().get("/api/messages/public/"),
        APIClient().get(f"/api/messages/public/{report.number}/"),
        APIClient().get(
            "/api/messages/status/", {"number": report.number, "code": sent.query_code}
        ),
        APIClient().get("/open311/v2/requests.json"),
        APIClient().get(f"/open311/v2/requests/{report.number}.json"),
    ]
    assert [r.status_code for r in responses] == [
        200,
        200,
        200,
        200,
        200,
        200,
        200,
        404,
        200,
        200,
        404,
    ]
    assert responses[1].json()["sender"] == {"name": "匿名", "phone": "", "email": ""}
    for response in responses:
        assert_absent(response, *SECRET.values())
    # The offices do see who reported (and that read of a private message is logged).
    office = client_for(personas.information).get(url)
    assert office.json()["sender"]["phone"] == SECRET["phone"]
    assert PrivateRead.objects.filter(message=report, reader=personas.information).exists()


def test_a_unit_sees_an_ordinary_sender(write, personas, tree):
    message = routed(write, personas, tree.edu, **SECRET)
    body = client_for(personas.edu_officer).get(f"/api/messages/staff/{message.number}/").json()
    assert body["sender"] == {
        "name": SECRET["name"],
        "phone": SECRET["phone"],
        "email": SECRET["email"],
    }


def test_units_claim_from_the_published_pool_only(write, personas, tree):
    public = write(title="待认领的公开留言").message
    transition(public, "publish", personas.information)
    private = write(title="不公开的留言", wants_public=False).message
    transition(private, "keep_private", personas.information)
    edu = client_for(personas.edu_officer)
    pool = edu.get("/api/messages/staff/", {"claimable": "1"}).json()["results"]
    assert [m["number"] for m in pool] == [public.number]
    assert edu.get(f"/api/messages/staff/{private.number}/").status_code == 404
    assert edu.post(f"/api/messages/staff/{private.number}/transition/", {"action": "claim"},
                    format="json").status_code == 404  # fmt: skip
    claimed = edu.post(
        f"/api/messages/staff/{public.number}/transition/", {"action": "claim"}, format="json"
    )
    assert claimed.status_code == 200 and claimed.json()["unit"] == tree.edu.pk


@pytest.mark.django_db(transaction=True)
def test_concurrent_claims_one_wins(personas, tree, channels):
    from django.db import connection

    # A message published and waiting in the claim pool.
    done = client_for(personas.information).post("/api/messages/", VALID, format="json")
    message = Message.objects.get(number=done.json()["number"])
    transition(message, "publish", personas.information)
    clients = [client_for(personas.edu_officer), client_for(personas.fin_officer)]
    both_read = threading.Barrier(2, timeout=15)
    real = workflow.transition

    # SQLite's test database is an in-memory, shared-cache one: a second writer gets
    # "database table is locked" at once instead of waiting (no busy timeout there), so on
    # SQLite the two writes take turns — both still act on the state they read before
    # either wrote. On PostgreSQL the two UPDATEs really race.
    writes = threading.Lock() if connection.vendor == "sqlite" else contextlib.nullcontext()

    def in_step(message, name, actor, **params):
        both_read.wait()  # both requests have loaded the message before either writes
        with writes:
            return real(message, name, actor, **params)

    results = []

    def claim(client):
        try:
            response = client.post(f"/api/messages/staff/{message.number}/transition/",
                                   {"action": "claim"}, format="json")  # fmt: skip
            results.append((response.status_code, response.json()))
        finally:
            connection.close()

    workflow.transition = in_step
    try:
        threads = [threading.Thread(target=claim, args=(c,)) for c in clients]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    finally:
        workflow.transition = real
    assert sorted(code for code, _ in results) == [200, 409], results
    loser = next(body for code, body in results if code == 409)
    assert "他人" in loser["detail"]
    message.refresh_from_db()
    assert message.status == Status.HANDLING and message.unit in (tree.edu, tree.fin)
    assert message.events.filter(action="claim").count() == 1


# -- published messages and statistics ----------------------------------------------------------


def test_public_list_shows_published_messages_without_contact(write, personas, tree):
    shown = routed(write, personas, tree.edu, title="公开的留言", **SECRET)
    private = write(title="不公开的留言", wants_public=False).message
    transition(private, "keep_private", personas.information)
    pending = write(title="待审核的留言").message
    hidden = write(title="被屏蔽的留言").message
    transition(hidden, "hide", personas.information, reason="含他人隐私")
    response = APIClient().get("/api/messages/public/")
    body = response.json()
    assert body["count"] == 1 and [m["number"] for m in body["results"]] == [shown.number]
    assert not {"sender", "name", "phone", "email", "sender_name"} & set(body["results"][0])
    assert_absent(response, *SECRET.values(), private.title, pending.title, hidden.title)
    detail = APIClient().get(f"/api/messages/public/{shown.number}/")
    assert detail.status_code == 200 and [e["action"] for e in detail.json()["events"]] == [
        "submit",
        "route",
    ]
    assert_absent(detail, *SECRET.values())
    assert APIClient().get(f"/api/messages/public/{private.number}/").status_code == 404


def test_stats_per_unit(write, personas, tree):
    message = routed(write, personas, tree.edu)
    transition(message, "accept", personas.edu_officer)
    transition(message, "reply", personas.edu_officer, text="已答复。")
    routed(write, personas, tree.fin)
    assert APIClient().get("/api/messages/stats/").status_code == 401
    office = client_for(personas.supervisor).get("/api/messages/stats/")
    assert office.status_code == 200, office.content
    rows = {r["unit_name"]: r for r in office.json()["results"]}
    assert set(rows) >= {"示范市教育局", "示范市财政局"}
    edu_row = rows["示范市教育局"]
    assert edu_row["received"] == 1 and edu_row["replied"] == 1 and edu_row["reply_rate"] == 1.0
    for key in ("on_time_rate", "avg_workdays", "satisfaction", "rated", "repeats"):
        assert key in edu_row
    # A unit sees its own figures only.
    own = client_for(personas.edu_officer).get("/api/messages/stats/").json()["results"]
    assert {r["unit_name"] for r in own} == {"示范市教育局"}
    bad = client_for(personas.supervisor).get(
        "/api/messages/stats/", {"start": "2025-13-01", "level": "x"}
    )
    assert bad.status_code == 400 and set(bad.json()["errors"]) == {"start", "level"}
