"""Each check, on the case it exists for and on the case it must leave alone."""

from govsite.checks.footer import FooterIncomplete

from .conftest import HOME, page, run

FULL_FOOTER = {"site_code": "3201000001", "icp": "苏ICP备1号", "police_record": "苏公网安备1号",
               "party_gov_badge": True}  # fmt: skip


def test_footer_parts_missing_from_the_home_page(site):
    footer = dict(FULL_FOOTER, police_record=None, party_gov_badge=False)
    [finding] = run(FooterIncomplete(), site(), pages=[page(HOME, facts={"footer": footer})])
    assert finding["missing"] == ["police_record", "party_gov_badge"]
    assert run(FooterIncomplete(), site(), pages=[page(HOME, facts={"footer": FULL_FOOTER})]) == []


def test_frameset_home_page_is_judged_by_its_frames(site):
    ctx = site()
    home = page(HOME, facts={"footer": {}})
    ctx.home = home
    ctx.frames = [page(f"{HOME}main.htm", facts={"footer": FULL_FOOTER})]
    assert FooterIncomplete().findings(ctx) == []
