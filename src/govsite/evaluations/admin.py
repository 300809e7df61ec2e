from django.contrib import admin

from govsite.core.audit import ReadOnlyAdmin
from govsite.evaluations.models import EvaluationRun, Finding, SiteEvaluation


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
