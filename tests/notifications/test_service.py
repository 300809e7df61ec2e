"""Notifications land in the inbox first; e-mail and SMS copies never lose the row."""

from django.core import mail
from django.urls import reverse

from govsite.notifications.models import Notification
from govsite.notifications.service import notify


def test_notify_writes_one_inbox_row_per_person_and_mails_a_copy(personas):
    personas.evaluator.email = "pg@example.gov.cn"
    personas.evaluator.save()
    rows = notify(
        [personas.evaluator, personas.evaluator, personas.edu_officer], "整改逾期", "正文"
    )
    assert len(rows) == 2
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["pg@example.gov.cn"]
    assert (
        Notification.objects.get(recipient=personas.edu_officer).delivery["email"] == "no_address"
    )


def test_a_failing_sms_gateway_is_recorded_not_raised(personas, monkeypatch):
    from govsite.notifications import service

    monkeypatch.setattr(service, "sms_sender", BrokenSms)
    personas.edu_officer.profile.phone = "13800000000"
    personas.edu_officer.profile.save()
    [row] = notify([personas.edu_officer], "提醒")
    assert row.delivery["sms"].startswith("failed")


class BrokenSms:
    def send(self, phone, text):
        raise ConnectionError("gateway down")


def test_inbox_shows_only_my_notifications_and_marks_them_read(client, personas):
    notify([personas.edu_officer], "给教育局")
    notify([personas.fin_officer], "给财政局")
    client.force_login(personas.edu_officer)
    page = client.get(reverse("notifications:inbox")).content.decode()
    assert "给教育局" in page and "给财政局" not in page
    mine = Notification.objects.get(recipient=personas.edu_officer)
    other = Notification.objects.get(recipient=personas.fin_officer)
    assert client.post(reverse("notifications:read", args=[other.pk])).status_code == 404
    client.post(reverse("notifications:read", args=[mine.pk]))
    mine.refresh_from_db()
    assert mine.read_at is not None
