"""Units (被考核方) form a tree of any depth; each has a category, a responsible person
and zero or more websites (W1). A unit without a website is itself a finding later on.

The tree is kept as a materialised path (``/1/7/42/``) so "this unit and everything
below it" is one indexed ``startswith`` query on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _


class UnitCategory(models.Model):
    """Editable list of unit categories (seed 000 art.6: evaluated per category)."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=60, unique=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    has_public_services = models.BooleanField(
        _("对外提供公共服务"),
        default=True,
        help_text=_("不提供公共服务的部门按 75 分折算（国办秘函〔2019〕19号）。"),
    )

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("单位类别")
        verbose_name_plural = _("单位类别")

    def __str__(self) -> str:
        return self.name


class UnitQuerySet(models.QuerySet):
    def subtree_of(self, unit: Unit) -> UnitQuerySet:
        """The unit and every unit below it, at any depth."""
        return self.filter(path__startswith=unit.path)


class Unit(models.Model):
    code = models.CharField(
        _("单位编码"),
        max_length=40,
        unique=True,
        help_text=_("导入导出时用来识别单位，如统一社会信用代码或自定编码。"),
    )
    name = models.CharField(_("单位名称"), max_length=120)
    short_name = models.CharField(_("简称"), max_length=60, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    category = models.ForeignKey(
        UnitCategory, verbose_name=_("单位类别"), on_delete=models.PROTECT, related_name="units"
    )
    responsible_person = models.CharField(_("负责人"), max_length=40, blank=True)
    responsible_title = models.CharField(_("负责人职务"), max_length=60, blank=True)
    responsible_phone = models.CharField(_("负责人电话"), max_length=40, blank=True)
    responsible_email = models.EmailField(_("负责人邮箱"), blank=True)
    is_active = models.BooleanField(
        _("在用"), default=True, help_text=_("撤并的单位停用而不删除，历史数据保留。")
    )
    path = models.CharField(max_length=255, editable=False, db_index=True, default="")
    depth = models.PositiveSmallIntegerField(editable=False, default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        verbose_name = _("单位")
        verbose_name_plural = _("单位")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        with transaction.atomic():
            if self.pk is None:
                old_path = ""
                super().save(*args, **kwargs)  # an id first: the path is made of ids
                kwargs.pop("force_insert", None)
            else:
                old_path = Unit.objects.filter(pk=self.pk).values_list("path", flat=True).first()
            parent_path = "/"
            if self.parent_id:
                parent_path = Unit.objects.values_list("path", flat=True).get(pk=self.parent_id)
                if old_path and parent_path.startswith(old_path):
                    raise ValidationError(_("上级单位不能是本单位或其下级单位。"))
            self.path = f"{parent_path}{self.pk}/"
            self.depth = self.path.count("/") - 2
            super().save(*args, **kwargs)
            if old_path and old_path != self.path:
                self._move_descendants(old_path, self.path)

    def clean(self) -> None:
        if self.parent_id and self.pk:
            if self.parent_id == self.pk or self.parent.path.startswith(self.path):
                raise ValidationError({"parent": _("上级单位不能是本单位或其下级单位。")})

    def _move_descendants(self, old_path: str, new_path: str) -> None:
        for unit in Unit.objects.filter(path__startswith=old_path).exclude(pk=self.pk):
            unit.path = new_path + unit.path[len(old_path) :]
            unit.depth = unit.path.count("/") - 2
            Unit.objects.filter(pk=unit.pk).update(path=unit.path, depth=unit.depth)

    def ancestors(self) -> models.QuerySet[Unit]:
        ids = [int(part) for part in self.path.strip("/").split("/")[:-1] if part]
        return Unit.objects.filter(pk__in=ids).order_by("depth")

    def descendants(self) -> UnitQuerySet:
        return Unit.objects.subtree_of(self).exclude(pk=self.pk)

    def is_within(self, other: Unit) -> bool:
        """True when this unit is ``other`` or lies below it."""
        return self.path.startswith(other.path)


class Website(models.Model):
    unit = models.ForeignKey(
        Unit, verbose_name=_("所属单位"), on_delete=models.PROTECT, related_name="websites"
    )
    name = models.CharField(_("网站名称"), max_length=120)
    url = models.URLField(_("网址"), max_length=500, unique=True)
    site_code = models.CharField(
        _("网站标识码"), max_length=20, blank=True, help_text=_("政府网站标识码，如 3201000001。")
    )
    icp_number = models.CharField(_("ICP备案号"), max_length=60, blank=True)
    is_active = models.BooleanField(_("在用"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["unit__path", "name"]
        verbose_name = _("网站")
        verbose_name_plural = _("网站")

    def __str__(self) -> str:
        return f"{self.name} ({self.url})"
