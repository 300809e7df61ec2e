from django.contrib import admin

from govsite.core.audit import ReadOnlyAdmin
from govsite.rectification.models import AddressChange, RectificationItem


@admin.register(RectificationItem)
class RectificationItemAdmin(ReadOnlyAdmin):
    list_display = ["unit", "finding", "deadline", "status", "checked_at"]
    list_filter = ["status"]


@admin.register(AddressChange)
class AddressChangeAdmin(ReadOnlyAdmin):
    list_display = ["website", "old_url", "new_url", "reported_by", "reported_at"]
