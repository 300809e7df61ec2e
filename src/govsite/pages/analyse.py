"""Read one fetched page the way the checks need it, as JSON-ready data.

This is the single entry point the crawler and the CLI call: decode once, parse once, and
hand the same Document to every extractor.
"""

from __future__ import annotations

from datetime import date

from govsite.pages.dates import DateFinding, find_publication_date
from govsite.pages.decode import decode_html
from govsite.pages.document import Document, as_document
from govsite.pages.footer import footer_identifiers
from govsite.pages.guide import guide_elements
from govsite.pages.links import count_by_kind, extract_links
from govsite.pages.listing import MIN_LIST_ITEMS, Listing, parse_listing

__all__ = ["ARTICLE_MIN_TEXT", "analyse_page", "classify", "page_kind"]

#: Characters of unbroken plain text that make a page body "long" (an article's body).
ARTICLE_MIN_TEXT = 200
#: Sources that tie a date to this page itself (htmldate may pick a list item's date).
_FIRM_SOURCES = ("meta", "label", "title")


def classify(found: DateFinding | None, body_text: int, listing: Listing) -> str:
    """``article`` | ``list`` | ``other`` from the date, the body length and the main list.

    A page whose own date is firmly known and which has a long body is an article even when
    a "related news" box lists dates; otherwise five dated links in one block make a list.
    """
    listed = listing.dated_count
    long_body = body_text >= ARTICLE_MIN_TEXT
    if found is not None and found.source in _FIRM_SOURCES and long_body:
        return "article"
    if listed >= MIN_LIST_ITEMS:
        return "list"
    if found is not None and long_body and listed < 3:
        return "article"
    return "other"


def page_kind(page: Document | str | bytes, url: str = "", today: date | None = None) -> str:
    """``"article"`` (dated, long body), ``"list"`` (≥ 5 dated links in a block) or ``"other"``."""
    doc = as_document(page, url)
    listing = parse_listing(doc, today=today)
    found = find_publication_date(doc, today, use_htmldate=listing.dated_count < MIN_LIST_ITEMS)
    return classify(found, doc.longest_plain_text_run(), listing)


def _header(headers: dict | None, name: str) -> str | None:
    for key, value in (headers or {}).items():
        if key.lower() == name:
            return value
    return None


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def analyse_page(
    body: bytes, url: str, headers: dict | None = None, today: date | None = None
) -> dict:
    """Everything the checks read from one page, JSON-serialisable (dates as ISO strings).

    Keys: url, encoding, kind, title, publication_date, list (or None unless the page is a
    list), guide (or None unless it is a service guide), footer, links (count by kind).
    """
    html, encoding = decode_html(body, _header(headers, "content-type"))
    doc = Document.parse(html, url)
    listing = parse_listing(doc, today=today)
    is_listing = listing.dated_count >= MIN_LIST_ITEMS
    # A list page has no date of its own; htmldate would only echo its first item.
    found = find_publication_date(doc, today, use_htmldate=not is_listing)
    kind = classify(found, doc.longest_plain_text_run(), listing)
    if kind == "list" and found is not None and found.source != "meta":
        found = None
    elif found is not None and found.source == "htmldate" and listing.dated_count >= 3:
        found = None  # a guess on a page of dated links is one of the links' dates

    list_out = None
    if kind == "list":
        list_out = {
            "items": [
                {"title": item.title, "url": item.url, "date": _iso(item.date)}
                for item in listing.items
            ],
            "newest_date": _iso(listing.newest_date),
            "pagination": {
                "kind": listing.pagination.kind,
                "total_pages": listing.pagination.total_pages,
                "pages": listing.pagination.pages,
            },
        }
    guide = guide_elements(doc)
    footer = footer_identifiers(doc)
    return {
        "url": url,
        "encoding": encoding,
        "kind": kind,
        "title": doc.title,
        "publication_date": _iso(found.date) if found else None,
        "publication_date_source": found.source if found else None,
        "list": list_out,
        "guide": guide if guide["is_guide"] else None,
        "footer": footer,
        "links": count_by_kind(extract_links(doc)),
    }
