"""One row per access of a home page: the evidence behind 站点无法访问. Never deleted."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from govsite.registry.models import Website


class ProbeResult(models.Model):
    website = models.ForeignKey(
        Website, verbose_name=_("网站"), on_delete=models.PROTECT, related_name="probes"
    )
    at = models.DateTimeField(_("探测时间"), db_index=True)
    ok = models.BooleanField(_("可访问"))
    status = models.PositiveSmallIntegerField(_("HTTP 状态码"), null=True, blank=True)
    elapsed = models.FloatField(_("耗时（秒）"))
    error = models.CharField(_("失败原因"), max_length=60, blank=True)
    # The address actually probed: a website's URL may change later, the evidence may not.
    url = models.URLField(_("探测地址"), max_length=500, blank=True)
    final_url = models.URLField(_("最终地址"), max_length=2048, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("首页探测记录")
        verbose_name_plural = _("首页探测记录")
        # availability() reads one website's week: (website, at) serves it with an index range.
        indexes = [models.Index(fields=["website", "at"], name="monitoring_probe_site_at")]

    def __str__(self) -> str:
        state = _("可访问") if self.ok else (self.error or _("失败"))
        return f"{self.website.name} {timezone.localtime(self.at):%Y-%m-%d %H:%M} {state}"
