from django.urls import path

from govsite.rectification import views

app_name = "rectification"
urlpatterns = [
    path("", views.item_list, name="list"),
    path("<int:pk>/claim/", views.claim, name="claim"),
    path("recheck/", views.recheck, name="recheck"),
    path("address/", views.address_change, name="address"),
]
