"""Staff belong to units and hold one or more roles (M6 groundwork)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from govsite.accounts.roles import UNIT_ROLES, Role


class StaffProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.PROTECT,
        related_name="profile",
    )
    unit = models.ForeignKey(
        "registry.Unit",
        verbose_name=_("所属单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )
    full_name = models.CharField(_("姓名"), max_length=40, blank=True)
    phone = models.CharField(_("手机"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("工作人员")
        verbose_name_plural = _("工作人员")

    def __str__(self) -> str:
        return self.full_name or self.user.get_username()

    @property
    def role_codes(self) -> list[str]:
        return list(self.roles.values_list("role", flat=True))

    def clean(self) -> None:
        if self.pk and self.unit_id is None and set(self.role_codes) & set(UNIT_ROLES):
            raise ValidationError({"unit": _("单位工作人员和单位负责人必须指定所属单位。")})


class RoleAssignment(models.Model):
    profile = models.ForeignKey(StaffProfile, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    granted_at = models.DateTimeField(_("授予时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("角色")
        verbose_name_plural = _("角色")
        constraints = [
            models.UniqueConstraint(fields=["profile", "role"], name="one_assignment_per_role")
        ]

    def __str__(self) -> str:
        return self.get_role_display()
