"""A unit user sees only its own unit's data; a unit head sees its subtree; the offices
that oversee everything see everything (M6 groundwork). Proven both ways."""

import pytest

from govsite.accounts.access import can_see_unit, restrict_to_visible, visible_units
from govsite.registry.models import Website


def codes(user):
    return set(visible_units(user).values_list("code", flat=True))


ALL = {"C0", "D1", "D2", "X1", "X1T1", "X1T2"}


@pytest.mark.parametrize("who", ["admin", "superuser", "evaluator", "supervisor", "leader"])
def test_overseeing_roles_see_every_unit(personas, who):
    assert codes(getattr(personas, who)) == ALL


def test_unit_staff_sees_only_its_own_unit(personas, tree):
    assert codes(personas.edu_officer) == {"D1"}
    assert can_see_unit(personas.edu_officer, tree.edu)
    assert not can_see_unit(personas.edu_officer, tree.fin)
    assert not can_see_unit(personas.edu_officer, tree.city)


def test_other_units_staff_cannot_see_the_first_unit(personas, tree):
    assert not can_see_unit(personas.fin_officer, tree.edu)
    assert "D1" not in codes(personas.fin_officer)


def test_county_head_sees_the_county_and_its_townships(personas, tree):
    assert codes(personas.county_head) == {"X1", "X1T1", "X1T2"}
    assert can_see_unit(personas.county_head, tree.town2)
    assert not can_see_unit(personas.county_head, tree.edu)


def test_county_staff_without_head_role_sees_only_the_county_itself(personas, tree):
    assert codes(personas.county_officer) == {"X1"}
    assert not can_see_unit(personas.county_officer, tree.town1)


def test_township_staff_cannot_look_up_to_the_county(personas, tree):
    assert codes(personas.town_officer) == {"X1T1"}
    assert not can_see_unit(personas.town_officer, tree.county)


def test_expert_outsider_and_anonymous_see_no_unit(personas):
    from django.contrib.auth.models import AnonymousUser

    for user in (personas.expert, personas.outsider, AnonymousUser()):
        assert codes(user) == set()


def test_inactive_user_sees_nothing(personas):
    personas.edu_officer.is_active = False
    personas.edu_officer.save()
    assert codes(personas.edu_officer) == set()


def test_widest_role_wins_when_a_user_holds_several(tree, user_factory):
    from govsite.accounts.roles import Role

    user = user_factory("both", [Role.UNIT_STAFF, Role.UNIT_HEAD], tree.county)
    assert codes(user) == {"X1", "X1T1", "X1T2"}


def test_restrict_to_visible_filters_any_related_queryset(personas):
    urls = set(
        restrict_to_visible(personas.edu_officer, Website.objects.all(), "unit").values_list(
            "url", flat=True
        )
    )
    assert urls == {"https://jyj.shifan.example/"}
    county_urls = restrict_to_visible(personas.county_head, Website.objects.all(), "unit")
    assert set(county_urls.values_list("url", flat=True)) == {"https://qs.shifan.example/"}
    assert restrict_to_visible(personas.evaluator, Website.objects.all(), "unit").count() == 4
