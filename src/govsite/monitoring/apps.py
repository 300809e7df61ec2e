from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "govsite.monitoring"
    verbose_name = _("可用性监测")
