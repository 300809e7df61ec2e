"""The two human evaluation sources of seed 000 art.7–9 and the manual indicators of O1.

* Expert tracking (特邀专家跟踪考核): experts are assigned sites and enter, all year, a value
  per ``expert`` indicator of the rulebook; a run takes each indicator's latest entry.
* Manual inspection (O1, seed 003): inspectors enter ``manual`` indicators the same way.
* Public evaluation (网上公众评议): during a yearly window (Q4 by default) anyone rates
  sites on a public page, one response per person and site.

Entries are never edited or deleted: a correction is a newer entry.
"""

from datetime import date

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ExpertAssignment(models.Model):
    expert = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("专家"), on_delete=models.PROTECT,
        related_name="expert_assignments",
    )  # fmt: skip
    website = models.ForeignKey(
        "registry.Website", verbose_name=_("网站"), on_delete=models.PROTECT,
        related_name="expert_assignments",
    )  # fmt: skip
    year = models.PositiveSmallIntegerField(_("年度"))
    is_active = models.BooleanField(_("有效"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        unique_together = [("expert", "website", "year")]
        verbose_name = _("专家分配")
        verbose_name_plural = _("专家分配")

    def __str__(self) -> str:
        return f"{self.year} {self.expert} → {self.website}"


class IndicatorScore(models.Model):
    """One entry of an expert or inspector for one indicator of one site. For a deduction
    indicator the value is the points deducted (0 … the indicator's points); for a bonus
    indicator, the points added."""

    class Source(models.TextChoices):
        EXPERT = "expert", _("特邀专家")
        MANUAL = "manual", _("人工检查")

    website = models.ForeignKey(
        "registry.Website", verbose_name=_("网站"), on_delete=models.PROTECT,
        related_name="indicator_scores",
    )  # fmt: skip
    ruleset = models.CharField(_("指标体系"), max_length=60)
    indicator = models.CharField(_("指标"), max_length=60)
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices)
    value = models.FloatField(_("分值"))
    comment = models.TextField(_("意见"), blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("填报人"), on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    entered_at = models.DateTimeField(_("填报时间"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-entered_at", "-id"]
        indexes = [models.Index(fields=["website", "ruleset", "source", "indicator"])]
        verbose_name = _("指标评分")
        verbose_name_plural = _("指标评分")

    def __str__(self) -> str:
        return f"{self.website} {self.indicator} {self.value}"


def default_opens() -> date:
    return date(date.today().year, 10, 1)


def default_closes() -> date:
    return date(date.today().year, 12, 31)


class PublicSurvey(models.Model):
    """A yearly public evaluation window; its questions are the rulebook's ``public``
    indicators, each answered on a 1–5 scale."""

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    title = models.CharField(_("标题"), max_length=200)
    opens = models.DateField(_("开始日期"), default=default_opens)
    closes = models.DateField(_("结束日期"), default=default_closes)
    ruleset = models.CharField(_("指标体系"), max_length=60)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("网上公众评议")
        verbose_name_plural = _("网上公众评议")

    def __str__(self) -> str:
        return self.title

    def is_open(self, day: date) -> bool:
        return self.opens <= day <= self.closes


class PublicRating(models.Model):
    """One person's answers for one site. ``respondent`` is a keyed hash of the browser's
    random id (no personal data kept); unique per survey and site."""

    survey = models.ForeignKey(PublicSurvey, on_delete=models.PROTECT, related_name="ratings")
    website = models.ForeignKey(
        "registry.Website", verbose_name=_("网站"), on_delete=models.PROTECT,
        related_name="public_ratings",
    )  # fmt: skip
    respondent = models.CharField(max_length=64)
    address = models.CharField(max_length=64, db_index=True)  # keyed hash of the IP address
    answers = models.JSONField(_("评价"))  # indicator id -> 1..5
    comment = models.TextField(_("意见建议"), blank=True, max_length=1000)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "website", "respondent"], name="one_rating_per_person"
            )
        ]
        verbose_name = _("公众评价")
        verbose_name_plural = _("公众评价")

    def __str__(self) -> str:
        return f"{self.survey.year} {self.website}"
