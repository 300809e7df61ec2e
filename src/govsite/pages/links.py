"""Every link a page makes, resolved, canonicalised and labelled with its kind.

Link checks (dead links, external links, attachments that must be readable) need the same
URL for the same resource, so URLs are resolved against ``<base href>`` and canonicalised:
fragment dropped, percent-escapes normalised, default ports removed. Query order is kept,
because some CMSs give it meaning.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urljoin, urlsplit, urlunsplit

from w3lib.url import safe_url_string

from govsite.pages.document import Document, as_document, collapse, join_scope

__all__ = [
    "ATTACHMENT_EXTENSIONS",
    "LINK_KINDS",
    "Link",
    "canonical_url",
    "count_by_kind",
    "extract_links",
    "resolve_href",
]

LINK_KINDS = ("page", "image", "attachment", "css", "script", "frame")

#: File types published as attachments (公开附件) on government sites.
ATTACHMENT_EXTENSIONS = frozenset(
    {
        "pdf",
        "doc",
        "docx",
        "xls",
        "xlsx",
        "wps",
        "et",
        "zip",
        "rar",
        "7z",
        "ofd",
        "ppt",
        "pptx",
        "txt",
        "csv",
    }
)

_KEEP_SCHEMES = ("http", "https", "ftp", "file")
_DROP_PREFIXES = ("mailto:", "tel:", "sms:", "data:", "about:", "javascript:", "#", "callto:")
_JS_URL = re.compile(
    r"""(?:window\.open|\.location\.(?:href|replace|assign)|\blocation\.(?:href|replace|assign)"""
    r"""|\blocation)\s*(?:=|\()\s*(['"])(.+?)\1""",
    re.I,
)
_PERCENT = re.compile(r"%[0-9a-f]{2}", re.I)
_LOWER_PERCENT = re.compile(r"%(?:[0-9A-F][a-f]|[a-f][0-9A-Fa-f])")
# Already safe: ASCII, nothing to escape (w3lib is only needed for the rest).
_PLAIN_URL = re.compile(r"[A-Za-z0-9\-._~:/?\[\]@!$&'()*+,;=%]*")
_DEFAULT_PORTS = {"http": "80", "https": "443", "ftp": "21"}


@dataclass(frozen=True, slots=True)
class Link:
    """One outgoing link: canonical URL, kind (see LINK_KINDS), anchor text and source tag."""

    url: str
    kind: str
    text: str
    tag: str


def canonical_url(url: str) -> str | None:
    """Canonical form of an absolute URL, or None when it cannot be one."""
    url = url.strip()
    try:
        if not _PLAIN_URL.fullmatch(url) or "%" in url and _LOWER_PERCENT.search(url):
            url = safe_url_string(url)
            url = _PERCENT.sub(lambda m: m.group().upper(), url)
        parts = urlsplit(url)
    except (ValueError, UnicodeError):
        return None
    scheme = parts.scheme.lower()
    if scheme not in _KEEP_SCHEMES:
        return None
    netloc = parts.netloc.lower()
    if ":" in netloc and netloc.rsplit(":", 1)[1] == _DEFAULT_PORTS.get(scheme):
        netloc = netloc.rsplit(":", 1)[0]
    if scheme != "file" and not netloc:
        return None
    path = parts.path or ("/" if scheme != "file" else "")
    return urlunsplit((scheme, netloc, path, parts.query, ""))


def js_url(script: str | None) -> str | None:
    """The URL in ``window.open('...')`` / ``location.href='...'`` code, if any."""
    if not script:
        return None
    match = _JS_URL.search(script)
    return match.group(2).strip() if match else None


def resolve_href(base: str, href: str | None) -> str | None:
    """Absolute canonical URL for an ``href``; None for JS no-ops, mailto:, tel:, #fragments."""
    if href is None:
        return None
    href = href.strip()
    # The scope is interned so the cache's keys for a site's pages share one string.
    return _resolve(sys.intern(join_scope(base, href)), href)


@lru_cache(maxsize=65536)
def _resolve(base: str, href: str) -> str | None:
    # Cached: the same menu links repeat on every page of a site.
    if not href:
        return None
    if href[:11].lower() == "javascript:":
        href = js_url(href) or ""
        if not href:
            return None
    if href.lower().startswith(_DROP_PREFIXES):
        return None
    try:
        absolute = (
            href if not base or href.startswith(("http://", "https://")) else urljoin(base, href)
        )
    except ValueError:
        return None
    return canonical_url(absolute)


def _extension(name: str) -> str:
    dot = name.rfind(".")
    if dot == -1 or "/" in name[dot:]:
        return ""
    return name[dot + 1 :].strip().lower()


def url_kind(url: str, default: str = "page", text: str = "") -> str:
    """``attachment`` for document files, else ``default``.

    A document is recognised by its path (``/a/b.pdf``), by a file name in the query
    (Hanweb's ``downfile.jsp?filename=x.pdf``) or by link text naming the file (``通知.pdf``).
    """
    head, _, query = url.partition("?")
    path = head[head.find("//") + 2 :] if "//" in head else head
    path = path[path.find("/") :] if "/" in path else ""
    if _extension(path) in ATTACHMENT_EXTENSIONS:
        return "attachment"
    if query and any(_extension(value) in ATTACHMENT_EXTENSIONS for value in query.split("&")):
        return "attachment"
    if text and _extension(text[-6:]) in ATTACHMENT_EXTENSIONS:
        return "attachment"
    return default


def _anchor_text(node) -> str:
    text = collapse(node.text())
    if text:
        return text
    attrs = node.attributes
    if attrs.get("title"):
        return collapse(attrs["title"])
    img = node.css_first("img[alt]")
    if img is not None:
        return collapse(img.attributes.get("alt"))
    return collapse(attrs.get("alt"))


def extract_links(page: Document | str | bytes, url: str = "") -> list[Link]:
    """All links of a page, unique by (url, kind), in first-seen order.

    Sources: ``<a href>``, ``<area href>``, ``<frame|iframe src>``, ``<img src>``,
    ``<link rel=stylesheet href>``, ``<script src>``, and URLs inside
    ``javascript:window.open(...)`` hrefs and ``onclick`` handlers.
    """
    doc = as_document(page, url)
    base = doc.base_url
    found: dict[tuple[str, str], Link] = {}

    def add(raw: str | None, kind: str, text: str, tag: str, *, classify: bool = False) -> None:
        link_url = resolve_href(base, raw)
        if link_url is None:
            return
        if classify:
            kind = url_kind(link_url, kind, text)
        key = (link_url, kind)
        if key not in found:
            found[key] = Link(link_url, kind, text, tag)
        elif text and not found[key].text:
            found[key] = Link(link_url, kind, text, tag)

    tree = doc.tree
    for node in tree.css("a, area, frame, iframe, img, link, [onclick]"):
        tag = node.tag
        attrs = node.attributes
        if tag in ("a", "area"):
            add(attrs.get("href"), "page", _anchor_text(node), tag, classify=True)
        elif tag in ("frame", "iframe"):
            add(attrs.get("src"), "frame", "", tag)
        elif tag == "img":
            add(attrs.get("src"), "image", collapse(attrs.get("alt")), tag)
        elif tag == "link":
            rel = (attrs.get("rel") or "").lower()
            href = attrs.get("href")
            if "stylesheet" in rel or (attrs.get("type") or "").lower() == "text/css":
                add(href, "css", "", tag)
            elif "icon" in rel:
                add(href, "image", "", tag)
        onclick = attrs.get("onclick")
        if onclick:
            target = js_url(onclick)
            if target:
                text = _anchor_text(node) if tag not in ("img", "input") else ""
                add(
                    target,
                    "page",
                    text or collapse(attrs.get("alt") or attrs.get("value")),
                    tag,
                    classify=True,
                )
    for script in doc.scripts:
        if script.src:
            add(script.src, "script", "", "script")
    return list(found.values())


def count_by_kind(links: list[Link]) -> dict[str, int]:
    """``{kind: count}`` for every kind in LINK_KINDS (zeros included)."""
    counts = Counter(link.kind for link in links)
    return {kind: counts.get(kind, 0) for kind in LINK_KINDS}
