"""Every tunable of the crawler in one place (the scrapy ``default_settings`` idea).

Each component reads only the fields it needs; each default carries a comment saying why it is
what it is. Defaults are polite toward government hosts; benchmarks and tests lift or shrink
them with :func:`dataclasses.replace` (see :meth:`CrawlSettings.unthrottled`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

USER_AGENT = (
    "govsite/0.1 (+https://github.com/govsite; website supervision; contact: admin@example.gov.cn)"
)

# File extensions that mark a link as an attachment: checked (HEAD-then-GET), never parsed.
ATTACHMENT_EXTENSIONS = frozenset(
    {
        # documents published by government sites
        "pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "wps", "et", "dps", "ofd", "rtf",
        "txt", "csv", "xml", "odt", "ods", "ceb", "caj",
        # archives and installers
        "zip", "rar", "7z", "gz", "tgz", "bz2", "xz", "tar", "apk", "exe", "msi", "dmg", "iso",
        # media
        "jpg", "jpeg", "png", "gif", "bmp", "webp", "svg", "ico", "tif", "tiff",
        "mp3", "mp4", "avi", "wmv", "flv", "mov", "mkv", "wav", "swf",
    }
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class CrawlSettings:
    # --- identity -------------------------------------------------------------------------
    # Who we are and how to reach us: webmasters of supervised sites must be able to tell.
    user_agent: str = USER_AGENT
    # Token matched against robots.txt ``User-agent:`` lines.
    robots_user_agent: str = "govsite"

    # --- timeouts (http.py) ---------------------------------------------------------------
    # TCP (+TLS) connection set-up; a healthy server answers SYN in well under a second.
    connect_timeout: float = 10.0
    # Longest silence between two reads of one response.
    read_timeout: float = 15.0
    # Whole request of one hop incl. body; this is what stops slow-loris trickles.
    total_timeout: float = 30.0
    # National rule: a home page that does not answer within 15 s is a failed probe. Applies to
    # the start URL as an overall deadline (redirects and retries included).
    home_timeout: float = 15.0

    # --- response limits (http.py) --------------------------------------------------------
    # Cap on the decoded body we keep (after gzip/deflate); streaming stops here. 10 MB is far
    # above any real HTML page (median ~50 KB) and bounds memory per in-flight request.
    max_body_bytes: int = 10 * 1024 * 1024
    # Over the cap: True keeps and parses the first max_body_bytes (recorded as truncated);
    # False drops the body and reports error ``too_large``.
    truncate_large: bool = True
    # A compressed body that hits the cap while inflating more than this ratio is a
    # decompression bomb: body dropped, error ``decompression_bomb``. HTML gzips ~5-15x.
    max_compression_ratio: float = 100.0
    # Redirect hops followed manually (browsers allow ~20; 10 is what scrapy/aiohttp use).
    max_redirects: int = 10
    # Bodies of these media types are read and parsed; other types keep status and headers.
    html_content_types: tuple[str, ...] = ("text/html", "application/xhtml+xml")
    # Unwanted bodies (redirects, non-HTML) up to this size are read and discarded so the
    # keep-alive connection can be reused; bigger ones close the connection instead.
    drain_bytes: int = 64 * 1024

    # --- retries (retry.py) ---------------------------------------------------------------
    # Extra attempts after the first for transient failures only (scrapy RETRY_TIMES = 2).
    retry_times: int = 2
    # HTTP statuses worth retrying: rate limiting and gateway/overload errors.
    retry_http_codes: frozenset[int] = frozenset({429, 502, 503, 504})
    # Exponential backoff: base * 2**(attempt-1) seconds, with +-25 % jitter ...
    retry_backoff_base: float = 0.5
    # ... and never longer than this between two attempts.
    retry_backoff_max: float = 10.0
    # Longest Retry-After (429/503) we wait; a server asking for more is reported, not retried.
    retry_after_max: float = 30.0

    # --- link checks (http.py) ------------------------------------------------------------
    # Check attachments, images and external links with HEAD first (no body transferred).
    check_with_head: bool = True
    # HEAD answers that mean "HEAD not supported here": retry the check with GET.
    head_fallback_codes: frozenset[int] = frozenset({405, 501})
    # Check external links at all (a site crawl without them still checks internal targets).
    check_external: bool = True
    # External hosts whose links are recorded but never requested (e.g. bszs.conac.cn when
    # evaluating offline); matched on the exact host name.
    skip_check_hosts: frozenset[str] = frozenset()
    # Check images, stylesheets and scripts found on pages.
    check_resources: bool = True

    # --- robots.txt (robots.py) -----------------------------------------------------------
    obey_robots: bool = True
    # Also ask robots.txt before checking external links/resources (scrapy does for all).
    robots_for_checks: bool = True
    # robots.txt fetch deadline; on timeout/5xx we allow all and record it.
    robots_timeout: float = 10.0
    # robots.txt bodies beyond this are ignored (RFC 9309 requires parsing >= 500 KiB).
    robots_max_bytes: int = 512 * 1024
    # Honour ``Crawl-delay`` (as the per-host delay) ...
    honour_crawl_delay: bool = True
    # ... up to this many seconds (a site asking for 1 request/minute would take days).
    max_crawl_delay: float = 10.0

    # --- politeness (throttle.py) ---------------------------------------------------------
    # Requests in flight over all hosts (also the aiohttp connection-pool size).
    global_concurrency: int = 64
    # Requests in flight per origin (scheme+host+port): government servers are often small.
    per_host_concurrency: int = 2
    # Minimum gap between request starts to one origin, seconds (~2 req/s per host).
    per_host_delay: float = 0.5
    # Worker coroutines per site; > per_host_concurrency so external checks overlap.
    site_workers: int = 8
    # Sites crawled at once by crawl_sites (each holds its in-memory frontier).
    max_sites_in_flight: int = 32

    # --- scope and bounds (scope.py) ------------------------------------------------------
    # Pages fetched per site (start page included); the rest is recorded as skipped.
    max_pages: int = 10_000
    # Distinct non-page targets (external links, images, attachments) checked per site.
    max_checks: int = 20_000
    # Link distance from the start page beyond which pages are not crawled.
    max_depth: int = 20
    # Longer URLs are skipped (IE's limit was 2083; longer ones are almost always traps).
    max_url_length: int = 2048
    # Same scheme+host+path with more distinct query strings than this: query explosion.
    max_query_variants: int = 1000
    # Same path shape (digit runs collapsed, query values dropped) more often than this.
    max_urls_per_pattern: int = 5000
    # Path with more segments than this is a maze.
    max_path_segments: int = 20
    # A path segment occurring more often than this is a loop: /a/b/a/b/a/b (a, b: 3 times).
    # Dates repeat at most twice (/2024/01/01/).
    max_segment_repeats: int = 2
    # Calendar trap: dates in URLs before this year (Chinese government sites are post-1995) ...
    calendar_min_year: int = 1990
    # ... or more than this many years ahead of the current year.
    calendar_max_years_ahead: int = 2
    # Page links with these extensions are attachments (checked, not crawled).
    attachment_extensions: frozenset[str] = ATTACHMENT_EXTENSIONS

    # --- storage (store.py, evidence.py) --------------------------------------------------
    # Commit the pending rows once this many results are waiting, ...
    commit_every: int = 2000
    # ... this many bytes of compressed bodies (the memory they hold until then), ...
    commit_bytes: int = 8 << 20
    # ... or this many seconds have passed; a SIGKILL loses at most this much work (fetched
    # again on resume). Fewer, larger commits: a 10,000-page crawl's SQLite time fell ~20 %
    # (1.8 vs 2.2 s, fsync waits included) going from ~60 commits to ~15; at ~800 pages/s per
    # process this second is what triggers (~800 results a commit, was 500).
    commit_interval: float = 1.0
    # zstd compression level of stored bodies: see evidence.LEVEL.
    evidence_level: int = 1
    # Keep bodies of error pages (4xx/5xx HTML) as evidence too.
    store_error_bodies: bool = True

    # --- misc -----------------------------------------------------------------------------
    # Seconds between progress callbacks.
    progress_interval: float = 1.0
    # URL-normalisation cache entries (nav links repeat on every page; ~0.5 KB each); cleared
    # when full, a miss costs ~10 us.
    url_cache_size: int = 50_000
    # Check results shared between the sites of one crawl_sites call (www.gov.cn is linked
    # from every site and should be checked once, not 14,000 times); ~1 KB each.
    check_cache_size: int = 20_000

    def replace(self, **changes) -> CrawlSettings:
        return dataclasses.replace(self, **changes)

    def unthrottled(self, concurrency: int = 64) -> CrawlSettings:
        """Politeness lifted, for local benchmarks only (never against real sites)."""
        return self.replace(
            per_host_delay=0.0,
            per_host_concurrency=concurrency,
            global_concurrency=concurrency,
            site_workers=concurrency,
            honour_crawl_delay=False,
        )

    def __post_init__(self) -> None:
        positive = (
            "connect_timeout", "read_timeout", "total_timeout", "home_timeout", "max_body_bytes",
            "global_concurrency", "per_host_concurrency", "site_workers", "max_sites_in_flight",
            "max_pages", "max_url_length", "commit_every", "commit_bytes",
        )  # fmt: skip
        for name in positive:
            if getattr(self, name) <= 0:
                raise ValueError(f"CrawlSettings.{name} must be > 0, got {getattr(self, name)!r}")
        for name in ("retry_times", "max_redirects", "per_host_delay", "max_depth"):
            if getattr(self, name) < 0:
                raise ValueError(f"CrawlSettings.{name} must be >= 0, got {getattr(self, name)!r}")
