"""Issue 5's path in a real browser: a citizen writes to the mayor and gets a tracking
number; the information office routes it; the unit accepts and replies within the deadline;
the sender rates the reply; the ranking page counts it; and a 举报 about a unit never shows
its sender to that unit."""

from __future__ import annotations

import pytest

from govsite.accounts.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def board(tree, user_factory, monkeypatch):
    from captcha.conf import settings as captcha_settings

    from govsite.messaging.models import Channel

    monkeypatch.setattr(captcha_settings, "CAPTCHA_TEST_MODE", True)  # types "passed"
    Channel.objects.create(slug="mayor", name="市长信箱", kind="leader", unit=tree.city)
    user_factory("e2e_info", Role.INFORMATION, tree.city)
    user_factory("e2e_edu", Role.UNIT_STAFF, tree.edu)
    return tree


def write(page, base, title, kind="consult", name="王市民", phone="13800001111"):
    page.goto(f"{base}/messages/write/mayor/")
    page.check(f"input[name=message_type][value={kind}]")
    page.fill("input[name=title]", title)
    page.fill("textarea[name=content]", f"{title}，详细情况如下，请有关部门尽快处理。")
    page.fill("input[name=name]", name)
    page.fill("input[name=phone]", phone)
    page.fill("input[name=captcha_1]", "passed")
    page.click("button:has-text('提交留言')")
    number = page.locator(".tracking-number").inner_text()
    code = page.locator(".query-code").inner_text()
    return number, code


def test_citizen_to_mayor_routed_replied_rated_and_report_kept_secret(
    board, browser, live_server, login, screenshots
):
    base = live_server.url
    citizen = browser.new_context(locale="zh-CN").new_page()
    number, code = write(citizen, base, "幼儿园入学咨询")
    assert len(number) == 16 and len(code) == 8
    citizen.screenshot(path=screenshots / "m1-submitted.png", full_page=True)
    secret_number, _ = write(citizen, base, "举报教育局某科室违规收费", kind="report",
                             name="张举报", phone="13722223333")  # fmt: skip

    office = login(base, "e2e_info")
    for n in (number, secret_number):
        office.goto(f"{base}/messages/staff/m/{n}/")
        office.click("form.action-publish button")
        office.select_option("form.action-route select[name=unit]", label="示范市教育局")
        office.click("form.action-route button")
    office.screenshot(path=screenshots / "m2-routed.png", full_page=True)

    unit = login(base, "e2e_edu")
    unit.goto(f"{base}/messages/staff/?tab=accept")
    assert number in unit.content()
    unit.goto(f"{base}/messages/staff/m/{secret_number}/")
    page_text = unit.content()
    assert "张举报" not in page_text and "13722223333" not in page_text
    unit.goto(f"{base}/messages/staff/m/{number}/")
    unit.click("form.action-accept button")
    unit.fill(
        "form.action-reply textarea[name=text]", "您好，请携带户口簿、出生证明到片区幼儿园报名。"
    )
    unit.click("form.action-reply button")
    assert "已答复" in unit.locator(".status").inner_text()
    unit.screenshot(path=screenshots / "m3-replied.png", full_page=True)

    citizen.goto(f"{base}/messages/query/?number={number}&code={code}")
    assert "片区幼儿园" in citizen.content()
    citizen.check("input[name=rating][value=satisfied]")
    citizen.click("form.rate-form button")
    assert "已办结" in citizen.locator(".status").inner_text()
    citizen.screenshot(path=screenshots / "m4-rated.png", full_page=True)

    citizen.goto(f"{base}/messages/stats/")
    row = citizen.locator("tr", has_text="示范市教育局").first
    assert row.is_visible()
    citizen.screenshot(path=screenshots / "m5-ranking.png", full_page=True)
