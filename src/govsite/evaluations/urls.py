from django.urls import path

from govsite.evaluations import views

app_name = "evaluations"
urlpatterns = [
    path("", views.run_list, name="runs"),
    path("<int:pk>/", views.run_detail, name="run"),
    path("site/<int:pk>/", views.site_detail, name="site"),
    path("finding/<int:finding_pk>/snapshot/", views.snapshot, name="snapshot"),
]
