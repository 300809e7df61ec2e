from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _

from govsite.accounts.access import restrict_to_visible
from govsite.core.audit import ReadOnlyAdmin
from govsite.monitoring.models import ProbeResult


@admin.register(ProbeResult)
class ProbeResultAdmin(ReadOnlyAdmin):
    """Read-only: probe rows are the evidence of a veto; only the prober writes them."""

    list_display = ["at", "website", "ok", "status", "seconds", "error"]
    list_filter = ["ok", "error", "website__unit__category", "at"]
    search_fields = ["website__name", "website__url", "website__unit__name", "error"]
    date_hierarchy = "at"
    list_select_related = ["website"]
    list_per_page = 100
    show_full_result_count = False  # COUNT(*) over a year of probes on every page is wasted
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}  # Django 6 default

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return restrict_to_visible(request.user, queryset, "website__unit")

    @admin.display(description=_("耗时（秒）"), ordering="elapsed")
    def seconds(self, probe):
        return f"{probe.elapsed:.2f}"
