"""The rectification loop (W7): each finding of a published run becomes an item the unit
must fix by a working-day deadline; govsite re-checks what the unit says it fixed."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RectificationItem(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("待整改")
        CLAIMED = "claimed", _("已报整改，待复核")
        CLOSED = "closed", _("复核通过，已销号")
        REOPENED = "reopened", _("复核未通过，重新整改")

    finding = models.OneToOneField(
        "evaluations.Finding", on_delete=models.PROTECT, related_name="rectification"
    )
    website = models.ForeignKey(
        "registry.Website", verbose_name=_("网站"), on_delete=models.PROTECT,
        related_name="rectification_items",
    )  # fmt: skip
    unit = models.ForeignKey(
        "registry.Unit", verbose_name=_("单位"), on_delete=models.PROTECT,
        related_name="rectification_items",
    )  # fmt: skip
    deadline = models.DateField(_("整改期限"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices,
                              default=Status.OPEN, db_index=True)  # fmt: skip
    note = models.TextField(_("整改说明"), blank=True)
    claimed_at = models.DateTimeField(_("报整改时间"), null=True, blank=True)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("报整改人"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    checked_at = models.DateTimeField(_("复核时间"), null=True, blank=True)
    check_result = models.CharField(_("复核结果"), max_length=300, blank=True)
    checks = models.PositiveSmallIntegerField(_("复核次数"), default=0)
    escalated_at = models.DateTimeField(_("逾期上报时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["deadline", "id"]
        verbose_name = _("整改事项")
        verbose_name_plural = _("整改事项")

    def __str__(self) -> str:
        return f"{self.unit} {self.finding}"

    @property
    def is_done(self) -> bool:
        return self.status == self.Status.CLOSED


class AddressChange(models.Model):
    """A unit reports that a service address or link changed (002 四(四)); the registry
    and the link checks follow it."""

    unit = models.ForeignKey("registry.Unit", verbose_name=_("单位"), on_delete=models.PROTECT)
    website = models.ForeignKey(
        "registry.Website", verbose_name=_("网站"), on_delete=models.PROTECT,
        related_name="address_changes",
    )  # fmt: skip
    old_url = models.URLField(_("原地址"), max_length=2000)
    new_url = models.URLField(_("新地址"), max_length=2000)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("报告人"), on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    reported_at = models.DateTimeField(_("报告时间"), auto_now_add=True)
    effect = models.CharField(_("处理结果"), max_length=300, blank=True)

    class Meta:
        ordering = ["-reported_at"]
        verbose_name = _("地址变更报告")
        verbose_name_plural = _("地址变更报告")

    def __str__(self) -> str:
        return f"{self.old_url} → {self.new_url}"
