"""footer_incomplete: the home page footer lacks 网站标识码, ICP备案号, 公安备案 or the 党政机关
badge (国办发〔2017〕47号: shown at the bottom of every page). A frameset home page is judged
by the frames it shows."""

from govsite.checks.base import Check, SiteContext, evidence_of

PARTS = ("site_code", "icp", "police_record", "party_gov_badge")


class FooterIncomplete(Check):
    codes = ("footer_incomplete",)

    def findings(self, site: SiteContext) -> list[dict]:
        if site.home is None or site.home.facts is None:
            return []
        shown = [p.facts.get("footer") or {} for p in [site.home, *site.frames] if p.facts]
        missing = [part for part in PARTS if not any(f.get(part) for f in shown)]
        if not missing:
            return []
        return [{"code": "footer_incomplete", "url": site.home.url, "missing": missing,
                 "evidence": evidence_of(site.home)}]  # fmt: skip
