"""Demo accounts, one per role, attached to demo units so isolation can be seen."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from govsite.accounts.models import RoleAssignment, StaffProfile
from govsite.accounts.roles import Role
from govsite.registry.models import Unit


@dataclass(frozen=True)
class DemoAccount:
    username: str
    full_name: str
    role: Role
    unit_code: str | None
    note: str


DEMO_ACCOUNTS = [
    DemoAccount("admin", "系统管理员", Role.ADMINISTRATOR, None, "全部权限，含管理后台"),
    DemoAccount("pinggu", "考核办 李评估", Role.EVALUATOR, "SF000", "查看全部单位"),
    DemoAccount("zhuanjia", "特邀专家 王专家", Role.EXPERT, None, "只看被指派的网站"),
    DemoAccount("jiaoyu", "市教育局 张干事", Role.UNIT_STAFF, "SF102", "只看市教育局"),
    DemoAccount("qingshan", "青山县 陈县长", Role.UNIT_HEAD, "SF305", "看青山县及其乡镇、部门"),
    DemoAccount("chengguan", "青山县城关镇 刘干事", Role.UNIT_STAFF, "SF305T01", "只看城关镇"),
    DemoAccount("duchashi", "市政府督查室 赵主任", Role.SUPERVISION, "SF000", "查看全部单位"),
    DemoAccount("xinxiban", "市信息化办 孙主任", Role.INFORMATION, "SF000", "查看全部单位"),
    DemoAccount("shizhang", "示范市市长", Role.LEADER, "SF000", "查看全部单位"),
]


@transaction.atomic
def create_demo_accounts(password: str) -> list[DemoAccount]:
    """Create (or reset the password of) every demo account."""
    User = get_user_model()
    for account in DEMO_ACCOUNTS:
        user, _ = User.objects.get_or_create(username=account.username)
        user.set_password(password)
        user.is_active = True
        user.is_staff = account.role == Role.ADMINISTRATOR
        user.is_superuser = account.role == Role.ADMINISTRATOR
        user.save()
        unit = Unit.objects.get(code=account.unit_code) if account.unit_code else None
        profile, _ = StaffProfile.objects.update_or_create(
            user=user, defaults={"unit": unit, "full_name": account.full_name}
        )
        RoleAssignment.objects.get_or_create(profile=profile, role=account.role)
    return DEMO_ACCOUNTS
