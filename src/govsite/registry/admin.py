from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from govsite.accounts.access import restrict_to_visible, visible_units
from govsite.core.audit import NoDeleteAdmin
from govsite.registry.models import Unit, UnitCategory, Website


class WebsiteInline(admin.TabularInline):
    model = Website
    extra = 0
    fields = ["name", "url", "site_code", "icp_number", "is_active"]
    can_delete = False


@admin.register(UnitCategory)
class UnitCategoryAdmin(NoDeleteAdmin):
    list_display = ["name", "code", "order", "has_public_services"]
    list_editable = ["order"]


@admin.register(Unit)
class UnitAdmin(NoDeleteAdmin):
    list_display = [
        "indented_name",
        "code",
        "category",
        "responsible_person",
        "responsible_phone",
        "website_count",
        "is_active",
    ]
    list_filter = ["category", "is_active", "depth"]
    search_fields = ["name", "code", "responsible_person"]
    autocomplete_fields = ["parent"]
    inlines = [WebsiteInline]
    list_per_page = 100

    def get_queryset(self, request):
        return visible_units(request.user).prefetch_related("websites")

    @admin.display(description=_("单位名称"), ordering="path")
    def indented_name(self, unit):
        return ("　" * unit.depth) + unit.name

    @admin.display(description=_("网站数"))
    def website_count(self, unit):
        return len(unit.websites.all())


@admin.register(Website)
class WebsiteAdmin(NoDeleteAdmin):
    list_display = ["name", "url", "unit", "site_code", "icp_number", "is_active"]
    list_filter = ["is_active", "unit__category"]
    search_fields = ["name", "url", "site_code", "unit__name"]
    autocomplete_fields = ["unit"]

    def get_queryset(self, request):
        return restrict_to_visible(request.user, super().get_queryset(request), "unit")
