"""One way to write the audit trail, used by views, admin, imports and commands."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models

from govsite.core.models import AuditEntry


def record(
    actor, action: str, target: models.Model | None = None, reason: str = "", **detail: Any
) -> AuditEntry:
    """Write one audit row. ``actor`` may be None for system jobs."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEntry.objects.create(
        actor=user,
        action=action,
        target_type=target._meta.label if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_repr=str(target)[:200] if target is not None else "",
        reason=reason,
        detail=detail,
    )


class AuditedAdmin(admin.ModelAdmin):
    """Admin whose every add and change writes an audit row, and which never deletes:
    records are deactivated instead (set ``allow_delete = True`` where deletion is a
    normal correction, e.g. a mistyped calendar override; it is audited too)."""

    allow_delete = True

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        changed = form.changed_data if change else []
        record(request.user, "admin.change" if change else "admin.add", obj, fields=changed)

    def delete_model(self, request, obj):
        record(request.user, "admin.delete", obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            record(request.user, "admin.delete", obj)
        super().delete_queryset(request, queryset)

    def has_delete_permission(self, request, obj=None):
        return self.allow_delete and super().has_delete_permission(request, obj)


class NoDeleteAdmin(AuditedAdmin):
    allow_delete = False


class ReadOnlyAdmin(admin.ModelAdmin):
    """Evidence and audit rows: shown in the admin, never added, edited or deleted there."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
