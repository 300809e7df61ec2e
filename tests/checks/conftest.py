"""Build crawl records by hand so each check is tested on exactly the case it names."""

from __future__ import annotations

from datetime import date

import pytest

from govsite.checks.base import SiteContext
from govsite.checks.config import CheckConfig
from govsite.crawler.results import CheckRecord, FoundLink, PageRecord

TODAY = date(2025, 11, 20)
HOME = "http://site.gov.cn/"


def page(url=HOME, *, depth=None, status=200, error=None, facts=None, links=(), referrers=(),
         elapsed=0.05) -> PageRecord:  # fmt: skip
    return PageRecord(
        url=url, final_url=url, status=status, content_type="text/html", fetched_at="t",
        depth=(0 if url == HOME else 1) if depth is None else depth, body_sha256="abc",
        error=error, elapsed=elapsed, size=100, truncated=False, redirects=[], headers={},
        encoding="utf-8", facts=facts,
        links=[FoundLink(u, kind, text, "a") for u, kind, text in links],
        referrers=list(referrers),
    )  # fmt: skip


def target(url, *, status=None, error=None, found_on=(HOME,), kind="image", internal=True):
    return CheckRecord(url=url, kind=kind, internal=internal, status=status, error=error,
                       content_type=None, final_url=url, method="HEAD", fetched_at="t",
                       elapsed=0.01, redirects=[], found_on=list(found_on))  # fmt: skip


@pytest.fixture
def site():
    def make(**config) -> SiteContext:
        return SiteContext(name="测试站", start_url=HOME, today=TODAY,
                           config=CheckConfig(**config), state="finished", probe_error=None)  # fmt: skip

    return make


def run(check, site_ctx, pages=(), targets=()):
    for p in pages:
        if p.depth == 0 and site_ctx.home is None:
            site_ctx.home = p
        check.see_page(p, site_ctx)
    for t in targets:
        check.see_target(t, site_ctx)
    return check.findings(site_ctx)
