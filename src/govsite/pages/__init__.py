"""Read one fetched government web page the way the checks need it (no Django here).

``analyse_page(body, url)`` is the entry point; the modules below each do one job and can
be used on their own with a :class:`~govsite.pages.document.Document` parsed once.
"""

from govsite.pages.analyse import analyse_page, classify, page_kind
from govsite.pages.dates import (
    DateFinding,
    find_dates,
    find_publication_date,
    parse_date,
    publication_date,
)
from govsite.pages.decode import decode_html
from govsite.pages.document import Document
from govsite.pages.footer import footer_identifiers
from govsite.pages.guide import guide_elements, load_guide_spec
from govsite.pages.links import Link, canonical_url, count_by_kind, extract_links
from govsite.pages.listing import Listing, ListItem, parse_listing
from govsite.pages.pagination import Pagination, find_pagination

__all__ = [
    "DateFinding",
    "Document",
    "Link",
    "ListItem",
    "Listing",
    "Pagination",
    "analyse_page",
    "canonical_url",
    "classify",
    "count_by_kind",
    "decode_html",
    "extract_links",
    "find_dates",
    "find_pagination",
    "find_publication_date",
    "footer_identifiers",
    "guide_elements",
    "load_guide_spec",
    "page_kind",
    "parse_date",
    "parse_listing",
    "publication_date",
]
