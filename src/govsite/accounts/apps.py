from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "govsite.accounts"
    verbose_name = _("用户与角色")

    def ready(self) -> None:
        from govsite.accounts import groups  # noqa: F401  (connects the signals)
