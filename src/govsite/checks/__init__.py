"""The automated checks (W3), free of Django: each module holds one small check with the
same shape (``base.Check``); ``run_checks`` feeds a crawl through all of them in one pass.

Finding codes are the output contract of ``govsite evaluate``.
"""

from __future__ import annotations

from datetime import date

from govsite.checks.base import Check, SiteContext
from govsite.checks.broken_links import BrokenLinks
from govsite.checks.config import CheckConfig
from govsite.checks.content import ForbiddenExpressions, GuideIncomplete, MixedContent
from govsite.checks.footer import FooterIncomplete
from govsite.checks.freshness import Columns, HomepageStale
from govsite.checks.items import MissingItems
from govsite.checks.messages import MessagesOverdue
from govsite.checks.server_errors import ServerErrors, SlowPages
from govsite.checks.unreachable import Unreachable
from govsite.crawler.results import PageRecord, SiteCrawl, is_failing

CHECKS: tuple[type[Check], ...] = (
    Unreachable, BrokenLinks, ServerErrors, SlowPages, HomepageStale, Columns,
    MissingItems, GuideIncomplete, MessagesOverdue, ForbiddenExpressions, MixedContent,
    FooterIncomplete,
)  # fmt: skip
# Codes reported outside the crawl pass (TLS is probed per site by govsite.checks.tls).
CODES = tuple(code for check in CHECKS for code in check.codes) + ("no_https", "tls_invalid")

__all__ = ["CHECKS", "CODES", "CheckConfig", "SiteChecks", "run_checks"]


def run_checks(
    crawl: SiteCrawl, name: str, today: date, config: CheckConfig | None = None
) -> list[dict]:
    """All findings for one crawled site, in check order, reading the crawl back."""
    checks = SiteChecks(name, crawl.start_url, today, config)
    checks.read(crawl)
    return checks.finish(crawl)


class SiteChecks:
    """Every check of one site, in two steps that may run in different processes.

    :meth:`read` feeds :meth:`see_page` the pages that work
    (:func:`~govsite.crawler.results.is_failing` false): most of the work, and it needs only
    this site's crawl. :meth:`finish` reads back the failing pages and the checked targets,
    which need their referrers and, in a sharded run, the other shards' answers to the
    checks this crawl deferred to them. Picklable, to pass from one step to the other.
    """

    def __init__(
        self, name: str, start_url: str, today: date, config: CheckConfig | None = None
    ) -> None:
        config = config or CheckConfig()
        self.site = SiteContext(name=name, start_url=start_url, today=today, config=config,
                                state="running", probe_error=None)  # fmt: skip
        self.enabled = [
            cls for cls in CHECKS if not config.enabled or set(cls.codes) & config.enabled
        ]
        self.checks = [cls() for cls in self.enabled]
        self.frames: set[str] = set()

    def read(self, crawl: SiteCrawl) -> None:
        """The first step: every working page of the crawl (no referrers: none needs them)."""
        for page in crawl.pages(referrers_when=is_failing, failing=False):
            self.see_page(page)

    def see_page(self, page: PageRecord) -> None:
        site = self.site
        if site.home is None and page.depth == 0:
            site.home = page
            self.frames = {link.url for link in page.links if link.tag == "frame"}
        elif page.url in self.frames and page.status == 200:
            site.frames.append(page)
        for check in self.checks:
            check.see_page(page, site)

    def finish(self, crawl: SiteCrawl) -> list[dict]:
        site = self.site
        site.start_url, site.state, site.probe_error = (
            crawl.start_url,
            crawl.state,
            crawl.probe_error,
        )
        if site.state == "failed" or site.probe_error:
            return Unreachable().findings(site) if Unreachable in self.enabled else []
        # Only failing pages and targets need to know who links to them (broken_link lists
        # its pages); looking that up for every target was a third of reading a crawl back.
        for page in crawl.pages(referrers_when=is_failing, failing=True):
            self.see_page(page)
        for target in crawl.checked(referrers_when=is_failing):
            for check in self.checks:
                check.see_target(target, site)
        return [finding for check in self.checks for finding in check.findings(site)]
