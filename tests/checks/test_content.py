"""Each check, on the case it exists for and on the case it must leave alone."""

from govsite.checks.content import ForbiddenExpressions, GuideIncomplete, MixedContent

from .conftest import HOME, page, run


def test_guide_missing_elements_are_listed(site):
    guide = page(f"{HOME}bszn/1.html", facts={"guide_missing": ["fees", "phone"]})
    [finding] = run(GuideIncomplete(), site(), pages=[guide])
    assert finding["missing"] == ["fees", "phone"]


def test_forbidden_expressions_name_the_correct_form(site):
    article = page(f"{HOME}a.html", facts={"forbidden": [["中华人名共和国", "中华人民共和国"]]})
    [finding] = run(ForbiddenExpressions(), site(), pages=[article])
    assert (finding["text"], finding["correct"]) == ("中华人名共和国", "中华人民共和国")


def test_mixed_content_lists_the_insecure_resources(site):
    https_page = page("https://s.gov.cn/a", facts={"mixed": ["http://cdn.example/x.js"]})
    [finding] = run(MixedContent(), site(), pages=[https_page])
    assert finding["resources"] == ["http://cdn.example/x.js"]
