"""site_unreachable: the home page cannot be fetched after retries (站点无法访问 evidence;
the veto itself comes from the week of availability probes)."""

from govsite.checks.base import Check, SiteContext


class Unreachable(Check):
    codes = ("site_unreachable",)

    def findings(self, site: SiteContext) -> list[dict]:
        if site.state == "failed" or site.probe_error:
            return [{"code": "site_unreachable", "evidence": {"error": site.probe_error}}]
        return []
