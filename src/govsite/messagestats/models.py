"""The rollup behind the public ranking (seed 004 art.19): one row per unit and day, and
one per unit and month.

``UnitDay`` and ``UnitMonth`` hold sums; ``MessageTally`` remembers what each message has added to them, so a
later event only moves the difference (a message re-routed to another unit leaves the old
unit's row and joins the new one). Both are derived data: ``rollup.rebuild()`` recomputes
them from the messages at any time, and ``rollup.recount()`` is the definition they must
equal.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

#: The counters, in the order of the vectors in ``rollup`` (flags on MessageTally, sums on
#: UnitDay, where ``received`` is the number of tallies).
COUNTERS = ("replied", "on_time", "timed", "workdays", "rated", "satisfied", "repeats")


class Sums(models.Model):
    """The sums a rollup row holds, per unit and period."""

    unit = models.ForeignKey("registry.Unit", on_delete=models.CASCADE, related_name="+",
                             db_index=False)  # fmt: skip
    received = models.IntegerField(_("留言数"), default=0)
    replied = models.IntegerField(_("已答复"), default=0)
    on_time = models.IntegerField(_("按时答复"), default=0)
    timed = models.IntegerField(_("有办理用时的答复"), default=0)
    workdays = models.IntegerField(_("办理用时合计（工作日）"), default=0)
    rated = models.IntegerField(_("已评价"), default=0)
    satisfied = models.IntegerField(_("满意或基本满意"), default=0)
    repeats = models.IntegerField(_("重复留言"), default=0)

    class Meta:
        abstract = True


class UnitDay(Sums):
    """What the messages a unit is answerable for, received on ``day`` (Asia/Shanghai),
    add up to now."""

    day = models.DateField(_("留言日期"))

    class Meta:
        verbose_name = _("单位每日留言统计")
        verbose_name_plural = _("单位每日留言统计")
        constraints = [models.UniqueConstraint(fields=["unit", "day"], name="one_row_per_unit_day")]
        indexes = [models.Index(fields=["day", "unit"], name="unitday_day_unit")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.day} {self.received}"


class UnitMonth(Sums):
    """The same sums per calendar month (``month`` = its first day), kept alongside
    ``UnitDay`` so a year-long ranking reads ~12 rows per unit instead of ~365."""

    month = models.DateField(_("月份"))

    class Meta:
        verbose_name = _("单位每月留言统计")
        verbose_name_plural = _("单位每月留言统计")
        constraints = [models.UniqueConstraint(fields=["unit", "month"],
                                               name="one_row_per_unit_month")]  # fmt: skip
        indexes = [models.Index(fields=["month", "unit"], name="unitmonth_month_unit")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.month:%Y-%m} {self.received}"


class MessageTally(models.Model):
    """What one message currently adds to ``UnitDay`` (0/1 flags, its working days)."""

    message = models.OneToOneField("messaging.Message", on_delete=models.CASCADE,
                                   primary_key=True, related_name="+")  # fmt: skip
    unit = models.ForeignKey("registry.Unit", on_delete=models.CASCADE, related_name="+",
                             db_index=False)  # fmt: skip
    day = models.DateField()
    replied = models.SmallIntegerField(default=0)
    on_time = models.SmallIntegerField(default=0)
    timed = models.SmallIntegerField(default=0)
    workdays = models.IntegerField(default=0)
    rated = models.SmallIntegerField(default=0)
    satisfied = models.SmallIntegerField(default=0)
    repeats = models.SmallIntegerField(default=0)

    class Meta:
        verbose_name = _("留言统计贡献")
        verbose_name_plural = _("留言统计贡献")

    def __str__(self) -> str:
        return f"{self.message_id} → {self.unit_id} {self.day}"
