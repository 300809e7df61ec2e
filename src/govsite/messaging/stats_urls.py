"""Message statistics (M5), included by the project at ``messages/stats/``. Plain names
(no namespace): ``message_ranking``, ``message_advanced``, ``message_bulletin``,
``message_summary``, ``message_report``."""

from django.urls import path

from govsite.messaging import stats_reports, stats_views

urlpatterns = [
    path("", stats_views.ranking, name="message_ranking"),
    path("advanced/<int:year>/", stats_views.advanced, name="message_advanced"),
    path(
        "bulletin/<int:year>/<int:quarter>/<str:fmt>/",
        stats_reports.bulletin,
        name="message_bulletin",
    ),  # fmt: skip
    path(
        "summary/<int:year>/<int:month>/<str:fmt>/", stats_reports.summary, name="message_summary"
    ),  # fmt: skip
    path("export/", stats_reports.report, name="message_report"),
]
