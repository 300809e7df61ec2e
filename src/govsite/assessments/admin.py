from django.contrib import admin

from govsite.assessments.models import ExpertAssignment, IndicatorScore, PublicRating, PublicSurvey
from govsite.core.audit import NoDeleteAdmin, ReadOnlyAdmin


@admin.register(ExpertAssignment)
class ExpertAssignmentAdmin(NoDeleteAdmin):
    list_display = ["year", "expert", "website", "is_active"]
    list_filter = ["year", "is_active"]
    autocomplete_fields = ["website"]


@admin.register(PublicSurvey)
class PublicSurveyAdmin(NoDeleteAdmin):
    list_display = ["year", "title", "opens", "closes", "ruleset"]


@admin.register(IndicatorScore)
class IndicatorScoreAdmin(ReadOnlyAdmin):
    list_display = [
        "website",
        "ruleset",
        "indicator",
        "source",
        "value",
        "entered_by",
        "entered_at",
    ]
    list_filter = ["source", "ruleset"]


@admin.register(PublicRating)
class PublicRatingAdmin(ReadOnlyAdmin):
    list_display = ["survey", "website", "created_at"]
    list_filter = ["survey"]
