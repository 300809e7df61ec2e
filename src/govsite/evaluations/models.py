"""Evaluation results as stored by the web app: one run = one RESULT.json of
``govsite evaluate``; findings keep their evidence (B4) as content-addressed snapshots
copied out of the crawl job, so a finding can be shown as the page looked when checked."""

from __future__ import annotations

import zlib

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

CODE_LABELS = {
    "site_unreachable": _("站点无法访问"),
    "broken_link": _("链接不可用"),
    "homepage_stale": _("首页长期未更新"),
    "column_stale": _("栏目更新不及时"),
    "column_empty": _("空白栏目"),
    "missing_item": _("缺少必设栏目或功能"),
    "guide_incomplete": _("办事指南要素不全"),
    "messages_overdue": _("留言超期未回复"),
    "no_https": _("未启用 HTTPS"),
    "tls_invalid": _("证书无效或即将过期"),
    "mixed_content": _("HTTPS 页面加载不安全资源"),
    "server_error": _("服务器错误"),
    "slow_page": _("页面响应过慢"),
    "forbidden_expression": _("严重表述错误"),
    "footer_incomplete": _("页脚标识不全"),
}


class EvaluationRun(models.Model):
    """One evaluation of a set of sites under one ruleset and date. Editable (rescored as
    expert, public and manual scores arrive) while a draft; immutable once published: a
    correction is a new run."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已发布")

    created_at = models.DateTimeField(_("导入时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("导入人"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    evaluated_at = models.DateTimeField(_("检查时间"))
    today = models.DateField(_("评估基准日"))
    source = models.CharField(_("结果文件"), max_length=300)
    job_dir = models.CharField(_("抓取作业目录"), max_length=500, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    ruleset = models.CharField(_("指标体系"), max_length=60, blank=True)
    ruleset_name = models.CharField(_("指标体系名称"), max_length=200, blank=True)
    scoring = models.JSONField(_("评分规则摘要"), default=dict, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices,
                              default=Status.DRAFT)  # fmt: skip
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发布人"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip

    class Meta:
        ordering = ["-evaluated_at", "-id"]
        verbose_name = _("检查批次")
        verbose_name_plural = _("检查批次")

    def __str__(self) -> str:
        return f"{self.today:%Y-%m-%d} {self.note or self.source}"

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def deduction_style(self) -> bool:
        """True when the result is the total deducted (lower is better), as in seed 001."""
        return self.scoring.get("style") == "deduction_total"


class SiteEvaluation(models.Model):
    run = models.ForeignKey(EvaluationRun, on_delete=models.PROTECT, related_name="sites")
    website = models.ForeignKey(
        "registry.Website", verbose_name=_("网站"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="evaluations",
    )  # fmt: skip
    name = models.CharField(_("网站名称"), max_length=200)
    url = models.URLField(_("网址"), max_length=500)
    unit_name = models.CharField(_("单位"), max_length=200, blank=True)
    category = models.CharField(_("类别"), max_length=60, blank=True)
    pages_crawled = models.PositiveIntegerField(_("抓取页面数"), default=0)
    links_checked = models.PositiveIntegerField(_("检查链接数"), default=0)
    crawl_state = models.CharField(_("抓取状态"), max_length=20, blank=True)
    crawl_seconds = models.FloatField(_("抓取耗时（秒）"), null=True, blank=True)
    finding_count = models.PositiveIntegerField(_("问题数"), default=0)
    # Scoring (issue 4): filled by evaluations.scoring from the rulebook engine.
    score = models.FloatField(_("得分"), null=True, blank=True)  # null: vetoed or not scored
    passed = models.BooleanField(_("是否合格"), null=True, blank=True)
    deducted = models.FloatField(_("扣分"), null=True, blank=True)
    bonus = models.FloatField(_("加分"), default=0)
    rank = models.PositiveIntegerField(_("排名"), null=True, blank=True)
    vetoes = models.JSONField(_("单项否决"), default=list, blank=True)
    deductions = models.JSONField(_("扣分明细"), default=list, blank=True)
    sources = models.JSONField(_("各评估来源得分"), default=dict, blank=True)
    no_data = models.JSONField(_("暂无数据的指标"), default=list, blank=True)

    class Meta:
        ordering = ["run", "rank", "-finding_count", "name"]
        verbose_name = _("网站检查结果")
        verbose_name_plural = _("网站检查结果")

    def __str__(self) -> str:
        return self.name


class Snapshot(models.Model):
    """A fetched page body, stored once per content hash (zlib-compressed)."""

    sha256 = models.CharField(max_length=64, primary_key=True)
    body = models.BinaryField()
    size = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("页面快照")
        verbose_name_plural = _("页面快照")

    def __str__(self) -> str:
        return self.sha256[:12]

    def content(self) -> bytes:
        return zlib.decompress(bytes(self.body))


class Finding(models.Model):
    site = models.ForeignKey(SiteEvaluation, on_delete=models.PROTECT, related_name="findings")
    code = models.CharField(_("问题类型"), max_length=40, db_index=True)
    url = models.URLField(_("网址"), max_length=2000, blank=True)
    item = models.CharField(_("栏目/功能"), max_length=40, blank=True)
    detail = models.JSONField(_("详情"), default=dict)
    snapshot = models.ForeignKey(Snapshot, null=True, blank=True, on_delete=models.PROTECT)
    # The indicator this finding was deducted under and its share of the points (scoring).
    indicator = models.CharField(_("指标"), max_length=60, blank=True)
    points = models.FloatField(_("扣分"), null=True, blank=True)
    position = models.PositiveIntegerField(default=0)  # index in the site's findings list

    class Meta:
        ordering = ["site", "code", "url", "id"]
        verbose_name = _("发现的问题")
        verbose_name_plural = _("发现的问题")

    def __str__(self) -> str:
        return f"{self.label} {self.url or self.item}"

    @property
    def label(self) -> str:
        return str(CODE_LABELS.get(self.code, self.code))


class Bulletin(models.Model):
    """The 通报 of a run: drafted from the results (govsite.reports.bulletin), edited by the
    evaluator, then published on the public results page with the run."""

    run = models.OneToOneField(EvaluationRun, on_delete=models.PROTECT, related_name="bulletin")
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("正文"))
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("修改人"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip

    class Meta:
        verbose_name = _("考评通报")
        verbose_name_plural = _("考评通报")

    def __str__(self) -> str:
        return self.title
