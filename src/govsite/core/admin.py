from django.contrib import admin

from govsite.core.audit import ReadOnlyAdmin
from govsite.core.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """Read-only: the trail is evidence."""

    list_display = ["at", "actor", "action", "target_type", "target_repr", "reason"]
    list_filter = ["action", "target_type"]
    search_fields = ["target_repr", "reason", "target_id"]
    date_hierarchy = "at"
