from django.contrib import admin

from govsite.accounts.access import restrict_to_visible
from govsite.accounts.models import RoleAssignment, StaffProfile
from govsite.core.audit import NoDeleteAdmin


class RoleInline(admin.TabularInline):
    model = RoleAssignment
    extra = 1


@admin.register(StaffProfile)
class StaffProfileAdmin(NoDeleteAdmin):
    list_display = ["user", "full_name", "unit", "role_list"]
    search_fields = ["user__username", "full_name", "unit__name"]
    autocomplete_fields = ["unit", "user"]
    inlines = [RoleInline]

    def get_queryset(self, request):
        qs = super().get_queryset(request).prefetch_related("roles")
        return restrict_to_visible(request.user, qs, "unit")

    @admin.display(description="角色")
    def role_list(self, profile):
        return "、".join(r.get_role_display() for r in profile.roles.all())

    def save_formset(self, request, form, formset, change):
        from govsite.core.audit import record

        instances = formset.save()
        for obj in instances:
            record(request.user, "accounts.grant_role", form.instance, role=obj.role)
        for obj in formset.deleted_objects:
            record(request.user, "accounts.revoke_role", form.instance, role=obj.role)
