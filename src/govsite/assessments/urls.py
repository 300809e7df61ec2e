from django.urls import path

from govsite.assessments import views

app_name = "assessments"
urlpatterns = [
    path("public/", views.public_index, name="public"),
    path("public/<int:website_pk>/", views.public_rate, name="public_rate"),
    path("expert/", views.worklist, {"source": "expert"}, name="expert"),
    path("expert/<int:website_pk>/", views.score_form, {"source": "expert"}, name="expert_score"),
    path("manual/", views.worklist, {"source": "manual"}, name="manual"),
    path("manual/<int:website_pk>/", views.score_form, {"source": "manual"}, name="manual_score"),
]
