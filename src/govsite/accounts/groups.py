"""Each role is also a Django group carrying the model permissions the admin checks.

Object-level limits (which units) come from ``access.py``; these groups only say which
kinds of records a role may view or edit in the admin. Groups are re-synced after every
migrate, and a role assignment adds or removes the user from its group.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db.models.signals import post_delete, post_migrate, post_save
from django.dispatch import receiver

from govsite.accounts.roles import Role

ALL_OUR_APPS = [
    "core",
    "registry",
    "accounts",
    "workdays",
    "evaluations",
    "monitoring",
    "assessments",
    "rectification",
    "notifications",
    "messaging",
    "auth",
    "authtoken",
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.ADMINISTRATOR: ["*"],
    Role.EVALUATOR: [
        "registry.view_unit",
        "registry.change_unit",
        "registry.add_unit",
        "registry.view_website",
        "registry.change_website",
        "registry.add_website",
        "registry.view_unitcategory",
        # expert assignments and the yearly public evaluation window
        "assessments.view_expertassignment",
        "assessments.add_expertassignment",
        "assessments.change_expertassignment",
        "assessments.view_publicsurvey",
        "assessments.add_publicsurvey",
        "assessments.change_publicsurvey",
        "assessments.view_indicatorscore",
        "evaluations.view_evaluationrun",
        "rectification.view_rectificationitem",
    ],
    Role.INFORMATION: ["registry.view_unit", "registry.view_website"],
    Role.UNIT_HEAD: ["registry.view_unit", "registry.view_website"],
}
STAFF_ROLES = {Role.ADMINISTRATOR, Role.EVALUATOR}  # may open the admin site


def group_name(role: str) -> str:
    return f"role:{role}"


def sync_role_groups() -> None:
    for role, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=group_name(role))
        if perms == ["*"]:
            wanted = Permission.objects.filter(content_type__app_label__in=ALL_OUR_APPS)
        else:
            wanted = [
                perm
                for perm in Permission.objects.select_related("content_type")
                if f"{perm.content_type.app_label}.{perm.codename}" in perms
            ]
        group.permissions.set(wanted)


@receiver(post_migrate)
def _after_migrate(sender, **kwargs):
    # Permissions are created app by app; re-sync after each so "*" misses none.
    if sender.label in ALL_OUR_APPS:
        sync_role_groups()


def _refresh_user(user) -> None:
    roles = set(user.profile.roles.values_list("role", flat=True))
    names = {group_name(r) for r in roles if r in ROLE_PERMISSIONS}
    user.groups.set(Group.objects.filter(name__in=names))
    staff = bool(roles & STAFF_ROLES) or user.is_superuser
    if user.is_staff != staff:
        user.is_staff = staff
        user.save(update_fields=["is_staff"])


@receiver([post_save, post_delete], sender="accounts.RoleAssignment")
def _role_changed(sender, instance, **kwargs):
    _refresh_user(instance.profile.user)
