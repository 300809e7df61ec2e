"""Django-free asyncio crawler and link checker for government websites.

Public API::

    from govsite.crawler import CrawlSettings, crawl_site, crawl_sites, fetch_sync

    crawl = asyncio.run(crawl_site("http://www.example.gov.cn/", CrawlSettings(), "jobs/42"))
    for page in crawl.pages(): ...
    for target in crawl.checked(): ...

Modules (one concern each): ``settings`` (every tunable), ``http`` (the one HTTP client),
``retry`` (reasons, transient vs permanent, backoff), ``throttle`` (politeness), ``robots``,
``urls`` (normalisation, keys), ``scope`` (internal/external, trap bounds), ``links``
(extraction), ``decode`` (charsets), ``store`` (job database, resumable frontier),
``evidence`` (content-addressed bodies), ``results`` (reading a crawl back), ``crawl`` (the loop).
"""

from .crawl import (
    ExtraUrls,
    LinkExtractor,
    ProgressCallback,
    crawl_site,
    crawl_sites,
    resolve_deferred,
)
from .evidence import load_evidence
from .http import FetchResult, HttpClient, fetch_sync
from .links import Link, extract_links
from .results import CheckRecord, FoundLink, PageRecord, SiteCrawl, load_crawl
from .settings import USER_AGENT, CrawlSettings
from .stats import Stats

__all__ = [
    "USER_AGENT",
    "CheckRecord",
    "CrawlSettings",
    "ExtraUrls",
    "FetchResult",
    "FoundLink",
    "HttpClient",
    "Link",
    "LinkExtractor",
    "PageRecord",
    "ProgressCallback",
    "SiteCrawl",
    "Stats",
    "crawl_site",
    "crawl_sites",
    "extract_links",
    "fetch_sync",
    "load_crawl",
    "load_evidence",
    "resolve_deferred",
]
