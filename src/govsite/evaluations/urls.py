from django.urls import path

from govsite.evaluations import views

app_name = "evaluations"
urlpatterns = [
    path("", views.run_list, name="runs"),
    path("<int:pk>/", views.run_detail, name="run"),
    path("<int:pk>/score/", views.run_score, name="score"),
    path("<int:pk>/publish/", views.run_publish, name="publish"),
    path("<int:pk>/export.<str:fmt>", views.run_export, name="export"),
    path("<int:pk>/dashboard/", views.run_dashboard, name="dashboard"),
    path("<int:pk>/bulletin/", views.bulletin, name="bulletin"),
    path("site/<int:pk>/", views.site_detail, name="site"),
    path("rulesets/", views.ruleset_detail, name="ruleset_default"),
    path("rulesets/<str:ruleset_id>/", views.ruleset_detail, name="ruleset"),
    path("finding/<int:finding_pk>/snapshot/", views.snapshot, name="snapshot"),
]
