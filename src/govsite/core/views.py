from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render

from govsite.accounts.access import access_for, visible_units
from govsite.registry.models import Website


def home(request):
    context = {}
    if request.user.is_authenticated:
        units = visible_units(request.user)
        context = {
            "unit_count": units.count(),
            "website_count": Website.objects.filter(unit__in=units).count(),
            "access": access_for(request.user),
        }
    return render(request, "core/home.html", context)


def healthz(request):
    """For load balancers and the demo script: the app answers and the database too."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok", "database": connection.vendor})
