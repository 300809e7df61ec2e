"""Staff pages (M2, M6): an inbox per role, the message page with its full history and the
actions this person may take, bulk routing for the information office."""

from __future__ import annotations

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from govsite.accounts.access import access_for, has_role, visible_units
from govsite.accounts.roles import Role
from govsite.messaging.models import Attachment, Status
from govsite.messaging.privacy import (
    claimable_messages,
    is_office,
    log_private_read,
    openable_messages,
    sender_view,
    staff_messages,
)
from govsite.messaging.workflow import (
    REPLY_KINDS,
    REVIEWERS,
    NotAllowed,
    WorkflowError,
    available,
    transition,
)
from govsite.registry.models import Unit

OPEN = [Status.ASSIGNED, Status.HANDLING, Status.REPLY_REVIEW]


def tabs_for(user) -> list[tuple[str, str, dict]]:
    """(key, title, filter) of the inbox tabs that apply to this user's roles."""
    roles = access_for(user).roles
    now = timezone.now()
    tabs = []
    if roles & {Role.INFORMATION, Role.ADMINISTRATOR}:
        tabs += [("review", "待审核", {"status": Status.SUBMITTED}),
                 ("route", "待转办", {"status": Status.COLLECTED})]  # fmt: skip
    if roles & {Role.LEADER, Role.ADMINISTRATOR}:
        tabs.append(("leader", "待批示", {"status": Status.WITH_LEADER}))
    if roles & {Role.SUPERVISION, Role.ADMINISTRATOR}:
        tabs += [("supervise", "督办转办", {"status": Status.INSTRUCTED}),
                 ("approve", "待审核答复", {"status": Status.REPLY_REVIEW}),
                 ("extension", "延期申请", {"status": Status.HANDLING,
                                          "extension_reason__gt": "", "extended": False})]  # fmt: skip
    if roles & {Role.UNIT_STAFF, Role.UNIT_HEAD}:
        tabs += [("accept", "待签收", {"status": Status.ASSIGNED}),
                 ("handle", "办理中", {"status": Status.HANDLING}),
                 ("claim", "可认领", {})]  # fmt: skip
    tabs.append(("overdue", "已逾期", {"status__in": OPEN, "due_at__lt": now}))
    tabs.append(("all", "全部", {}))
    return tabs


@login_required
def inbox(request):
    tabs = tabs_for(request.user)
    mine = staff_messages(request.user)
    if not is_office(request.user) and not access_for(request.user).unit:
        raise PermissionDenied("您的账号没有可处理的留言")
    key = request.GET.get("tab") or tabs[0][0]
    current = next((t for t in tabs if t[0] == key), tabs[0])
    if current[0] == "claim":
        mine = claimable_messages(request.user)
    found = (
        mine.filter(**current[2])
        .select_related("unit", "channel")
        .order_by("due_at", "-received_at")
    )
    counts = {k: staff_messages(request.user).filter(**f).count() for k, _, f in tabs
              if k not in ("all", "claim")}  # fmt: skip
    units = (
        visible_units(request.user).filter(is_active=True)
        if has_role(request.user, *REVIEWERS)
        else []
    )
    return render(request, "messaging/inbox.html", {
        "tabs": [(k, title, counts.get(k)) for k, title, _ in tabs], "tab": current[0],
        "rows": found[:200], "now": timezone.now(), "units": units,
        "can_bulk_route": has_role(request.user, *REVIEWERS) and current[0] == "route",
    })  # fmt: skip


@login_required
def message(request, number: str):
    found = get_object_or_404(openable_messages(request.user).select_related(
        "unit", "channel", "reply_unit", "repeat_of"), number=number)  # fmt: skip
    log_private_read(request.user, found, "staff page")
    actions = available(request.user, found)
    unit = access_for(request.user).unit
    subordinates = Unit.objects.filter(parent=found.unit, is_active=True) if found.unit else []
    return render(request, "messaging/staff_detail.html", {
        "message": found, "sender": sender_view(request.user, found),
        "events": found.events.select_related("actor", "unit"), "actions": actions,
        "orders": found.orders.all(), "attachments": found.attachments.only("id", "name", "size"),
        "units": Unit.objects.filter(is_active=True).order_by("path"),
        "subordinates": subordinates, "reply_kinds": REPLY_KINDS, "my_unit": unit,
        "repeats": found.repeats.all()[:20],
    })  # fmt: skip


@login_required
@require_POST
def act(request, number: str):
    found = get_object_or_404(openable_messages(request.user), number=number)
    name = request.POST.get("action", "")
    params = {key: request.POST[key].strip() for key in
              ("reason", "instruction", "text", "kind", "due_workdays", "competent") if request.POST.get(key)}  # fmt: skip
    if request.POST.get("unit"):
        params["unit"] = get_object_or_404(Unit, pk=request.POST["unit"], is_active=True)
    if name == "publish" and request.POST.get("complex"):
        found.complex = True
        found.save(update_fields=["complex"])
    try:
        transition(found, name, request.user, **params)
        flash.success(request, "操作成功")
    except NotAllowed as exc:
        raise PermissionDenied(str(exc)) from None
    except WorkflowError as exc:
        flash.error(request, str(exc))
    if openable_messages(request.user).filter(pk=found.pk).exists():
        return redirect("messaging:staff_detail", number=number)
    return redirect("messaging:inbox")  # routed away from this unit


@login_required
@require_POST
def bulk_route(request):
    if not has_role(request.user, *REVIEWERS):
        raise PermissionDenied
    unit = get_object_or_404(Unit, pk=request.POST.get("unit") or 0, is_active=True)
    numbers = request.POST.getlist("numbers")[:500]
    done, failed = 0, []
    for found in staff_messages(request.user).filter(number__in=numbers):
        try:
            transition(found, "route", request.user, unit=unit)
            done += 1
        except WorkflowError as exc:
            failed.append(f"{found.number}：{exc}")
    flash.success(request, f"已转办 {done} 条至「{unit.name}」")
    for text in failed[:10]:
        flash.error(request, text)
    return redirect("/messages/staff/?tab=route")


@login_required
def attachment(request, pk: int):
    found = get_object_or_404(Attachment.objects.select_related("message"), pk=pk)
    if not staff_messages(request.user).filter(pk=found.message_id).exists():
        raise Http404
    log_private_read(request.user, found.message, "attachment")
    response = HttpResponse(bytes(found.body), content_type="application/octet-stream")
    response["Content-Disposition"] = (
        f'attachment; filename="attachment-{found.pk}{_suffix(found.name)}"'
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _suffix(name: str) -> str:
    return "." + name.rsplit(".", 1)[-1].lower()[:5] if "." in name else ""
