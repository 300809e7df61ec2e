"""Administrator-entered holiday arrangements for years chinesecalendar does not know,
and corrections for years it does (M3)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarYear(models.Model):
    """A year whose whole arrangement an administrator has entered as overrides."""

    year = models.PositiveSmallIntegerField(_("年份"), unique=True)
    source = models.CharField(
        _("依据"),
        max_length=200,
        blank=True,
        help_text=_("如：国务院办公厅关于2027年部分节假日安排的通知"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["year"]
        verbose_name = _("已录入年度")
        verbose_name_plural = _("已录入年度")

    def __str__(self) -> str:
        return str(self.year)


class WorkdayOverride(models.Model):
    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(
        _("上班"), help_text=_("勾选表示当天上班（如调休），不勾选表示放假。")
    )
    name = models.CharField(
        _("说明"), max_length=60, blank=True, help_text=_("如：春节、国庆节调休")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("节假日调整")
        verbose_name_plural = _("节假日调整")

    def __str__(self) -> str:
        return f"{self.date} {'上班' if self.is_workday else '放假'} {self.name}"
