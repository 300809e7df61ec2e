from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "govsite.registry"
    verbose_name = _("单位与网站名录")
