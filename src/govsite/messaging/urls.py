from django.urls import path

from govsite.messaging import views_public, views_staff

app_name = "messaging"
urlpatterns = [
    path("", views_public.board, name="board"),
    path("m/<str:number>/", views_public.detail, name="detail"),
    path("write/<slug:slug>/", views_public.write, name="write"),
    path("query/", views_public.query, name="query"),
    path("verify/", views_public.send_contact_code, name="send_code"),
    path("query/rate/", views_public.rate, name="rate"),
    path("staff/", views_staff.inbox, name="inbox"),
    path("staff/route/", views_staff.bulk_route, name="bulk_route"),
    path("staff/m/<str:number>/", views_staff.message, name="staff_detail"),
    path("staff/m/<str:number>/do/", views_staff.act, name="act"),
    path("staff/attachment/<int:pk>/", views_staff.attachment, name="attachment"),
]
