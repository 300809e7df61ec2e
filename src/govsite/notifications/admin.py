from django.contrib import admin

from govsite.core.audit import ReadOnlyAdmin
from govsite.notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["recipient", "subject", "kind", "created_at", "read_at"]
    list_filter = ["kind"]
