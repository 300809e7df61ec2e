"""Object-level access: which units' data a user may see. Every view, API and export
that shows unit data filters through these helpers (M6: a unit sees only its own data).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from govsite.accounts.roles import Role, Scope, widest_scope
from govsite.registry.models import Unit


@dataclass(frozen=True)
class Access:
    """What one user may see, worked out once per request."""

    roles: frozenset[str]
    scope: Scope
    unit: Unit | None

    def unit_filter(self, unit_field: str) -> Q | None:
        """A filter on ``unit_field`` (a path to a Unit FK) or None when everything is visible."""
        prefix = f"{unit_field}__" if unit_field else ""
        if self.scope is Scope.ALL:
            return None
        if self.unit is None or self.scope is Scope.NONE:
            return Q(pk__in=[])
        if self.scope is Scope.SUBTREE:
            return Q(**{f"{prefix}path__startswith": self.unit.path})
        return Q(**{f"{prefix}pk": self.unit.pk})


NO_ACCESS = Access(roles=frozenset(), scope=Scope.NONE, unit=None)


def access_for(user) -> Access:
    if user is None or not user.is_authenticated or not user.is_active:
        return NO_ACCESS
    cached = getattr(user, "_govsite_access", None)
    if cached is not None:
        return cached
    if user.is_superuser:
        access = Access(roles=frozenset({Role.ADMINISTRATOR}), scope=Scope.ALL, unit=None)
    else:
        profile = getattr(user, "profile", None)
        if profile is None:
            access = NO_ACCESS
        else:
            roles = profile.role_codes
            access = Access(roles=frozenset(roles), scope=widest_scope(roles), unit=profile.unit)
    user._govsite_access = access
    return access


def has_role(user, *roles: str) -> bool:
    return bool(access_for(user).roles & set(roles))


def visible_units(user) -> QuerySet[Unit]:
    access = access_for(user)
    condition = access.unit_filter("")
    units = Unit.objects.select_related("category", "parent")
    return units if condition is None else units.filter(condition)


def can_see_unit(user, unit: Unit) -> bool:
    access = access_for(user)
    if access.scope is Scope.ALL:
        return True
    if access.unit is None or access.scope is Scope.NONE:
        return False
    if access.scope is Scope.SUBTREE:
        return unit.is_within(access.unit)
    return unit.pk == access.unit.pk


def restrict_to_visible(user, queryset: QuerySet, unit_field: str) -> QuerySet:
    """Filter any queryset to rows whose ``unit_field`` (e.g. ``"unit"`` or
    ``"website__unit"``) lies within what the user may see."""
    access = access_for(user)
    condition = access.unit_filter(unit_field)
    return queryset if condition is None else queryset.filter(condition)


def users_with_roles(roles, unit: Unit | None = None) -> QuerySet:
    """Active users holding any of ``roles`` (in ``unit`` when given): whom a notice goes to."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(is_active=True, profile__roles__role__in=roles)
    if unit is not None:
        users = users.filter(profile__unit=unit)
    return users.distinct()
