"""The roles of govsite and how far each one sees (M6).

A role's *scope* decides which units' data a user may see:
ALL for the offices that oversee every unit, SUBTREE for a unit head (a county head sees
its townships), UNIT for ordinary unit staff, NONE for roles whose access comes from
explicit assignments (experts get assigned sites in the scoring module).
"""

from __future__ import annotations

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("系统管理员")
    EVALUATOR = "evaluator", _("考核方（评估人员）")
    EXPERT = "expert", _("特邀专家")
    UNIT_STAFF = "unit_staff", _("单位工作人员")
    UNIT_HEAD = "unit_head", _("单位负责人")
    SUPERVISION = "supervision", _("督查室")
    INFORMATION = "information", _("信息化办")
    LEADER = "leader", _("市领导")


class Scope(StrEnum):
    ALL = "all"
    SUBTREE = "subtree"
    UNIT = "unit"
    NONE = "none"


ROLE_SCOPE: dict[str, Scope] = {
    Role.ADMINISTRATOR: Scope.ALL,
    Role.EVALUATOR: Scope.ALL,
    Role.SUPERVISION: Scope.ALL,
    Role.INFORMATION: Scope.ALL,
    Role.LEADER: Scope.ALL,
    Role.UNIT_HEAD: Scope.SUBTREE,
    Role.UNIT_STAFF: Scope.UNIT,
    Role.EXPERT: Scope.NONE,
}

# Roles whose work is tied to one unit: a profile with one of these must name the unit.
UNIT_ROLES = {Role.UNIT_STAFF, Role.UNIT_HEAD}

# Ordering used to pick the widest scope when a user holds several roles.
_SCOPE_RANK = {Scope.NONE: 0, Scope.UNIT: 1, Scope.SUBTREE: 2, Scope.ALL: 3}


def widest_scope(roles: list[str]) -> Scope:
    scopes = [ROLE_SCOPE[Role(r)] for r in roles] or [Scope.NONE]
    return max(scopes, key=_SCOPE_RANK.__getitem__)
