"""Thin views over stored evaluation results; every query is filtered by what the user may see."""

from collections import Counter

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render

from govsite.accounts.access import restrict_to_visible
from govsite.evaluations.labels import describe
from govsite.evaluations.models import CODE_LABELS, EvaluationRun, Finding, SiteEvaluation
from govsite.pages.decode import decode_html


def visible_sites(user):
    return restrict_to_visible(user, SiteEvaluation.objects.all(), "website__unit")


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
    counts = Counter(
        Finding.objects.filter(site__in=sites).values_list("site_id", "code").iterator()
    )
    codes = [code for code in CODE_LABELS if any(c == code for (_, c) in counts)]
    rows = [(site, [counts.get((site.pk, code), 0) for code in codes]) for site in sites]
    return render(request, "evaluations/run_detail.html", {
        "run": run, "rows": rows, "codes": [(c, CODE_LABELS[c]) for c in codes],
        "totals": Counter(code for (_, code) in counts.elements()),
    })  # fmt: skip


@login_required
def site_detail(request, pk: int):
    site = get_object_or_404(visible_sites(request.user).select_related("run"), pk=pk)
    findings = [(f, describe(f)) for f in site.findings.select_related("snapshot")]
    return render(request, "evaluations/site_detail.html", {"site": site, "findings": findings})


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
