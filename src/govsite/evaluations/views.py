"""Thin views over stored evaluation results; every query is filtered by what the user may see."""

from collections import Counter, defaultdict

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from govsite.accounts.access import access_for, has_role
from govsite.accounts.roles import Role
from govsite.core.audit import record
from govsite.evaluations import charts
from govsite.evaluations.bulletins import category_names, draft_for, edited, generated
from govsite.evaluations.documents import run_document
from govsite.evaluations.labels import describe
from govsite.evaluations.models import CODE_LABELS, Bulletin, EvaluationRun, Finding, SiteEvaluation
from govsite.evaluations.scoring import RunPublished, previous_run, publish_run, score_run
from govsite.pages.decode import decode_html
from govsite.reports import report_bytes
from govsite.scoring import list_rulesets, load_ruleset

EVALUATOR_ROLES = (Role.EVALUATOR, Role.ADMINISTRATOR)
# Who reads a run's bulletin before it is published (report to leaders, seed 000 art.12).
BULLETIN_READERS = (*EVALUATOR_ROLES, Role.LEADER, Role.SUPERVISION, Role.INFORMATION)
EXPORTS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


def visible_sites(user):
    """The results of the units the user may see; for an invited expert (who belongs to no
    unit) the websites assigned to them for scoring, so they can read what they score."""
    access = access_for(user)
    condition = access.unit_filter("website__unit")
    if condition is None:
        return SiteEvaluation.objects.all()
    if Role.EXPERT in access.roles:
        from govsite.assessments.models import ExpertAssignment

        assigned = ExpertAssignment.objects.filter(expert=user, is_active=True)
        condition |= Q(website_id__in=assigned.values("website_id"))
    return SiteEvaluation.objects.filter(condition)


def _require_evaluator(user) -> None:
    if not has_role(user, *EVALUATOR_ROLES):
        raise PermissionDenied("只有考核方可以执行此操作")


def ranking_groups(sites, previous: dict[int, SiteEvaluation] | None = None) -> list[dict]:
    """Sites grouped per category in ranking order, with the change since the previous run."""
    names = category_names()
    groups: dict[str, list] = defaultdict(list)
    for site in sites:
        before = (previous or {}).get(site.website_id) if site.website_id else None
        change = None
        if before is not None and before.score is not None and site.score is not None:
            change = round(site.score - before.score, 2)
        groups[site.category].append({"site": site, "before": before, "change": change})
    return [
        {
            "code": code,
            "name": names.get(code, code or "未分类"),
            "rows": sorted(
                rows, key=lambda r: (r["site"].rank is None, r["site"].rank or 0, r["site"].name)
            ),
        }  # fmt: skip
        for code, rows in sorted(groups.items())
    ]


@login_required
def run_list(request):
    runs = (
        EvaluationRun.objects.filter(sites__in=visible_sites(request.user))
        .annotate(site_count=Count("sites", distinct=True))
        .distinct()
    )
    return render(request, "evaluations/run_list.html", {"runs": runs})


@login_required
def run_detail(request, pk: int):
    run = get_object_or_404(EvaluationRun, pk=pk)
    sites = list(visible_sites(request.user).filter(run=run).select_related("website__unit"))
    if not sites:
        raise Http404
    before = previous_run(run)
    previous = {}
    if before is not None:
        previous = {s.website_id: s for s in before.sites.exclude(website=None)}
    counts = Counter(
        Finding.objects.filter(site__in=sites).values_list("site_id", "code").iterator()
    )
    return render(request, "evaluations/run_detail.html", {
        "run": run, "groups": ranking_groups(sites, previous), "previous": before,
        "totals": [(CODE_LABELS[c], n) for c, n in Counter(
            code for (_, code) in counts.elements()).most_common() if c in CODE_LABELS],
        "is_evaluator": has_role(request.user, *EVALUATOR_ROLES),
        "rulesets": [load_ruleset(r) for r in list_rulesets()], "exports": list(EXPORTS),
    })  # fmt: skip


@login_required
@require_POST
def run_score(request, pk: int):
    _require_evaluator(request.user)
    run = get_object_or_404(EvaluationRun, pk=pk)
    ruleset = request.POST.get("ruleset") or None
    if ruleset and ruleset not in list_rulesets():
        messages.error(request, f"未知的指标体系：{ruleset}")
        return redirect("evaluations:run", pk=pk)
    try:
        score_run(run, ruleset, actor=request.user)
        messages.success(request, "已按指标体系重新评分")
    except RunPublished as exc:
        messages.error(request, str(exc))
    return redirect("evaluations:run", pk=pk)


@login_required
@require_POST
def run_publish(request, pk: int):
    _require_evaluator(request.user)
    run = get_object_or_404(EvaluationRun, pk=pk)
    try:
        publish_run(run, request.user)
        messages.success(request, "已发布：结果在公开页面可见，各单位已收到整改事项")
    except RunPublished as exc:
        messages.error(request, str(exc))
    return redirect("evaluations:run", pk=pk)


@login_required
def run_export(request, pk: int, fmt: str):
    if fmt not in EXPORTS:
        raise Http404
    run = get_object_or_404(EvaluationRun, pk=pk)
    sites = visible_sites(request.user).filter(run=run)
    if not sites.exists():
        raise Http404
    document = run_document(run, sites)
    bulletin = None
    if fmt != "xlsx":
        bulletin = generated(run, document=document)
        stored = Bulletin.objects.filter(run=run).first()
        if stored is not None and has_role(request.user, *BULLETIN_READERS):
            bulletin = edited(bulletin, stored)
    body = report_bytes(document, fmt, bulletin=bulletin)
    record(request.user, "evaluations.export", run, format=fmt, sites=len(document["sites"]))
    response = HttpResponse(body, content_type=EXPORTS[fmt])
    response["Content-Disposition"] = (
        f'attachment; filename="govsite-{run.today:%Y%m%d}-{run.pk}.{fmt}"'
    )
    return response


@login_required
def run_dashboard(request, pk: int):
    run = get_object_or_404(EvaluationRun, pk=pk)
    sites = list(visible_sites(request.user).filter(run=run))
    if not sites:
        raise Http404
    website_ids = [s.website_id for s in sites if s.website_id]
    history = visible_sites(request.user).filter(website_id__in=website_ids).select_related("run")
    found = charts.run_charts(run, sites, category_names())
    found.append({"id": "trend", "option_id": "trend-option", "height": 300,
                  "option": charts.runs_trend(history)})  # fmt: skip
    return render(request, "evaluations/dashboard.html", {"run": run, "charts": found})


@login_required
def bulletin(request, pk: int):
    run = get_object_or_404(EvaluationRun, pk=pk)
    if not has_role(request.user, *BULLETIN_READERS):
        raise PermissionDenied
    stored = draft_for(run, request.user)
    if request.method == "POST":
        _require_evaluator(request.user)
        if run.is_published:
            messages.error(request, "检查批次已发布，通报不能再修改")
        else:
            stored.title = request.POST.get("title", "").strip()[:200] or stored.title
            stored.body = request.POST.get("body", "").strip() or stored.body
            stored.updated_by = request.user
            stored.save()
            record(request.user, "evaluations.bulletin.edit", stored)
            messages.success(request, "通报已保存")
        return redirect("evaluations:bulletin", pk=pk)
    return render(request, "evaluations/bulletin.html", {
        "run": run, "bulletin": stored, "is_evaluator": has_role(request.user, *EVALUATOR_ROLES),
    })  # fmt: skip


def indicator_names(ruleset_id: str) -> dict[str, str]:
    if not ruleset_id or ruleset_id not in list_rulesets():
        return {}
    return {i.id: i.name for i in load_ruleset(ruleset_id).indicators}


@login_required
def site_detail(request, pk: int):
    site = get_object_or_404(visible_sites(request.user).select_related("run", "website"), pk=pk)
    findings = [(f, describe(f)) for f in site.findings.select_related("snapshot")
                .order_by("position", "id")]  # fmt: skip
    history = []
    if site.website_id:
        history = list(
            visible_sites(request.user).filter(website_id=site.website_id)
            .select_related("run").order_by("run__today", "run__id")
        )  # fmt: skip
    names = indicator_names(site.run.ruleset)
    for finding, _ in findings:
        finding.indicator_name = names.get(finding.indicator, finding.indicator)
    return render(request, "evaluations/site_detail.html", {
        "site": site, "findings": findings, "history": history,
        "no_data": [names.get(i, i) for i in site.no_data],
        "trend": charts.site_trend(history) if len(history) > 1 else None,
        "unverified": [d for d in site.deductions if d.get("verified") is False],
    })  # fmt: skip


@login_required
def snapshot(request, finding_pk: int):
    """The stored page as it was when checked. Served sandboxed: no script runs, no cookie
    or form of ours is reachable from it, whatever the page contains."""
    finding = get_object_or_404(
        Finding.objects.filter(site__in=visible_sites(request.user)).select_related("snapshot"),
        pk=finding_pk,
    )
    if finding.snapshot is None:
        raise Http404("没有保存该页面的快照")
    # Decoded the way the checks read it (header/meta/detection, GBK as GB18030), sent as UTF-8
    # so the browser shows what the checks saw.
    text, _ = decode_html(finding.snapshot.content())
    response = HttpResponse(text.encode("utf-8"), content_type="text/html; charset=utf-8")
    response["Content-Security-Policy"] = (
        "sandbox; default-src 'none'; img-src * data:; style-src * 'unsafe-inline'"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = (
        f'inline; filename="snapshot-{finding.snapshot.sha256[:12]}.html"'
    )
    return response


# Public results (seed 000 art.11) -------------------------------------------------------


def public_results(request, pk: int | None = None):
    published = EvaluationRun.objects.filter(status=EvaluationRun.Status.PUBLISHED)
    run = get_object_or_404(published, pk=pk) if pk else published.first()
    sites = list(run.sites.all()) if run else []
    return render(request, "evaluations/public_results.html", {
        "run": run, "groups": ranking_groups(sites), "runs": published[:20],
        "bulletin": Bulletin.objects.filter(run=run).first() if run else None,
        "default_ruleset": settings.GOVSITE_DEFAULT_RULESET,
    })  # fmt: skip


@login_required
def ruleset_detail(request, ruleset_id: str | None = None):
    """The rulebook as the engine reads it, with every unconfirmed value flagged."""
    if ruleset_id and ruleset_id not in list_rulesets():
        raise Http404("未知的指标体系")
    ruleset = load_ruleset(ruleset_id or settings.GOVSITE_DEFAULT_RULESET)
    return render(request, "evaluations/ruleset.html", {
        "ruleset": ruleset, "rulesets": [load_ruleset(r) for r in list_rulesets()],
        "unverified": sum(1 for i in ruleset.indicators if not i.verified),
    })  # fmt: skip
