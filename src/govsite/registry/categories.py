"""The unit categories every installation starts with (seed 000 art.6: units are
evaluated per category). Administrators edit the list in the admin afterwards."""

DEFAULT_CATEGORIES = [
    # code, name, offers public services (those that don't are scored out of 75 × 4/3)
    ("city_portal", "市政府门户网站", True),
    ("county_portal", "县区政府门户网站", True),
    ("city_department", "市政府工作部门", True),
    ("directly_affiliated", "市政府直属机构", True),
    ("township", "乡镇（街道）", True),
    ("county_department", "县区政府部门", True),
    ("other", "其他", False),
]


def ensure_default_categories(category_model) -> None:
    """Create missing default categories; never overwrite an administrator's edits."""
    for order, (code, name, services) in enumerate(DEFAULT_CATEGORIES):
        category_model.objects.get_or_create(
            code=code, defaults={"name": name, "order": order, "has_public_services": services}
        )
