"""Read-only REST API of the registry, filtered to what the caller may see."""

from rest_framework import serializers, viewsets

from govsite.accounts.access import restrict_to_visible, visible_units
from govsite.registry.models import Unit, Website


class WebsiteSerializer(serializers.ModelSerializer):
    class Meta:
        model = Website
        fields = ["id", "unit", "name", "url", "site_code", "icp_number", "is_active"]


class UnitSerializer(serializers.ModelSerializer):
    category = serializers.SlugRelatedField(slug_field="code", read_only=True)
    parent_code = serializers.CharField(source="parent.code", default=None, read_only=True)
    websites = WebsiteSerializer(many=True, read_only=True)

    class Meta:
        model = Unit
        fields = [
            "id",
            "code",
            "name",
            "parent",
            "parent_code",
            "category",
            "depth",
            "responsible_person",
            "responsible_phone",
            "responsible_email",
            "is_active",
            "websites",
        ]


class UnitViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = UnitSerializer

    def get_queryset(self):
        return visible_units(self.request.user).prefetch_related("websites")


class WebsiteViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = WebsiteSerializer

    def get_queryset(self):
        return restrict_to_visible(self.request.user, Website.objects.all(), "unit")
