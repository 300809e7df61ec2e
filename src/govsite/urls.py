from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from govsite.core import views as core_views
from govsite.evaluations import views as evaluation_views
from govsite.registry.api import UnitViewSet, WebsiteViewSet

admin.site.site_header = "govsite 政府网站监管与网民留言平台"
admin.site.site_title = "govsite 管理后台"
admin.site.index_title = "管理后台"

router = DefaultRouter()
router.register("registry/units", UnitViewSet, basename="unit")
router.register("registry/websites", WebsiteViewSet, basename="website")

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("registry/", include("govsite.registry.urls")),
    path("evaluations/", include("govsite.evaluations.urls")),
    path("results/", evaluation_views.public_results, name="public_results"),
    path("results/<int:pk>/", evaluation_views.public_results, name="public_results_run"),
    path("assessments/", include("govsite.assessments.urls")),
    path("rectification/", include("govsite.rectification.urls")),
    path("notifications/", include("govsite.notifications.urls")),
    path("messages/stats/", include("govsite.messaging.stats_urls")),
    path("messages/", include("govsite.messaging.urls")),
    path("admin/", admin.site.urls),
    path("api/messages/", include("govsite.messaging.api_urls")),
    path("api/", include(router.urls)),
    path("open311/v2/", include("govsite.messaging.open311_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("captcha/", include("captcha.urls")),
]
