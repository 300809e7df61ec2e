"""/open311/v2/… — Open311 GeoReport v2 (JSON; other formats answer 400)."""

from django.urls import re_path

from govsite.messaging import open311

FMT = r"\.(?P<fmt>[A-Za-z]{1,10})"

urlpatterns = [
    re_path(rf"^services{FMT}$", open311.ServicesView.as_view(), name="open311-services"),
    re_path(rf"^requests{FMT}$", open311.RequestsView.as_view(), name="open311-requests"),
    re_path(
        rf"^requests/(?P<service_request_id>[0-9A-Za-z-]{{1,24}}){FMT}$",
        open311.RequestDetailView.as_view(),
        name="open311-request",
    ),  # fmt: skip
]
