from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "govsite.assessments"
    verbose_name = _("专家、人工与公众评议")
