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
from govsite.crawler.results import SiteCrawl

CHECKS: tuple[type[Check], ...] = (
    Unreachable, BrokenLinks, ServerErrors, SlowPages, HomepageStale, Columns,
    MissingItems, GuideIncomplete, MessagesOverdue, ForbiddenExpressions, MixedContent,
    FooterIncomplete,
)  # fmt: skip
# Codes reported outside the crawl pass (TLS is probed per site by govsite.checks.tls).
CODES = tuple(code for check in CHECKS for code in check.codes) + ("no_https", "tls_invalid")

__all__ = ["CHECKS", "CODES", "CheckConfig", "run_checks"]


def run_checks(
    crawl: SiteCrawl, name: str, today: date, config: CheckConfig | None = None
) -> list[dict]:
    """All findings for one crawled site, in check order."""
    config = config or CheckConfig()
    site = SiteContext(name=name, start_url=crawl.start_url, today=today, config=config,
                       state=crawl.state, probe_error=crawl.probe_error)  # fmt: skip
    enabled = [cls for cls in CHECKS if not config.enabled or set(cls.codes) & config.enabled]
    if site.state == "failed" or site.probe_error:
        return Unreachable().findings(site) if Unreachable in enabled else []
    checks = [cls() for cls in enabled]
    frames: set[str] = set()
    # Only failing pages and targets need to know who links to them (broken_link lists its
    # pages); looking that up for every target was a third of reading the crawl back.
    failing = lambda status, error: bool(error) or (status or 0) >= 400  # noqa: E731
    for page in crawl.pages(referrers_when=failing):
        if site.home is None and page.depth == 0:
            site.home = page
            frames = {link.url for link in page.links if link.tag == "frame"}
        elif page.url in frames and page.status == 200:
            site.frames.append(page)
        for check in checks:
            check.see_page(page, site)
    for target in crawl.checked(referrers_when=failing):
        for check in checks:
            check.see_target(target, site)
    return [finding for check in checks for finding in check.findings(site)]
