"""The shape every check has: it sees each crawled page and checked target once, then
reports findings. One pass over a crawl feeds all checks, so memory stays flat."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from govsite.checks.config import CheckConfig
from govsite.crawler.results import CheckRecord, PageRecord


@dataclass
class SiteContext:
    """What a check may know about the site besides its pages."""

    name: str
    start_url: str
    today: date
    config: CheckConfig
    state: str  # finished | failed | running (the crawler's word)
    probe_error: str | None
    home: PageRecord | None = None  # the start page, once seen
    frames: list[PageRecord] = field(default_factory=list)  # pages the home page frames


class Check:
    """Subclasses set ``codes`` and override what they need."""

    codes: tuple[str, ...] = ()

    def see_page(self, page: PageRecord, site: SiteContext) -> None:
        """Called once per crawled internal page, in discovery order."""

    def see_target(self, target: CheckRecord, site: SiteContext) -> None:
        """Called once per checked (not followed) link target."""

    def findings(self, site: SiteContext) -> list[dict]:
        return []


def evidence_of(page: PageRecord) -> dict:
    """What a finding about a page carries as proof (B4): status, time, stored snapshot."""
    out = {"status": page.status, "fetched_at": page.fetched_at}
    if page.body_sha256:
        out["snapshot"] = page.body_sha256
    if page.error:
        out["error"] = page.error
    return out


def days_old(when: str | None, today: date) -> int | None:
    return None if when is None else (today - date.fromisoformat(when)).days
