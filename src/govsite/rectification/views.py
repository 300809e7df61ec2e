"""The unit's rectification list, claiming an item fixed, the re-check, address changes."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from govsite.accounts.access import has_role, restrict_to_visible
from govsite.accounts.roles import Role
from govsite.evaluations.labels import describe
from govsite.rectification.models import RectificationItem
from govsite.rectification.service import (
    TransitionError,
    claim_fixed,
    recheck_items,
    report_address_change,
)
from govsite.rectification.tasks import recheck_task
from govsite.registry.models import Website

UNIT_ROLES = (Role.UNIT_STAFF, Role.UNIT_HEAD)


def visible_items(user):
    return restrict_to_visible(user, RectificationItem.objects.all(), "unit").select_related(
        "finding__site__run", "website", "unit"
    )


@login_required
def item_list(request):
    items = visible_items(request.user)
    status = request.GET.get("status")
    if status in RectificationItem.Status.values:
        items = items.filter(status=status)
    today = timezone.localdate()
    rows = [(item, describe(item.finding)) for item in items[:500]]
    return render(request, "rectification/list.html", {
        "rows": rows, "today": today, "statuses": RectificationItem.Status.choices,
        "status": status, "can_claim": has_role(request.user, *UNIT_ROLES, Role.ADMINISTRATOR),
        "can_recheck": has_role(request.user, Role.EVALUATOR, Role.ADMINISTRATOR, *UNIT_ROLES),
        "websites": restrict_to_visible(request.user, Website.objects.all(), "unit"),
    })  # fmt: skip


@login_required
@require_POST
def claim(request, pk: int):
    if not has_role(request.user, *UNIT_ROLES, Role.ADMINISTRATOR):
        raise PermissionDenied("只有本单位工作人员可以报整改")
    item = get_object_or_404(visible_items(request.user), pk=pk)
    try:
        claim_fixed(item, request.user, request.POST.get("note", ""))
    except TransitionError as exc:
        messages.error(request, str(exc))
        return redirect("rectification:list")
    result = recheck_task.delay([item.pk])
    if settings.CELERY_TASK_ALWAYS_EAGER:  # in-process: the re-check has run already
        messages.success(request, "已报整改。" + _summary(result.get()))
    else:
        messages.success(request, "已报整改，系统正在后台复核")
    return redirect("rectification:list")


@login_required
@require_POST
def recheck(request):
    if not has_role(request.user, Role.EVALUATOR, Role.ADMINISTRATOR, *UNIT_ROLES):
        raise PermissionDenied
    items = list(visible_items(request.user).filter(status=RectificationItem.Status.CLAIMED))
    counts = recheck_items(items, actor=request.user)
    messages.success(request, _summary(counts))
    return redirect("rectification:list")


def _summary(counts: dict) -> str:
    return (f"复核完成：销号 {counts['closed']} 项，重新整改 {counts['reopened']} 项"
            + (f"，{counts['unknown']} 项暂无法复核" if counts["unknown"] else ""))  # fmt: skip


@login_required
@require_POST
def address_change(request):
    if not has_role(request.user, *UNIT_ROLES, Role.ADMINISTRATOR):
        raise PermissionDenied
    website = get_object_or_404(
        restrict_to_visible(request.user, Website.objects.all(), "unit"),
        pk=request.POST.get("website") or 0,
    )
    old_url, new_url = (
        request.POST.get("old_url", "").strip(),
        request.POST.get("new_url", "").strip(),
    )
    if not (
        old_url.startswith(("http://", "https://")) and new_url.startswith(("http://", "https://"))
    ):
        messages.error(request, "请填写以 http:// 或 https:// 开头的完整地址")
        return redirect("rectification:list")
    try:
        change = report_address_change(request.user, website, old_url, new_url,
                                       request.POST.get("note", "")[:300])  # fmt: skip
        messages.success(request, f"已登记地址变更：{change.effect}")
    except TransitionError as exc:
        messages.error(request, str(exc))
    return redirect("rectification:list")
