from django.contrib import admin

from govsite.core.audit import ReadOnlyAdmin
from govsite.evaluations.models import Bulletin, EvaluationRun, Finding, SiteEvaluation


@admin.register(EvaluationRun)
class EvaluationRunAdmin(ReadOnlyAdmin):
    list_display = ["today", "evaluated_at", "ruleset", "status", "note", "created_by"]


@admin.register(SiteEvaluation)
class SiteEvaluationAdmin(ReadOnlyAdmin):
    list_display = ["name", "run", "unit_name", "rank", "score", "passed", "finding_count"]
    list_filter = ["run", "category"]
    search_fields = ["name", "url", "unit_name"]


@admin.register(Finding)
class FindingAdmin(ReadOnlyAdmin):
    list_display = ["code", "site", "url", "item"]
    list_filter = ["code", "site__run"]
    search_fields = ["url", "site__name"]


@admin.register(Bulletin)
class BulletinAdmin(ReadOnlyAdmin):
    list_display = ["title", "run", "updated_at", "updated_by"]
