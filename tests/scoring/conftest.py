from __future__ import annotations

import pytest
import yaml

from govsite.scoring import load_ruleset

CATEGORIES = {
    "county_portal": "县区政府门户网站",
    "city_department": "市政府工作部门",
    "other": "其他",
}


@pytest.fixture
def make_ruleset(tmp_path):
    """Write a small ruleset and load it: ``make_ruleset([indicator, …], **top_fields)``.
    Parts are declared from the indicators (their points summed; null for vetoes)."""
    counter = iter(range(1000))

    def make(indicators: list[dict], **top):
        indicators = [{"verified": False, "notes": "测试", **i} for i in indicators]
        style = top.get("style", "points")
        parts: dict = {}
        for i in indicators:
            if style == "points" and i["kind"] != "veto":
                parts[i["part"]] = parts.get(i["part"], 0) + i["points"]
            else:
                parts.setdefault(i["part"], None)
        data = {"id": "tiny", "name": "测试规则", "style": style}
        if style == "points":
            data |= {"max_points": 100, "pass_mark": 60}
        else:
            data |= {"fail_above": 100}
        data |= {"sources": {"daily": 1.0}, "categories": CATEGORIES, "parts": parts}
        data |= top
        data["indicators"] = indicators
        path = tmp_path / f"tiny-{next(counter)}.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
        return load_ruleset(path)

    return make


@pytest.fixture(scope="session")
def national():
    return load_ruleset("national-2019")


@pytest.fixture(scope="session")
def shanghai():
    return load_ruleset("shanghai-2003")
