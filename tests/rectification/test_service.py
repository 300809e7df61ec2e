"""Rectification (W7): a unit claims an item fixed, govsite re-checks the live site with just
the checks concerned and closes or reopens the item; overdue items escalate."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from govsite.core.models import AuditEntry
from govsite.evaluations.importer import import_result
from govsite.evaluations.scoring import publish_run, score_run
from govsite.rectification.models import AddressChange, RectificationItem
from govsite.rectification.service import (
    TransitionError,
    claim_fixed,
    escalate_overdue,
    recheck_items,
    report_address_change,
)

HOME = """<html><head><meta charset="utf-8"><title>教育局</title></head><body>
<a href="/news/">工作动态</a> <a href="/gone.html">旧通知</a> <a href="/also-gone.html">旧文件</a>
<ul><li><a href="/news/1.html">动态一</a> <span>{today}</span></li></ul></body></html>"""


@pytest.fixture
def live_site(aiohttp_site, tree):
    """The education bureau's site, served live with two broken links."""
    today = timezone.localdate().isoformat()
    pages = {"/": HOME.format(today=today), "/news/": HOME.format(today=today),
             "/news/1.html": f"<html><body>动态 {today}</body></html>"}  # fmt: skip
    base = aiohttp_site(pages)
    website = tree.edu.websites.get()
    website.url = base + "/"
    website.save()
    return pages, base, website


@pytest.fixture
def items(tmp_path, live_site, personas):
    pages, base, website = live_site
    findings = [
        {"code": "broken_link", "url": f"{base}/gone.html", "page": base + "/", "pages": [base + "/"]},
        {"code": "broken_link", "url": f"{base}/also-gone.html", "page": base + "/",
         "pages": [base + "/"]},
    ]  # fmt: skip
    document = {"evaluated_at": "2025-11-20T08:00:00+00:00",
                "today": timezone.localdate().isoformat(),
                "sites": [{"name": "教育局网站", "url": website.url, "unit": "示范市教育局",
                           "category": "city_department", "findings": findings}]}  # fmt: skip
    path = tmp_path / "RESULT.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    publish_run(score_run(import_result(path)), personas.evaluator)
    return list(RectificationItem.objects.order_by("finding__position"))


def test_fixed_item_is_closed_and_unfixed_one_reopened_by_the_recheck(items, live_site, personas):
    pages, base, _ = live_site
    fixed, not_fixed = items
    pages["/gone.html"] = "<html><body>已恢复</body></html>"  # the unit restores one page
    claim_fixed(fixed, personas.edu_officer, "已恢复该页面")
    claim_fixed(not_fixed, personas.edu_officer, "已处理")
    counts = recheck_items([fixed, not_fixed], actor=personas.evaluator)
    assert counts == {"closed": 1, "reopened": 1, "unknown": 0}
    fixed.refresh_from_db()
    not_fixed.refresh_from_db()
    assert fixed.status == "closed" and not_fixed.status == "reopened"
    assert personas.edu_officer.notifications.filter(kind="rectification.reopened").exists()
    assert AuditEntry.objects.filter(action="rectification.closed").count() == 1


def test_a_site_that_does_not_answer_leaves_the_item_waiting(items, live_site, personas):
    _, _, website = live_site
    website.url = "http://127.0.0.1:9/"  # nothing listens on the discard port
    website.save()
    item = items[0]
    claim_fixed(item, personas.edu_officer, "已修复")
    item.refresh_from_db()
    assert recheck_items([item]) == {"closed": 0, "reopened": 0, "unknown": 1}
    item.refresh_from_db()
    assert item.status == "claimed" and "无法访问" in item.check_result


def test_claiming_needs_a_note_and_the_right_state(items, personas):
    item = items[0]
    with pytest.raises(TransitionError):
        claim_fixed(item, personas.edu_officer, "   ")
    claim_fixed(item, personas.edu_officer, "已修复")
    with pytest.raises(TransitionError):
        claim_fixed(item, personas.edu_officer, "再次")


def test_a_unit_sees_and_claims_only_its_own_items(client, items, personas):
    client.force_login(personas.fin_officer)
    assert "旧通知" not in client.get(reverse("rectification:list")).content.decode()
    response = client.post(reverse("rectification:claim", args=[items[0].pk]), {"note": "x"})
    assert response.status_code == 404
    client.force_login(personas.edu_officer)
    page = client.get(reverse("rectification:list")).content.decode()
    assert "gone.html" in page


def test_claim_in_the_web_runs_the_recheck_in_process(client, items, live_site, personas):
    pages, _, _ = live_site
    pages["/gone.html"] = "<html><body>ok</body></html>"
    client.force_login(personas.edu_officer)
    response = client.post(reverse("rectification:claim", args=[items[0].pk]),
                           {"note": "已恢复"}, follow=True)  # fmt: skip
    assert "销号 1" in response.content.decode()
    items[0].refresh_from_db()
    assert items[0].status == "closed"


def test_overdue_items_escalate_once_to_the_unit_head_and_the_evaluator(
    items, personas, user_factory, tree
):
    from govsite.accounts.roles import Role

    head = user_factory("edu_head", Role.UNIT_HEAD, tree.edu)
    later = timezone.localdate() + timedelta(days=60)
    assert escalate_overdue(later) == 2
    assert head.notifications.filter(kind="rectification.overdue").count() == 1
    assert personas.evaluator.notifications.filter(kind="rectification.overdue").count() == 1
    assert escalate_overdue(later) == 0  # once


def test_an_address_change_updates_the_registry_and_sends_items_to_recheck(
    items, live_site, personas
):
    _, base, website = live_site
    old = website.url
    change = report_address_change(personas.edu_officer, website, old, base + "/new/")
    website.refresh_from_db()
    assert website.url == base + "/new/" and "已更新网站登记地址" in change.effect
    gone = items[0]
    report_address_change(personas.edu_officer, website, gone.finding.url, base + "/news/1.html")
    gone.refresh_from_db()
    assert gone.status == "claimed"
    assert AddressChange.objects.count() == 2
