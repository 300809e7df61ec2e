"""URL normalisation and the keys built from it (dedupe, throttling, scope).

Normalisation is w3lib's ``canonicalize_url`` (scrapy's request fingerprint basis: sorted query,
normalised percent-encoding, dot segments resolved, fragment dropped) plus dropping the default
port, which w3lib keeps. The fetch URL stays as the page wrote it (made safe by
``safe_url_string``): only the dedupe key is canonical, because sorting a query can change what
some servers return.
"""

from __future__ import annotations

import re
import sys
from functools import lru_cache
from urllib.parse import urlsplit

from w3lib.url import canonicalize_url, safe_url_string

DEFAULT_PORTS = {"http": 80, "https": 443}


class InvalidURL(ValueError):
    pass


def split_origin(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) with host lower-cased and the port made explicit."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise InvalidURL(f"not an http(s) URL: {url[:200]!r}")
    host = parts.hostname
    if not host:
        raise InvalidURL(f"no host in URL: {url[:200]!r}")
    try:
        port = parts.port or DEFAULT_PORTS[scheme]
    except ValueError as exc:
        raise InvalidURL(f"bad port in URL: {url[:200]!r}") from exc
    return scheme, host, port


def _authority_prefix(url: str) -> str:
    """``scheme://authority`` of ``url``: all that its origin and site key depend on."""
    start = url.find("//") + 2
    end = len(url)
    for sep in "/?#":
        at = url.find(sep, start)
        if 0 <= at < end:
            end = at
    return url[:end]


def origin(url: str) -> str:
    """``scheme://host:port``: the unit of politeness (throttle) and of robots.txt.

    Keyed with the port, unlike scrapy and lychee, so sites on different ports of one address
    are separate hosts. Cached on the ``scheme://authority`` prefix: asked for every request.
    """
    return _origin(_authority_prefix(url))


@lru_cache(maxsize=16384)
def _origin(prefix: str) -> str:
    scheme, host, port = split_origin(prefix)
    return f"{scheme}://{host}:{port}"


def site_key(url: str) -> str:
    """``host:port`` with a leading ``www.`` dropped and the scheme ignored.

    Two URLs with the same site key belong to the same site: ``http://www.x.gov.cn/`` and
    ``https://x.gov.cn/`` do; ``fgw.x.gov.cn`` (another department) and ``x.gov.cn:8080`` do not.
    Cached on the ``scheme://authority`` prefix, like ``origin``.
    """
    return _site_key(_authority_prefix(url))


@lru_cache(maxsize=16384)
def _site_key(prefix: str) -> str:
    _, host, port = split_origin(prefix)
    if host.startswith("www."):
        host = host[4:]
    return host if port in (80, 443) else f"{host}:{port}"


def _drop_default_port(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    netloc, slash, tail = rest.partition("/")
    default = DEFAULT_PORTS.get(scheme)
    if default is not None and netloc.endswith(f":{default}"):
        netloc = netloc[: -len(str(default)) - 1]
    return f"{scheme}{sep}{netloc}{slash}{tail}"


def canonical(url: str) -> str:
    """The dedupe key of an absolute http(s) URL."""
    return _drop_default_port(canonicalize_url(url))


def fetch_form(url: str) -> str:
    """What we send: percent-encoded, IDNA host, no fragment, otherwise as written."""
    safe = safe_url_string(url)
    hash_at = safe.find("#")
    if hash_at >= 0:
        safe = safe[:hash_at]
    host_at = safe.find("//") + 2
    if host_at > 1:
        end = len(safe)
        for sep in "/?":
            at = safe.find(sep, host_at)
            if 0 <= at < end:
                end = at
        if end == len(safe) or safe[end] == "?":  # empty path: "http://h?q" -> "http://h/?q"
            safe = f"{safe[:end]}/{safe[end:]}"
    return safe


class UrlCache:
    """Absolute URL -> (fetch URL, canonical key, site key, is attachment), or None for unusable
    URLs.

    Crawls meet the same navigation URLs on every page, so canonicalisation (~10 us per URL)
    is cached. The cache is cleared when full rather than kept LRU: cheaper, and a cold
    refill costs one canonicalisation per URL.
    """

    __slots__ = ("_data", "_max", "_attachments")

    def __init__(
        self, max_entries: int = 200_000, attachment_extensions: frozenset[str] = frozenset()
    ) -> None:
        self._data: dict[str, tuple[str, str, str, bool] | None] = {}
        self._max = max_entries
        self._attachments = attachment_extensions

    def get(self, url: str) -> tuple[str, str, str, bool] | None:
        try:
            return self._data[url]
        except KeyError:
            pass
        try:
            if is_plain(url):  # already safe and canonical: w3lib would return it unchanged
                fetch = key = url
            else:
                # Equal strings share one object (most URLs are already in fetch and canonical
                # form, and a site has one site key): a third less memory per entry.
                fetch = fetch_form(url)
                if fetch == url:
                    fetch = url
                key = canonical(fetch)
                if key == fetch:
                    key = fetch
            value: tuple[str, str, str, bool] | None = (
                fetch,
                key,
                sys.intern(site_key(fetch)),
                extension(fetch) in self._attachments,
            )
        except (ValueError, UnicodeError):
            value = None
        if len(self._data) >= self._max:
            self._data.clear()
        self._data[url] = value
        return value


# An http(s) URL that fetch_form and canonical return unchanged: lower-case scheme and host,
# a port other than the scheme's default, a path of plain segments (no ".", "..", empty
# segment, percent sign or character needing escapes), no query, no fragment. Most links of
# a crawl look like this, and w3lib's two parses cost ~20 us a URL.
_PLAIN_URL = re.compile(
    r"(https?)://[a-z0-9-]+(?:\.[a-z0-9-]+)*(?::([1-9][0-9]{0,4}))?"
    r"(?:(?:/[A-Za-z0-9_~-]+(?:\.[A-Za-z0-9_~-]+)*)+/?|/)"  # "/", or segments (+ a final "/")
)


def is_plain(url: str) -> bool:
    """True when ``fetch_form(url) == canonical(url) == url`` is known without parsing."""
    match = _PLAIN_URL.fullmatch(url)
    if match is None:
        return False
    scheme, port = match.groups()
    return port is None or int(port) != DEFAULT_PORTS[scheme]


def extension(url: str) -> str:
    """Lower-case file extension of a URL's path ('' if none)."""
    path = url.partition("?")[0]
    name = path[path.rfind("/") + 1 :]
    dot = name.rfind(".")
    return name[dot + 1 :].lower() if dot > 0 else ""
