"""broken_link: a page, image, attachment or external link that answers 4xx, times out or
cannot connect. One finding per target, with every page it was found on (服务链接失败).
Internal pages answering 5xx are server_error instead, never both."""

from govsite.checks.base import Check, SiteContext, evidence_of
from govsite.crawler.results import CheckRecord, PageRecord

# Crawler reasons that mean "the link does not work for a visitor".
BROKEN_REASONS = frozenset(
    {"timeout", "reset", "connect", "dns", "tls", "too_many_redirects", "redirect_loop",
     "bad_redirect", "bad_response", "invalid_url"}
)  # fmt: skip


def is_broken(status: int | None, error: str | None) -> bool:
    if error is not None and error.startswith("http_"):
        return True
    return error in BROKEN_REASONS or (status is not None and status >= 400)


class BrokenLinks(Check):
    codes = ("broken_link",)

    def __init__(self) -> None:
        self.found: list[dict] = []

    def see_page(self, page: PageRecord, site: SiteContext) -> None:
        if page.depth == 0 or not page.referrers:
            return  # the home page failing is site_unreachable
        if page.status is not None and page.status >= 500:
            return  # server_error
        if is_broken(page.status, page.error):
            self.found.append(self._finding(page.url, page.referrers, evidence_of(page)))

    def see_target(self, target: CheckRecord, site: SiteContext) -> None:
        if target.error in ("robots", None) and (target.status or 0) < 400:
            return
        if is_broken(target.status, target.error) and target.found_on:
            evidence = {"status": target.status, "error": target.error, "method": target.method,
                        "fetched_at": target.fetched_at, "kind": target.kind,
                        "internal": target.internal}  # fmt: skip
            self.found.append(self._finding(target.url, target.found_on, evidence))

    @staticmethod
    def _finding(url: str, pages: list[str], evidence: dict) -> dict:
        pages = sorted(set(pages))
        return {"code": "broken_link", "url": url, "page": pages[0], "pages": pages,
                "evidence": evidence}  # fmt: skip

    def findings(self, site: SiteContext) -> list[dict]:
        return sorted(self.found, key=lambda f: f["url"])
