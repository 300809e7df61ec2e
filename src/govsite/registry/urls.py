from django.urls import path

from govsite.registry import views

app_name = "registry"
urlpatterns = [
    path("", views.unit_tree, name="tree"),
    path("import/", views.import_view, name="import"),
    path("export.<str:fmt>", views.export_view, name="export"),
]
