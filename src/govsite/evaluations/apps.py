from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationsConfig(AppConfig):
    name = "govsite.evaluations"
    verbose_name = _("网站检查结果")
