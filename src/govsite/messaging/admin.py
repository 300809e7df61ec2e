from django.contrib import admin

from govsite.core.audit import AuditedAdmin, NoDeleteAdmin, ReadOnlyAdmin
from govsite.messaging.models import (
    Channel,
    DeadlinePolicy,
    Message,
    MessageEvent,
    PrivateRead,
    SupervisionOrder,
)


@admin.register(Channel)
class ChannelAdmin(NoDeleteAdmin):
    list_display = ["name", "kind", "unit", "allows_anonymous", "is_active"]
    list_filter = ["kind", "is_active"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(DeadlinePolicy)
class DeadlinePolicyAdmin(AuditedAdmin):
    list_display = ["message_type", "ack_hours", "simple_workdays", "complex_workdays",
                    "extension_workdays", "remind_workdays"]  # fmt: skip


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = ["number", "title", "message_type", "status", "unit", "received_at"]
    list_filter = ["status", "message_type", "source"]
    search_fields = ["number", "title", "external_id"]
    exclude = ["query_code_hash", "sender_key", "sender_address", "idempotency_key"]


@admin.register(MessageEvent)
class MessageEventAdmin(ReadOnlyAdmin):
    list_display = ["message", "at", "action", "actor", "unit"]
    list_filter = ["action"]


@admin.register(SupervisionOrder)
class SupervisionOrderAdmin(ReadOnlyAdmin):
    list_display = ["message", "kind", "leader", "created_at", "due_at", "closed_at"]


@admin.register(PrivateRead)
class PrivateReadAdmin(ReadOnlyAdmin):
    list_display = ["message", "reader", "at", "where"]
