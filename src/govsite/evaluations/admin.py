from django.contrib import admin

from govsite.evaluations.models import EvaluationRun, Finding, SiteEvaluation


class ReadOnlyAdmin(admin.ModelAdmin):
    """Results are evidence: shown in the admin, never edited or deleted there."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(EvaluationRun)
class EvaluationRunAdmin(ReadOnlyAdmin):
    list_display = ["today", "evaluated_at", "source", "note", "created_by"]


@admin.register(SiteEvaluation)
class SiteEvaluationAdmin(ReadOnlyAdmin):
    list_display = ["name", "run", "unit_name", "pages_crawled", "finding_count", "crawl_state"]
    list_filter = ["run", "category"]
    search_fields = ["name", "url", "unit_name"]


@admin.register(Finding)
class FindingAdmin(ReadOnlyAdmin):
    list_display = ["code", "site", "url", "item"]
    list_filter = ["code", "site__run"]
    search_fields = ["url", "site__name"]
