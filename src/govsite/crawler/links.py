"""Minimal link extraction with selectolax (lexbor).

The crawler takes any ``extract_links(body_text, url) -> list[Link]``; this is the default.
It returns absolute, fragment-free http(s) URLs, resolved against ``<base href>``; kinds:

* ``page``: ``<a>``/``<area href>``, ``<frame>``/``<iframe src>``, ``<meta http-equiv=refresh>``,
  ``onclick="window.open('…')"``/``location.href='…'``, ``href="javascript:window.open(…)"``
* ``image``: ``<img src>``; ``stylesheet``: ``<link rel=stylesheet href>``; ``script``:
  ``<script src>``

Dropped: ``javascript:void(0)`` and other script-only hrefs, ``mailto:``, ``tel:``, ``data:``,
fragment-only links.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from functools import partial
from typing import NamedTuple
from urllib.parse import urljoin

from selectolax.lexbor import LexborHTMLParser

PAGE, IMAGE, STYLESHEET, SCRIPT, ATTACHMENT = "page", "image", "stylesheet", "script", "attachment"

_SELECTOR = (
    "a[href], area[href], img[src], frame[src], iframe[src], link[href], script[src], "
    "[onclick], meta[http-equiv]"
)
# window.open('x'), location.href = 'x', location='x', location.assign/replace('x')
_JS_URL = re.compile(
    r"""(?:window\.open|location\.(?:assign|replace)|location(?:\.href)?\s*=)\s*\(?\s*(['"])(.*?)\1""",
    re.I,
)
_REFRESH_URL = re.compile(r"""url\s*=\s*['"]?([^'";]+)""", re.I)
_SKIP_SCHEMES = ("mailto:", "tel:", "data:", "about:", "sms:", "ftp:", "file:", "blob:")
_MAX_TEXT = 200


class Link(NamedTuple):
    url: str  # absolute, no fragment
    kind: str  # page | image | stylesheet | script | attachment (set by the crawler's scope)
    text: str = ""  # anchor text, image alt or title
    tag: str = ""  # origin: a, img, iframe, link, script, onclick, js_href, meta_refresh, extra


class _Resolver:
    """``urljoin`` with a cache: nav links repeat on every page of a site.

    The key keeps only the part of the base a relative href depends on: the scheme for
    ``http://host/…`` and ``//host/…`` (urljoin tidies "http://h/a?" on an http page, not on
    an https one), the origin for ``/path``, the directory for ``page.html``. Anything urljoin
    may read as an empty path ("?q", "#f", ";p", "http:" …) or with characters it drops keeps
    the whole base, as does an unusual base.
    """

    __slots__ = ("_cache",)

    def __init__(self) -> None:
        self._cache: dict[tuple[str, str], str | None] = {}

    def __call__(self, base: str, href: str) -> str | None:
        return self.for_base(base)(href)

    def for_base(self, base: str) -> Callable[[str], str | None]:
        """``resolve(href)`` against one base: its origin and directory are cut once per
        page rather than once per link (a page has dozens of links)."""
        plain = _PLAIN_BASE.match(base) is not None
        slash = base.find("/", base.find("//") + 2)
        # Interned: the cache keys of every page of a directory share one scope string.
        origin = sys.intern(base[:slash]) if plain else base
        directory = sys.intern(base[: base.rfind("/") + 1]) if plain else base
        scheme = sys.intern(base[: base.find(":") + 1]) if plain else base
        cache = self._cache

        def resolve(href: str) -> str | None:
            first = href[:1]
            if not href.isprintable():
                scope = base
            elif first == "/":
                if href[1:2] != "/":
                    scope = origin
                else:
                    scope = scheme if _NETLOC.match(href, 2) else base
            elif first in "?#;":  # also "": urljoin gives the base itself
                scope = base
            elif _ABSOLUTE.match(href):
                scope = scheme
            elif href[: len(scheme)].lower() == scheme:
                scope = base  # "http:x" is relative to this page when it is http
            else:
                scope = directory
            key = (scope, href)
            try:
                return cache[key]
            except KeyError:
                pass
            if scope is origin and plain and _PLAIN_PATH.fullmatch(href):
                url: str | None = origin + href  # what urljoin gives, without parsing twice
            else:
                try:
                    url = urljoin(base, href)
                except ValueError:  # e.g. "http://[bad-ipv6"
                    url = None
            hash_at = url.find("#") if url else -1
            if hash_at >= 0:
                url = url[:hash_at]
            if url is not None and not url.startswith(("http://", "https://")):
                url = None
            if len(cache) > 50_000:
                cache.clear()
            cache[key] = url
            return url

        return resolve


# A base whose origin and directory can stand in for it: lower-case http(s), a host, a path
# without a query, fragment, ";" or dot segments (page URLs as the crawler fetches them).
_PLAIN_BASE = re.compile(r"https?://[^/?#;\s]+/(?:(?![.]{1,2}(?:/|$))[^/?#;\s]+/)*[^/?#;\s]*\Z")
# An absolute path of plain segments (no ".", "..", empty segment, query, fragment or ";"):
# joined to a plain base it is just the origin followed by the path.
_PLAIN_PATH = re.compile(r"(?:/[A-Za-z0-9_~-]+(?:\.[A-Za-z0-9_~-]+)*)+/?")
_ABSOLUTE = re.compile(r"https?://[^/?#\\\s]")  # a scheme and a non-empty host
_NETLOC = re.compile(r"[^/?#\\\s]")


_resolve = _Resolver()
# Link(url, kind, text, tag) without NamedTuple's Python-level __new__ (a third of the cost of
# building a page's links): the same Link instances.
_link = partial(tuple.__new__, Link)


def _clean(href: str) -> str:
    href = href.strip()
    if "\n" in href or "\t" in href or "\r" in href:  # browsers drop these inside URLs
        href = href.replace("\n", "").replace("\t", "").replace("\r", "")
    return href


def _text(node) -> str:
    text = node.text()
    if not text or text.isspace():
        attrs = node.attributes
        text = attrs.get("title") or attrs.get("alt") or ""
        if not text:
            img = node.css_first("img[alt]")
            text = (img.attributes.get("alt") or "") if img is not None else ""
    if text and (
        len(text) > _MAX_TEXT
        or "  " in text
        or "\n" in text
        or "\t" in text
        or text[0] == " "
        or text[-1] == " "
    ):
        text = " ".join(text.split())[:_MAX_TEXT]
    return text


def js_urls(code: str) -> list[str]:
    """URLs opened by a snippet of inline JavaScript (onclick or ``javascript:`` href)."""
    return [m.group(2) for m in _JS_URL.finditer(code) if m.group(2).strip()]


def extract_links(html: str, url: str) -> list[Link]:
    """All followable or checkable URLs of an HTML page, in document order (duplicates kept)."""
    return links_from_tree(LexborHTMLParser(html), url)


def links_from_tree(tree: LexborHTMLParser, url: str) -> list[Link]:
    """``extract_links`` on a page already parsed (the page analyser parses each page once)."""
    base = url
    # The first <base> with an href attribute (what css_first("base[href]") finds, cheaper).
    base_node = next((node for node in tree.tags("base") if "href" in node.attributes), None)
    if base_node is not None:
        href = _clean(base_node.attributes.get("href") or "")
        if href:
            base = urljoin(url, href)
    out: list[Link] = []
    add = out.append
    resolve = _resolve.for_base(base)
    link = _link
    for node in tree.css(_SELECTOR):
        tag = node.tag
        attrs = node.attributes
        if tag == "a" or tag == "area":
            href = attrs.get("href")
            if href:
                href = _clean(href)
                low = href[:11].lower()
                if low.startswith("javascript:"):
                    for target in js_urls(href):
                        abs_url = resolve(_clean(target))
                        if abs_url:
                            add(link((abs_url, PAGE, _text(node), "js_href")))
                elif href[0] != "#" and not low.startswith(_SKIP_SCHEMES):
                    abs_url = resolve(href)
                    if abs_url:
                        add(link((abs_url, PAGE, _text(node), tag)))
        elif tag == "img":
            src = _clean(attrs.get("src") or "")
            if src and not src.startswith("data:"):
                abs_url = resolve(src)
                if abs_url:
                    add(link((abs_url, IMAGE, attrs.get("alt") or "", "img")))
        elif tag == "frame" or tag == "iframe":
            src = _clean(attrs.get("src") or "")
            if src and not src.lower().startswith(("javascript:", "about:")):
                abs_url = resolve(src)
                if abs_url:
                    add(link((abs_url, PAGE, attrs.get("title") or "", tag)))
        elif tag == "link":
            rel = (attrs.get("rel") or "").lower().split()
            href = _clean(attrs.get("href") or "")
            if href and "stylesheet" in rel:
                abs_url = resolve(href)
                if abs_url:
                    add(link((abs_url, STYLESHEET, "", "link")))
        elif tag == "script":
            src = _clean(attrs.get("src") or "")
            if src:
                abs_url = resolve(src)
                if abs_url:
                    add(link((abs_url, SCRIPT, "", "script")))
        elif tag == "meta":
            if (attrs.get("http-equiv") or "").lower() == "refresh":
                m = _REFRESH_URL.search(attrs.get("content") or "")
                if m:
                    abs_url = resolve(_clean(m.group(1)))
                    if abs_url:
                        add(link((abs_url, PAGE, "", "meta_refresh")))
        onclick = attrs.get("onclick")
        if onclick:
            for target in js_urls(onclick):
                abs_url = resolve(_clean(target))
                if abs_url:
                    add(link((abs_url, PAGE, _text(node), "onclick")))
    return out
