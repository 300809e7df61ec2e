"""/api/messages/… (mounted before the DRF router in govsite.urls)."""

from django.urls import path, re_path

from govsite.messaging import api

NUMBER = r"(?P<number>[0-9A-Za-z-]{1,24})"

urlpatterns = [
    path("", api.IntakeView.as_view(), name="api-messages-intake"),
    path("captcha/", api.CaptchaView.as_view(), name="api-messages-captcha"),
    path("status/", api.StatusView.as_view(), name="api-messages-status"),
    path("public/", api.PublicListView.as_view(), name="api-messages-public"),
    re_path(
        rf"^public/{NUMBER}/$", api.PublicDetailView.as_view(), name="api-messages-public-detail"
    ),
    path("stats/", api.StatsView.as_view(), name="api-messages-stats"),
    path("staff/", api.StaffListView.as_view(), name="api-messages-staff"),
    re_path(rf"^staff/{NUMBER}/$", api.StaffDetailView.as_view(), name="api-messages-staff-detail"),
    re_path(
        rf"^staff/{NUMBER}/transition/$",
        api.TransitionView.as_view(),
        name="api-messages-transition",
    ),  # fmt: skip
    re_path(rf"^{NUMBER}/rate/$", api.RateView.as_view(), name="api-messages-rate"),
]
