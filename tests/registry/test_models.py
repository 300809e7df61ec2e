"""Units form a tree of any depth (W1)."""

import pytest
from django.core.exceptions import ValidationError

from govsite.registry.models import Unit, UnitCategory


def test_tree_of_any_depth_has_paths_and_depths(tree):
    assert tree.city.depth == 0
    assert tree.county.depth == 1
    assert tree.town1.depth == 2
    deep = tree.town1
    for level in range(5):
        deep = Unit.objects.create(
            code=f"deep{level}", name=f"村{level}", parent=deep, category=tree.town1.category
        )
    assert deep.depth == 7
    assert deep.is_within(tree.county) and deep.is_within(tree.city)
    assert [u.code for u in deep.ancestors()][:3] == ["C0", "X1", "X1T1"]


def test_subtree_includes_the_unit_and_everything_below(tree):
    codes = set(Unit.objects.subtree_of(tree.county).values_list("code", flat=True))
    assert codes == {"X1", "X1T1", "X1T2"}


def test_moving_a_unit_moves_its_descendants(tree):
    tree.county.parent = tree.edu
    tree.county.save()
    town = Unit.objects.get(pk=tree.town1.pk)
    assert town.path.startswith(Unit.objects.get(pk=tree.edu.pk).path)
    assert town.depth == 3


def test_a_unit_cannot_be_moved_below_itself(tree):
    tree.county.parent = tree.town1
    with pytest.raises(ValidationError):
        tree.county.save()
    assert Unit.objects.get(pk=tree.county.pk).parent_id == tree.city.pk


def test_default_categories_exist_and_can_be_extended(db):
    codes = set(UnitCategory.objects.values_list("code", flat=True))
    assert {"county_portal", "city_department", "directly_affiliated", "township", "other"} <= codes
    UnitCategory.objects.create(code="state_owned", name="国有企业")
    assert UnitCategory.objects.filter(name="国有企业").exists()
