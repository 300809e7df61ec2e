from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RectificationConfig(AppConfig):
    name = "govsite.rectification"
    verbose_name = _("问题整改")
