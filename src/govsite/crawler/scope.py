"""What belongs to a site, and the bounds that keep a crawl of it finite.

Scope: a URL is internal when its :func:`~govsite.crawler.urls.site_key` (host without
``www.``, port) equals the start URL's, or the one the home page redirected to. Internal page
links are crawled; everything else (external links, images, stylesheets, scripts,
attachments) is only checked.

Bounds (each refusal is a reason string, counted as ``crawl/bounds/<reason>``):

``max_pages``, ``max_depth``, ``url_too_long``, ``maze`` (too many path segments),
``repeating_segments`` (/a/b/a/b/a/b), ``calendar`` (dates far in the past or future),
``query_explosion`` (one path, too many query strings), ``pattern_limit`` (one path shape,
too many URLs), ``max_checks``.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime

from .settings import CrawlSettings
from .urls import site_key

# YYYY-MM[-DD], YYYY/MM[/DD], YYYYMM[DD]: a date-like token in a URL (years 1900-2199 only, so
# that numeric ids such as 1234_0912 are not read as dates).
_DATE = re.compile(
    r"(?<![0-9])(19[0-9]{2}|2[01][0-9]{2})[-/_.]?(0[1-9]|1[0-2])"
    r"(?:[-/_.]?(0[1-9]|[12][0-9]|3[01]))?(?![0-9])"
)
# year=YYYY style parameters and bare /YYYY/ directory segments.
_YEAR = re.compile(
    r"(?:[?&;](?:year|y|yr|nian|date|month|ym|d)=([0-9]{4})(?![0-9]))|(?:/(19[0-9]{2}|20[0-9]{2})/)",
    re.I,
)
_DIGITS = re.compile(r"[0-9]+")


class Scope:
    def __init__(self, start_url: str, settings: CrawlSettings, keys: set[str] | None = None):
        self.settings = settings
        self.keys: set[str] = set(keys) if keys else {site_key(start_url)}

    def add_alias(self, url: str) -> bool:
        """Treat ``url``'s site as internal too (the home page redirected there)."""
        key = site_key(url)
        if key in self.keys:
            return False
        self.keys.add(key)
        return True

    def is_internal_key(self, key: str) -> bool:
        return key in self.keys


class Bounds:
    """Per-site trap guards. ``page_refusal`` is asked once per new internal page URL."""

    def __init__(self, settings: CrawlSettings, now: datetime | None = None) -> None:
        self.settings = settings
        year = (now or datetime.now(UTC)).year
        self.min_year = settings.calendar_min_year
        self.max_year = year + settings.calendar_max_years_ahead
        self.pages = 0  # crawl URLs accepted (queued or done)
        self.checks = 0  # check URLs accepted
        self.query_variants: Counter[str] = Counter()
        self.patterns: Counter[str] = Counter()

    def calendar_year(self, url: str) -> int | None:
        """A year in a date-like part of ``url`` outside the plausible window, if any."""
        after_host = url[url.find("/", url.find("//") + 2) :] if "//" in url else url
        for m in _DATE.finditer(after_host):
            year = int(m.group(1))
            if not self.min_year <= year <= self.max_year:
                return year
        for m in _YEAR.finditer(after_host):
            year = int(m.group(1) or m.group(2))
            if not self.min_year <= year <= self.max_year:
                return year
        return None

    @staticmethod
    def _split(key: str) -> tuple[str, str, str]:
        """(scheme://host, path, query) of a canonical URL."""
        host_end = key.find("/", key.find("//") + 2)
        if host_end < 0:
            return key, "/", ""
        path, _, query = key[host_end:].partition("?")
        return key[:host_end], path, query

    def page_refusal(self, key: str, depth: int) -> str | None:
        """Why the internal page ``key`` (canonical URL) must not be crawled, or None."""
        s = self.settings
        if self.pages >= s.max_pages:
            return "max_pages"
        if depth > s.max_depth:
            return "max_depth"
        if len(key) > s.max_url_length:
            return "url_too_long"
        host, path, query = self._split(key)
        segments = [seg for seg in path.split("/") if seg]
        if len(segments) > s.max_path_segments:
            return "maze"
        if len(segments) > s.max_segment_repeats:
            counts = Counter(segments)
            if counts.most_common(1)[0][1] > s.max_segment_repeats:
                return "repeating_segments"
        if self.calendar_year(key) is not None:
            return "calendar"
        path_key = host + path
        if query and self.query_variants[path_key] >= s.max_query_variants:
            return "query_explosion"
        pattern = self.pattern(host, path, query)
        if self.patterns[pattern] >= s.max_urls_per_pattern:
            return "pattern_limit"
        self.accept_page(key)
        return None

    @staticmethod
    def pattern(host: str, path: str, query: str) -> str:
        names = sorted({p.partition("=")[0] for p in query.split("&")}) if query else ()
        return host + _DIGITS.sub("#", path) + "?" + "&".join(names)

    def accept_page(self, key: str) -> None:
        """Count an accepted page (also used to rebuild the counters on resume)."""
        host, path, query = self._split(key)
        self.pages += 1
        if query:
            self.query_variants[host + path] += 1
        self.patterns[self.pattern(host, path, query)] += 1

    def check_refusal(self, key: str) -> str | None:
        s = self.settings
        if self.checks >= s.max_checks:
            return "max_checks"
        if len(key) > s.max_url_length:
            return "url_too_long"
        self.checks += 1
        return None
