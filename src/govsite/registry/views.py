"""Thin views: parse, authorise, call one domain function, respond."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from govsite.accounts.access import has_role, visible_units
from govsite.accounts.roles import Role
from govsite.registry.models import Website
from govsite.registry.tabular import ImportRejected, export_csv, export_xlsx, import_registry


@login_required
def unit_tree(request):
    units = list(visible_units(request.user).prefetch_related("websites"))
    return render(
        request,
        "registry/unit_tree.html",
        {
            "units": units,
            "website_count": Website.objects.filter(unit__in=units).count(),
            "without_website": sum(1 for u in units if not u.websites.all()),
            "can_import": has_role(request.user, Role.ADMINISTRATOR),
        },
    )


class ImportForm(forms.Form):
    file = forms.FileField(label=_("名录文件（CSV 或 XLSX）"))
    dry_run = forms.BooleanField(label=_("只检查，不写入"), required=False)


@login_required
def import_view(request):
    if not has_role(request.user, Role.ADMINISTRATOR):
        raise PermissionDenied
    context = {"form": ImportForm()}
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        context["form"] = form
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                context["report"] = import_registry(
                    upload.read(),
                    upload.name,
                    actor=request.user,
                    dry_run=form.cleaned_data["dry_run"],
                )
            except ImportRejected as rejected:
                context["rejected"] = rejected
    return render(request, "registry/import.html", context)


@login_required
def export_view(request, fmt: str):
    units = visible_units(request.user)
    stamp = timezone.localdate().strftime("%Y%m%d")
    if fmt == "xlsx":
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        response = HttpResponse(export_xlsx(units), content_type=content_type)
    else:
        response = HttpResponse(export_csv(units), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="registry-{stamp}.{fmt}"'
    return response
