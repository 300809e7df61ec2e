"""Open311 GeoReport v2 (JSON): services per message type, published messages as requests,
posting with an api_key — and never a requester's name, phone or e-mail in a GET."""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.core.cache import cache
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from govsite.accounts.roles import Role
from govsite.messaging.models import Channel, Message
from govsite.messaging.workflow import transition

SECRET = {"name": "赵秘密", "phone": "13700001234", "email": "secret.sender@example.org"}
POST = {"service_code": "complaint", "description": "小区门口道路破损多日无人修理，请尽快处理。",
        "first_name": "小红", "last_name": "张", "phone": "+86 13800000002", "jurisdiction_id": "ignored"}  # fmt: skip


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def personas(personas, user_factory, tree):
    personas.information = user_factory("xinxiban", Role.INFORMATION, tree.city)
    return personas


@pytest.fixture
def api_key(settings):
    settings.GOVSITE_OPEN311_API_KEYS = ["partner-key-1", "partner-key-2"]
    return "partner-key-2"


def published(write, personas, unit=None, **fields):
    message = write(**fields).message
    transition(message, "publish", personas.information)
    if unit is not None:
        transition(message, "route", personas.information, unit=unit)
    message.refresh_from_db()
    return message


def replied(write, personas, tree, text="已安排维修。", **fields):
    message = published(write, personas, tree.edu, **fields)
    transition(message, "accept", personas.edu_officer)
    return transition(message, "reply", personas.edu_officer, text=text)


def assert_absent(response, *values):
    for value in values:
        assert value.encode() not in response.content, value
        assert json.dumps(value)[1:-1].encode() not in response.content, value


def test_services_one_per_message_type(db):
    response = APIClient().get("/open311/v2/services.json")
    assert response.status_code == 200
    services = response.json()
    assert [s["service_code"] for s in services] == [
        "consult",
        "complaint",
        "suggestion",
        "report",
        "other",
    ]
    assert [s["service_name"] for s in services] == ["咨询", "投诉", "建议", "举报", "其他"]
    assert all(s["metadata"] is False and s["type"] == "realtime" for s in services)


def test_xml_is_a_clear_400(db):
    response = APIClient().get("/open311/v2/services.xml")
    assert response.status_code == 400
    assert response.json() == [{"code": 400, "description": response.json()[0]["description"]}]
    assert "JSON" in response.json()[0]["description"]
    assert APIClient().get("/open311/v2/requests.xml").status_code == 400


def test_requests_list_only_published_messages_without_contact(write, personas, tree):
    open_ = published(write, personas, tree.fin, title="公开办理中", **SECRET)
    closed = replied(write, personas, tree, title="公开已答复", **SECRET)
    private = write(title="不公开", wants_public=False, **SECRET).message
    transition(private, "keep_private", personas.information)
    waiting = write(title="待审核", **SECRET).message
    report = published(write, personas, tree.edu, message_type="report", title="举报", **SECRET)
    response = APIClient().get("/open311/v2/requests.json")
    assert response.status_code == 200
    found = {r["service_request_id"]: r for r in response.json()}
    assert set(found) == {open_.number, closed.number}
    assert found[open_.number]["status"] == "open" and found[closed.number]["status"] == "closed"
    assert found[closed.number]["status_notes"] == "已安排维修。"
    assert found[closed.number]["agency_responsible"] == "示范市教育局"
    assert found[open_.number]["agency_responsible"] == "示范市财政局"
    assert (
        found[open_.number]["service_code"] == "consult"
        and found[open_.number]["service_name"] == "咨询"
    )
    assert found[open_.number]["requested_datetime"].endswith("+08:00")
    assert found[open_.number]["updated_datetime"].endswith("+08:00")
    for key in ("first_name", "last_name", "email", "phone", "name", "device_id", "account_id"):
        assert key not in found[open_.number]
    assert_absent(response, *SECRET.values(), private.number, waiting.number, report.number)
    for number in (private.number, waiting.number, report.number):
        missing = APIClient().get(f"/open311/v2/requests/{number}.json")
        assert missing.status_code == 404 and missing.json()[0]["code"] == 404
        assert_absent(missing, *SECRET.values())
    one = APIClient().get(f"/open311/v2/requests/{closed.number}.json")
    assert one.status_code == 200 and [r["service_request_id"] for r in one.json()] == [
        closed.number
    ]
    assert_absent(one, *SECRET.values())


def test_request_filters(write, personas, tree):
    consult = published(write, personas, tree.fin)
    complaint = replied(write, personas, tree, message_type="complaint")
    old = published(write, personas, tree.fin, title="很久以前的留言")
    Message.objects.filter(pk=old.pk).update(received_at=timezone.now() - timedelta(days=200))
    client = APIClient()

    def ids(**params):
        response = client.get("/open311/v2/requests.json", params)
        assert response.status_code == 200, response.content
        return {r["service_request_id"] for r in response.json()}

    assert ids() == {consult.number, complaint.number}  # default window: the last 90 days
    assert ids(service_code="complaint") == {complaint.number}
    assert ids(status="open") == {consult.number}
    assert ids(status="closed") == {complaint.number}
    # service_request_id overrides every other filter, the 90-day window included.
    assert ids(service_request_id=f"{old.number},{complaint.number}", status="open") == {old.number,
                                                                                          complaint.number}  # fmt: skip
    start = timezone.localtime() - timedelta(days=1)
    assert ids(start_date=start.isoformat()) == {consult.number, complaint.number}
    assert ids(end_date=(start - timedelta(days=150)).date().isoformat()) == {
        old.number
    }  # 90 days back
    # A '+08:00' offset sent unencoded arrives as a space: still understood.
    raw = client.get("/open311/v2/requests.json?start_date=" + start.isoformat(timespec="seconds"))
    assert raw.status_code == 200 and len(raw.json()) == 2
    encoded = client.get("/open311/v2/requests.json?start_date=" + quote(start.isoformat()))
    assert encoded.status_code == 200 and len(encoded.json()) == 2


@pytest.mark.parametrize(("params", "text"), [
    ({"start_date": "yesterday"}, "ISO 8601"),
    ({"start_date": "2025-01-01", "end_date": "2025-06-01"}, "90"),
    ({"start_date": "2025-06-01", "end_date": "2025-01-01"}, "早于"),
    ({"status": "pending"}, "open"),
    ({"service_code": "pothole"}, "service_code"),
])  # fmt: skip
def test_bad_filters_are_clear_400s(db, params, text):
    response = APIClient().get("/open311/v2/requests.json", params)
    assert response.status_code == 400
    assert response.json()[0]["code"] == 400 and text in response.json()[0]["description"]


def test_post_with_a_configured_key(channels, api_key):
    response = APIClient().post("/open311/v2/requests.json", POST | {"api_key": api_key})
    assert response.status_code == 201, response.content
    [body] = response.json()
    assert body["token"] is None and "查询码" in body["service_notice"]
    message = Message.objects.get(number=body["service_request_id"])
    assert message.source == "open311" and message.channel == channels.board
    assert message.message_type == "complaint" and message.sender_name == "张小红"
    assert message.sender_phone == "13800000002"
    assert message.title == POST["description"]  # no attribute[title]: from the description
    assert message.content == POST["description"]


def test_post_title_attribute_and_long_description(channels, api_key):
    long = "道路" * 40 + "，请处理。"
    titled = APIClient().post("/open311/v2/requests.json",
                              POST | {"api_key": api_key, "attribute[title]": "道路破损"})  # fmt: skip
    derived = APIClient().post(
        "/open311/v2/requests.json", POST | {"api_key": api_key, "description": long}
    )
    assert Message.objects.get(number=titled.json()[0]["service_request_id"]).title == "道路破损"
    title = Message.objects.get(number=derived.json()[0]["service_request_id"]).title
    assert title == long[:30] + "…"


def test_post_with_a_staff_token_as_api_key(channels, personas):
    staff = Token.objects.create(user=personas.information).key
    outsider = Token.objects.create(user=personas.outsider).key
    assert (
        APIClient().post("/open311/v2/requests.json", POST | {"api_key": staff}).status_code == 201
    )
    refused = APIClient().post("/open311/v2/requests.json", POST | {"api_key": outsider})
    assert refused.status_code == 403 and refused.json()[0]["code"] == 403


def test_post_without_or_with_a_wrong_key(channels, api_key):
    for data in (POST, POST | {"api_key": "guess"}):
        refused = APIClient().post("/open311/v2/requests.json", data)
        assert refused.status_code == 403 and "api_key" in refused.json()[0]["description"]
    assert Message.objects.count() == 0


def test_post_is_idempotent_with_the_header(channels, api_key):
    client = APIClient()
    first = client.post(
        "/open311/v2/requests.json", POST | {"api_key": api_key}, HTTP_IDEMPOTENCY_KEY="o311-1"
    )
    second = client.post(
        "/open311/v2/requests.json", POST | {"api_key": api_key}, HTTP_IDEMPOTENCY_KEY="o311-1"
    )
    assert first.status_code == 201 and second.status_code == 200
    assert first.json()[0]["service_request_id"] == second.json()[0]["service_request_id"]
    assert "查询码" in second.json()[0]["service_notice"] and Message.objects.count() == 1
    assert "查询码 " not in second.json()[0]["service_notice"]  # the code itself is not repeated


@pytest.mark.parametrize(("data", "text"), [
    ({"service_code": "pothole"}, "service_code"),
    ({"service_code": ""}, "service_code"),
    ({"description": "太短"}, "description"),
    ({"description": "长" * 5001}, "description"),
    ({"phone": "", "email": ""}, "phone"),
    ({"email": "not-an-email", "phone": ""}, "email"),
])  # fmt: skip
def test_post_bad_input(channels, api_key, data, text):
    response = APIClient().post("/open311/v2/requests.json", POST | {"api_key": api_key} | data)
    assert response.status_code == 400
    assert any(text in e["description"] for e in response.json()), response.json()
    assert Message.objects.count() == 0


def test_post_needs_the_board_channel(tree, api_key):
    Channel.objects.create(slug="mayor", name="市长信箱", kind="leader", unit=tree.city)
    response = APIClient().post("/open311/v2/requests.json", POST | {"api_key": api_key})
    assert response.status_code == 400 and "board" in response.json()[0]["description"]


def test_a_report_posted_through_open311_never_comes_back(channels, personas, tree, api_key):
    posted = APIClient().post("/open311/v2/requests.json", POST | {
        "api_key": api_key, "service_code": "report", "first_name": "秘密", "last_name": "赵",
        "phone": SECRET["phone"], "email": SECRET["email"],
        "description": "举报某单位工作人员违规收受礼品，请调查。"})  # fmt: skip
    number = posted.json()[0]["service_request_id"]
    assert_absent(posted, SECRET["phone"], SECRET["email"], "赵秘密")
    message = Message.objects.get(number=number)
    transition(message, "publish", personas.information)
    transition(message, "route", personas.information, unit=tree.edu)
    for response in (APIClient().get("/open311/v2/requests.json"),
                     APIClient().get("/open311/v2/requests.json", {"service_request_id": number}),
                     APIClient().get(f"/open311/v2/requests/{number}.json")):  # fmt: skip
        assert response.status_code in (200, 404)
        assert number.encode() not in response.content
        assert_absent(response, SECRET["phone"], SECRET["email"], "赵秘密")


def test_script_in_a_request_is_plain_json_text(channels, personas, api_key):
    script = "<script>alert(1)</script>"
    posted = APIClient().post("/open311/v2/requests.json", POST | {
        "api_key": api_key, "description": f"{script} 道路破损请处理。", "attribute[title]": script})  # fmt: skip
    message = Message.objects.get(number=posted.json()[0]["service_request_id"])
    transition(message, "publish", personas.information)
    response = APIClient().get(f"/open311/v2/requests/{message.number}.json")
    assert (
        response["Content-Type"] == "application/json"
        and response["X-Content-Type-Options"] == "nosniff"
    )
    assert response.json()[0]["title"] == script
    assert_absent(response, "13800000002", "张小红")
