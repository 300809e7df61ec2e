from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessageStatsConfig(AppConfig):
    """Per-unit, per-day tallies of message handling (seed 004 art.19–22), kept current by
    a signal on every ``MessageEvent`` (see ``govsite.messagestats.rollup``)."""

    name = "govsite.messagestats"
    label = "messagestats"
    verbose_name = _("留言办理统计")

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from govsite.messagestats.rollup import on_event_saved
        from govsite.messaging.models import MessageEvent

        post_save.connect(on_event_saved, sender=MessageEvent,
                          dispatch_uid="messagestats.on_event_saved")  # fmt: skip
