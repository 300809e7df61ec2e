"""server_error (internal pages answering 5xx) and slow_page (answering slower than the
configured seconds): the site's maintenance (系统维护)."""

from govsite.checks.base import Check, SiteContext, evidence_of
from govsite.crawler.results import PageRecord


class ServerErrors(Check):
    codes = ("server_error",)

    def __init__(self) -> None:
        self.found: list[dict] = []

    def see_page(self, page: PageRecord, site: SiteContext) -> None:
        if page.depth > 0 and page.status is not None and page.status >= 500:
            self.found.append(
                {"code": "server_error", "url": page.url, "evidence": evidence_of(page)}
            )

    def findings(self, site: SiteContext) -> list[dict]:
        return self.found


class SlowPages(Check):
    codes = ("slow_page",)

    def __init__(self) -> None:
        self.found: list[dict] = []

    def see_page(self, page: PageRecord, site: SiteContext) -> None:
        limit = site.config.slow_page_seconds
        if page.elapsed is not None and page.elapsed > limit and page.error is None:
            evidence = evidence_of(page) | {"seconds": round(page.elapsed, 2), "limit": limit}
            self.found.append({"code": "slow_page", "url": page.url, "evidence": evidence})

    def findings(self, site: SiteContext) -> list[dict]:
        return self.found
