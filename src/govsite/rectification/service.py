"""The rectification loop (W7) as plain functions: open items when a run is published,
a unit claims an item fixed, govsite re-checks and closes or reopens it, overdue items
escalate. Every transition is conditional on the state it leaves and writes an audit row."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from govsite.accounts.access import users_with_roles
from govsite.accounts.roles import Role
from govsite.checks import CheckConfig
from govsite.core.audit import record
from govsite.evaluation.recheck import recheck
from govsite.evaluation.run import EvaluateOptions
from govsite.evaluation.sites import SiteSpec
from govsite.evaluations.models import EvaluationRun, Finding
from govsite.notifications.service import notify
from govsite.rectification.models import AddressChange, RectificationItem
from govsite.workdays.service import current_calendar

Status = RectificationItem.Status


class TransitionError(ValueError):
    """A transition the item's state does not allow (the message is for the user)."""


def open_items_for_run(run: EvaluationRun, workdays: int | None = None) -> list[RectificationItem]:
    """One item per finding of a registered website, due ``workdays`` working days after
    publication (遇节假日顺延)."""
    workdays = settings.GOVSITE_RECTIFICATION_WORKDAYS if workdays is None else workdays
    deadline = current_calendar().add_workdays(timezone.localdate(), workdays)
    findings = Finding.objects.filter(site__run=run, site__website__isnull=False).select_related(
        "site__website__unit"
    )
    items = [
        RectificationItem(
            finding=f, website=f.site.website, unit=f.site.website.unit, deadline=deadline
        )  # fmt: skip
        for f in findings
        if not hasattr(f, "rectification")
    ]
    RectificationItem.objects.bulk_create(items)
    units = {item.unit_id: item.unit for item in items}
    for unit in units.values():
        count = sum(1 for item in items if item.unit_id == unit.pk)
        notify(unit_staff(unit), f"网站检查发现 {count} 项问题，请于 {deadline:%Y年%m月%d日} 前整改",
               link=reverse("rectification:list"), kind="rectification.opened")  # fmt: skip
    return items


def unit_staff(unit, roles=(Role.UNIT_STAFF, Role.UNIT_HEAD)):
    return users_with_roles(roles, unit)


def claim_fixed(item: RectificationItem, actor, note: str) -> RectificationItem:
    """The unit says the problem is fixed; the item waits for the re-check."""
    note = note.strip()
    if not note:
        raise TransitionError("请填写整改说明")
    changed = RectificationItem.objects.filter(
        pk=item.pk, status__in=[Status.OPEN, Status.REOPENED]
    ).update(status=Status.CLAIMED, note=note[:2000], claimed_at=timezone.now(), claimed_by=actor)
    if not changed:
        raise TransitionError("该事项当前状态不能报整改")
    item.refresh_from_db()
    record(actor, "rectification.claim", item, note=note[:200])
    return item


def recheck_items(items: list[RectificationItem], actor=None, today: date | None = None,
                  options: EvaluateOptions | None = None) -> dict[str, int]:  # fmt: skip
    """Re-check claimed items, one crawl per website with just the checks concerned; close
    what is gone, reopen what is still there, leave undetermined ones claimed."""
    today = today or timezone.localdate()
    by_site: dict[int, list[RectificationItem]] = defaultdict(list)
    for item in items:
        if item.status == Status.CLAIMED:
            by_site[item.website_id].append(item)
    counts = {"closed": 0, "reopened": 0, "unknown": 0}
    for site_items in by_site.values():
        website = site_items[0].website
        spec = SiteSpec(name=website.name, url=website.url, unit=website.unit.name)
        opts = options or EvaluateOptions(today=today, job_dir=settings.DATA_DIR, delay=0.0,
                                          per_host=4, config=CheckConfig())  # fmt: skip
        verdicts, _site = recheck(spec, [i.finding.detail for i in site_items], opts)
        for item, still_there in zip(site_items, verdicts, strict=True):
            outcome = _apply_verdict(item, still_there, actor)
            counts[outcome] += 1
    return counts


def _apply_verdict(item: RectificationItem, still_there: bool | None, actor) -> str:
    now = timezone.now()
    if still_there is None:
        RectificationItem.objects.filter(pk=item.pk).update(
            checked_at=now, checks=item.checks + 1,
            check_result="网站无法访问，未能复核，稍后再试",
        )  # fmt: skip
        return "unknown"
    status, text = (
        (Status.REOPENED, "复核发现问题仍然存在，请继续整改")
        if still_there
        else (Status.CLOSED, "复核未再发现该问题，已销号")
    )
    changed = RectificationItem.objects.filter(pk=item.pk, status=Status.CLAIMED).update(
        status=status, checked_at=now, checks=item.checks + 1, check_result=text
    )
    if changed:
        item.refresh_from_db()
        record(actor, f"rectification.{status}", item, result=text)
        if status == Status.REOPENED:
            notify(unit_staff(item.unit), f"整改复核未通过：{item.finding}", body=text,
                   link=reverse("rectification:list"), kind="rectification.reopened")  # fmt: skip
    return "reopened" if status == Status.REOPENED else "closed"


def escalate_overdue(today: date | None = None) -> int:
    """Items past their deadline and not closed go, once, to the unit head and the
    evaluators."""
    today = today or timezone.localdate()
    overdue = (
        RectificationItem.objects.filter(deadline__lt=today, escalated_at=None)
        .exclude(status=Status.CLOSED)
        .select_related("unit", "finding")
    )
    by_unit: dict[int, list[RectificationItem]] = defaultdict(list)
    for item in overdue:
        by_unit[item.unit_id].append(item)
    evaluators = users_with_roles((Role.EVALUATOR,))
    for items in by_unit.values():
        unit = items[0].unit
        heads = list(unit_staff(unit, roles=(Role.UNIT_HEAD,)))
        if not heads and unit.parent_id:
            heads = list(unit_staff(unit.parent, roles=(Role.UNIT_HEAD,)))
        subject = f"{unit.name}：{len(items)} 项整改事项已逾期"
        body = "\n".join(f"· {i.finding}（期限 {i.deadline:%Y-%m-%d}）" for i in items[:50])
        notify([*heads, *evaluators], subject, body, link=reverse("rectification:list"),
               kind="rectification.overdue")  # fmt: skip
        RectificationItem.objects.filter(pk__in=[i.pk for i in items]).update(
            escalated_at=timezone.now()
        )
        for item in items:
            record(None, "rectification.escalate", item, deadline=item.deadline.isoformat())
    return sum(len(items) for items in by_unit.values())


@transaction.atomic
def report_address_change(actor, website, old_url: str, new_url: str, note: str = ""):
    """A unit reports a changed address (002 四(四)). The website's own address follows it
    in the registry; open broken-link items pointing at the old address are re-checked
    against the site as it is now (claimed on the unit's behalf)."""
    if old_url.rstrip("/") == new_url.rstrip("/"):
        raise TransitionError("新旧地址相同")
    effects = []
    if website.url.rstrip("/") == old_url.rstrip("/"):
        website.url = new_url
        website.save(update_fields=["url"])
        effects.append("已更新网站登记地址")
    affected = RectificationItem.objects.filter(
        website=website, status__in=[Status.OPEN, Status.REOPENED], finding__url=old_url
    )
    claimed = affected.update(status=Status.CLAIMED, claimed_at=timezone.now(), claimed_by=actor,
                              note=f"地址已变更为 {new_url}")  # fmt: skip
    if claimed:
        effects.append(f"{claimed} 项相关问题转入复核")
    change = AddressChange.objects.create(
        unit=website.unit, website=website, old_url=old_url, new_url=new_url, note=note,
        reported_by=actor, effect="；".join(effects) or "已登记",
    )  # fmt: skip
    record(actor, "rectification.address_change", change, old=old_url, new=new_url)
    return change
