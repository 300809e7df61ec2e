from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "govsite.core"
    verbose_name = _("平台")

    def ready(self) -> None:
        # Bind shared tasks to our Celery app whichever process started Django.
        from govsite.celery import app  # noqa: F401
