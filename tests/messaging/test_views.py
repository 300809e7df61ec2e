"""The pages: the public writes and follows a message without an account; staff see only
what is routed to them; a 举报 sender never reaches a unit; private reads are logged."""

from __future__ import annotations

import pytest
from django.urls import reverse

from govsite.messaging.models import Message, PrivateRead, Status
from govsite.messaging.workflow import transition


@pytest.fixture(autouse=True)
def captcha_test_mode(monkeypatch):
    """The CAPTCHA accepts "passed" (django-simple-captcha reads its settings at import)."""
    from captcha.conf import settings as captcha_settings

    monkeypatch.setattr(captcha_settings, "CAPTCHA_TEST_MODE", True)


@pytest.fixture
def personas(personas, user_factory, tree):
    from govsite.accounts.roles import Role

    personas.information = user_factory("xinxiban", Role.INFORMATION, tree.city)
    return personas


FORM = {"message_type": "consult", "title": "咨询公积金提取", "content": "请问租房提取公积金需要什么材料？",
        "name": "李四", "phone": "13900000002", "wants_public": "on",
        "captcha_0": "x", "captcha_1": "passed"}  # fmt: skip


def test_citizen_writes_to_the_mayor_and_follows_the_message_with_the_code(client, channels):
    response = client.post(reverse("messaging:write", args=["mayor"]), FORM)
    page = response.content.decode()
    assert response.status_code == 200 and "留言编号" in page, page[page.find("errorlist") :][:500]
    message = Message.objects.get()
    code = page.split('class="query-code">')[1].split("<")[0]
    assert message.number in page and len(code) == 8
    found = client.post(reverse("messaging:query"), {"number": message.number, "code": code})
    assert "待审核" in found.content.decode()
    wrong = client.post(reverse("messaging:query"), {"number": message.number, "code": "WRONG123"})
    assert "不正确" in wrong.content.decode() and "咨询公积金提取" not in wrong.content.decode()


def test_a_double_submission_of_the_same_form_stores_one_message(client, channels):
    data = FORM | {"submission": "form-token-1"}
    client.post(reverse("messaging:write", args=["board"]), data)
    again = client.post(reverse("messaging:write", args=["board"]), data)
    assert Message.objects.count() == 1 and "已经提交过" in again.content.decode()


@pytest.mark.parametrize("field,value,error", [
    ("content", "短", "不能少于"),
    ("content", "长" * 5001, "5000"),
    ("phone", "12345", "格式"),
])  # fmt: skip
def test_bad_fields_are_refused_with_a_chinese_message(client, channels, field, value, error):
    response = client.post(reverse("messaging:write", args=["board"]), FORM | {field: value})
    assert error in response.content.decode() and Message.objects.count() == 0


def test_a_wrong_captcha_stores_nothing(client, channels):
    client.post(reverse("messaging:write", args=["board"]), FORM | {"captcha_1": "nope"})
    assert Message.objects.count() == 0


def test_an_attachment_whose_bytes_do_not_match_its_type_is_refused(client, channels):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("photo.jpg", b"<script>alert(1)</script>", content_type="image/jpeg")
    response = client.post(reverse("messaging:write", args=["board"]), FORM | {"attachments": fake})
    assert "内容与类型不符" in response.content.decode() and Message.objects.count() == 0


def test_script_in_a_message_is_shown_as_text(client, write, personas, tree):
    message = write(
        title="<script>alert(1)</script>标题", content="<img src=x onerror=alert(1)>内容很长很长"
    ).message
    transition(message, "publish", personas.information)
    page = client.get(reverse("messaging:detail", args=[message.number])).content.decode()
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page
    assert "<img src=x" not in page


def test_the_public_board_shows_published_messages_only(client, write, personas):
    shown = write(title="公开的留言标题").message
    kept = write(title="不公开的留言标题", wants_public=False, address="198.51.100.1").message
    hidden = write(title="被屏蔽的留言标题", address="198.51.100.2").message
    transition(shown, "publish", personas.information)
    transition(kept, "publish", personas.information)
    transition(hidden, "hide", personas.information, reason="广告")
    page = client.get(reverse("messaging:board")).content.decode()
    assert "公开的留言标题" in page
    assert "不公开的留言标题" not in page and "被屏蔽的留言标题" not in page
    assert client.get(reverse("messaging:detail", args=[kept.number])).status_code == 404


def test_a_unit_sees_only_messages_routed_to_it(client, write, personas, tree):
    message = write().message
    transition(message, "keep_private", personas.information)
    transition(message, "route", personas.information, unit=tree.edu)
    client.force_login(personas.fin_officer)
    assert client.get(reverse("messaging:staff_detail", args=[message.number])).status_code == 404
    assert (
        message.number not in client.get(reverse("messaging:inbox") + "?tab=all").content.decode()
    )
    client.force_login(personas.edu_officer)
    page = client.get(reverse("messaging:staff_detail", args=[message.number])).content.decode()
    assert "13800000001" in page  # an ordinary sender's contact, to answer them
    assert PrivateRead.objects.filter(message=message, reader=personas.edu_officer).exists()


def test_a_report_sender_never_reaches_the_unit(client, write, personas, tree):
    report = write(
        message_type="report",
        title="举报教育局某干部违规收费",
        name="张举报人",
        phone="13711112222",
        email="whistle@example.com",
    ).message
    transition(report, "keep_private", personas.information)
    transition(report, "route", personas.information, unit=tree.edu)
    for user in (personas.edu_officer, personas.county_head):
        client.force_login(user)
        for url in (reverse("messaging:staff_detail", args=[report.number]),
                    reverse("messaging:inbox") + "?tab=all",
                    reverse("messaging:inbox") + "?tab=accept"):  # fmt: skip
            body = client.get(url).content.decode()
            assert "张举报人" not in body and "13711112222" not in body
            assert "whistle@example.com" not in body
    client.force_login(personas.information)
    assert (
        "张举报人"
        in client.get(reverse("messaging:staff_detail", args=[report.number])).content.decode()
    )


def test_a_unit_handles_and_replies_through_the_page(client, write, personas, tree):
    message = write().message
    transition(message, "publish", personas.information)
    transition(message, "route", personas.information, unit=tree.edu)
    client.force_login(personas.edu_officer)
    url = reverse("messaging:act", args=[message.number])
    client.post(url, {"action": "accept"})
    client.post(url, {"action": "reply", "text": "已答复：请携带材料办理。", "kind": "answer"})
    message.refresh_from_db()
    assert message.status == Status.REPLIED and message.reply_unit == tree.edu


def test_forged_action_on_another_units_message_is_refused(client, write, personas, tree):
    message = write().message
    transition(message, "publish", personas.information)
    transition(message, "route", personas.information, unit=tree.edu)
    client.force_login(personas.fin_officer)
    response = client.post(reverse("messaging:act", args=[message.number]),
                           {"action": "reply", "text": "冒充"})  # fmt: skip
    assert response.status_code == 404
    message.refresh_from_db()
    assert message.status == Status.ASSIGNED


def test_units_claim_published_messages_but_never_reports(client, write, personas, tree):
    public = write(title="可认领的公开留言").message
    report = write(message_type="report", title="举报留言不可认领", address="198.51.100.9").message
    transition(public, "publish", personas.information)
    transition(report, "publish", personas.information)
    client.force_login(personas.edu_officer)
    page = client.get(reverse("messaging:inbox") + "?tab=claim").content.decode()
    assert "可认领的公开留言" in page and "举报留言不可认领" not in page
    client.post(reverse("messaging:act", args=[public.number]), {"action": "claim"})
    public.refresh_from_db()
    assert public.unit == tree.edu and public.status == Status.HANDLING


def test_information_office_routes_several_messages_at_once(client, write, personas, tree):
    numbers = []
    for i in range(3):
        m = write(title=f"批量转办 {i}", address=f"198.51.100.{i + 20}").message
        transition(m, "publish", personas.information)
        numbers.append(m.number)
    client.force_login(personas.information)
    client.post(reverse("messaging:bulk_route"), {"unit": tree.edu.pk, "numbers": numbers})
    assert Message.objects.filter(unit=tree.edu, status=Status.ASSIGNED).count() == 3


def test_the_sender_rates_the_reply_with_the_code(client, channels, personas, tree):
    response = client.post(reverse("messaging:write", args=["board"]), FORM)
    code = response.content.decode().split('class="query-code">')[1].split("<")[0]
    message = Message.objects.get()
    transition(message, "publish", personas.information)
    transition(message, "route", personas.information, unit=tree.edu)
    transition(message, "accept", personas.edu_officer)
    transition(message, "reply", personas.edu_officer, text="答复内容")
    client.post(
        reverse("messaging:rate"),
        {"number": message.number, "code": "BADCODE1", "rating": "satisfied"},
    )
    message.refresh_from_db()
    assert message.satisfaction == ""
    client.post(
        reverse("messaging:rate"), {"number": message.number, "code": code, "rating": "basic"}
    )
    message.refresh_from_db()
    assert message.satisfaction == "basic" and message.status == Status.CLOSED


def test_with_verification_on_a_sender_proves_the_phone_with_a_code(
    client, channels, settings, monkeypatch
):
    from govsite.messaging import verification

    settings.GOVSITE_MESSAGE_VERIFY_CONTACT = True
    sent = []
    monkeypatch.setattr(verification, "sms_sender",
                        lambda: type("S", (), {"send": lambda self, to, text: sent.append(text)})())  # fmt: skip
    url = reverse("messaging:write", args=["board"])
    assert client.post(url, FORM | {"contact_code": "000000"}).status_code == 200
    assert Message.objects.count() == 0  # no code sent yet: refused
    assert client.post(reverse("messaging:send_code"), {"contact": FORM["phone"]}).json()["sent"]
    again = client.post(reverse("messaging:send_code"), {"contact": FORM["phone"]})
    assert again.status_code == 400 and "一分钟" in again.json()["detail"]
    code = sent[0].split("验证码是 ")[1][:6]
    client.post(url, FORM | {"contact_code": code})
    assert Message.objects.get().contact_verified is True


def test_a_verification_code_works_once_and_only_five_tries(db):
    from govsite.messaging.models import ContactCode
    from govsite.messaging.verification import MAX_TRIES, check_code, keyed_hash

    ContactCode.objects.create(contact_key=keyed_hash("verify:13800000009"),
                               code_hash=keyed_hash("code:123456"),
                               created_at=__import__("django.utils.timezone").utils.timezone.now())  # fmt: skip
    for _ in range(MAX_TRIES - 1):
        assert not check_code("13800000009", "000000")
    assert check_code("13800000009", "123456")
    assert not check_code("13800000009", "123456")  # used
