"""Column (list) pages: their dated items, the newest date, and their pagination.

A column's freshness is the date of its newest item, so we must find the column's own list
and not the menu, the "related" box or the footer links. We start from the short dated text
nodes (there are few) and climb to the link they belong to, then keep the block of items
that repeats most. Items Hanweb ships inside ``<script type="text/xml">`` are parsed too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from selectolax.lexbor import LexborNode

from govsite.pages.dates import has_year, iter_dates
from govsite.pages.document import Document, as_document, collapse
from govsite.pages.links import resolve_href
from govsite.pages.pagination import Pagination, find_pagination, hanweb_records

__all__ = [
    "MIN_LIST_ITEMS",
    "ListItem",
    "Listing",
    "Pagination",
    "item_title",
    "main_list",
    "parse_listing",
]

#: A block needs this many dated links before the page counts as a list page.
MIN_LIST_ITEMS = 5
#: Dated text nodes longer than this are prose, not an item's date.
MAX_DATE_TEXT = 40
#: An element holding more links than this is a block of items, not one item.
_MAX_ITEM_LINKS = 3

_ELLIPSIS = ("...", "…", "..", "。。。")
_NAV_WORDS = frozenset(
    "更多 更多>> 首页 上一页 下一页 上页 下页 尾页 末页 详细 详情 查看 全文 打印 关闭 返回 "
    "more MORE >> 阅读全文".split()
)
_LIST_CONTAINERS = frozenset({"ul", "ol", "table", "tbody", "thead", "dl", "body", "html"})


@dataclass(frozen=True, slots=True)
class ListItem:
    """One entry of a column: its title, absolute URL and date (None when it has none)."""

    title: str
    url: str
    date: date | None


@dataclass(slots=True)
class Listing:
    """The column's main list, its newest date and its pagination."""

    items: list[ListItem]
    newest_date: date | None
    pagination: Pagination

    @property
    def dated_count(self) -> int:
        return sum(1 for item in self.items if item.date is not None)


def item_title(node: LexborNode) -> str:
    """Anchor text, or the ``title`` attribute when the text is cut short or decorated."""
    text = collapse(node.text())
    title = collapse(node.attributes.get("title"))
    if not title or len(title) < 2:
        return text
    bare = text.rstrip(".…。 ")
    if not text or text.endswith(_ELLIPSIS) or title in text or title.startswith(bare):
        return title
    return text


def _usable_title(title: str) -> bool:
    if len(title) < 4 or title in _NAV_WORDS:
        return False
    return not title.replace(" ", "").isdigit()


@dataclass(slots=True)
class _Candidate:
    anchor: LexborNode
    url: str
    title: str
    date: date
    order: int
    item: LexborNode | None = None


def _links_in(
    node: LexborNode, base: str, limit: int | None = None
) -> list[tuple[LexborNode, str, str]]:
    """(anchor, url, title) of the usable links under ``node``, the first ``limit`` only:
    callers that only ask "one link, or more than three?" need not read a whole article's."""
    out = []
    for anchor in node.css("a[href]"):
        title = item_title(anchor)
        if not _usable_title(title):
            continue
        url = resolve_href(base, anchor.attributes.get("href"))
        if url:
            out.append((anchor, url, title))
            if len(out) == limit:
                break
    return out


def _pick(links: list[tuple[LexborNode, str, str]]):
    """The item's title link: the one with the longest text ('title' in its class wins)."""

    def score(entry):
        anchor = entry[0]
        klass = (anchor.attributes.get("class") or "").lower()
        return ("title" in klass, len(collapse(anchor.text())) or len(entry[2]))

    return max(links, key=score)


def _element_siblings(node: LexborNode, forward: bool, limit: int = 2):
    sibling = node.next if forward else node.prev
    seen = 0
    while sibling is not None and seen < limit:
        if sibling.tag not in ("-text", "-comment"):
            yield sibling
            seen += 1
        sibling = sibling.next if forward else sibling.prev


def _headline(picked, node: LexborNode, base: str):
    """Prefer the item's headline when the dated line only repeats its URL under a source name.

    Search-result cards put "source name + date" under the real title; both link to the
    same document, and the title is a few levels up.
    """
    anchor, url, title = picked
    for _ in range(3):
        node = node.parent
        if node is None or node.tag in _LIST_CONTAINERS:
            break
        links = _links_in(node, base)
        if len({link_url for _, link_url, _ in links}) > 1:
            break
        for other in links:
            klass = (other[0].attributes.get("class") or "").lower()
            if other[1] == url and ("title" in klass or len(other[2]) > len(title)):
                picked = other
    return picked


def _link_for_date(text_node: LexborNode, base: str):
    """Climb from a dated text node to the one link its item holds (None if ambiguous)."""
    node = text_node.parent
    links = _links_in(node, base, _MAX_ITEM_LINKS + 1) if node is not None else []
    for _ in range(5):
        if node is None or node.tag in _LIST_CONTAINERS or len(links) > _MAX_ITEM_LINKS:
            return None
        if links:
            return _headline(_pick(links), node, base)
        parent = node.parent
        if parent is None or parent.tag in _LIST_CONTAINERS:
            parent_links = []
            stop = True
        else:
            parent_links = _links_in(parent, base, _MAX_ITEM_LINKS + 1)
            stop = len(parent_links) > _MAX_ITEM_LINKS
        if stop:
            # <dt><a/></dt><dd>date</dd> inside one <dl>: the link is in a sibling.
            for sibling in _element_siblings(node, forward=False):
                sibling_links = _links_in(sibling, base, 2)
                if sibling_links:
                    return sibling_links[0] if len(sibling_links) == 1 else None
            return None
        node, links = parent, parent_links
    return None


def _candidates(doc: Document, today: date | None) -> list[_Candidate]:
    found: dict[int, _Candidate] = {}
    order = 0
    for chunk in doc.chunks:
        if chunk.in_link or len(chunk.text) > MAX_DATE_TEXT or not has_year(chunk.text):
            continue
        first = next(iter_dates(chunk.text, today), None)
        if first is None:
            continue
        picked = _link_for_date(chunk.node, doc.base_url)
        if picked is None:
            continue
        anchor, url, title = picked
        key = anchor.mem_id
        if key not in found:
            found[key] = _Candidate(anchor, url, title, first[2], order)
            order += 1
    return sorted(found.values(), key=lambda cand: cand.order)


def _blocks(candidates: list[_Candidate]) -> list[list[_Candidate]]:
    """Group items by the element their repeated item elements share."""
    chains = []
    counts: dict[int, int] = {}
    for cand in candidates:
        chain = []
        node = cand.anchor
        while node is not None:
            chain.append(node)
            counts[node.mem_id] = counts.get(node.mem_id, 0) + 1
            node = node.parent
        chains.append(chain)
    groups: dict[tuple, list[_Candidate]] = {}
    for cand, chain in zip(candidates, chains, strict=True):
        item = chain[0]
        for node in chain[1:]:
            if counts[node.mem_id] > 1 or node.tag in ("body", "html") or node.parent is None:
                break
            item = node
        cand.item = item
        block = item.parent
        if block is None:
            key: tuple = (0,)
        else:
            # Several <ul>s (or tables) side by side under one parent are one list.
            grand = block.parent
            key = (grand.mem_id, block.tag) if grand is not None else (block.mem_id,)
        groups.setdefault(key, []).append(cand)
    return list(groups.values())


def _signature(node: LexborNode) -> tuple[str, str]:
    return node.tag, (node.attributes.get("class") or "").strip()


def _items_from(block: list[_Candidate], base: str) -> list[ListItem]:
    """The block's items in page order, adding the undated siblings of its dated items."""
    if not block:
        return []
    signatures: dict[tuple[str, str], int] = {}
    for cand in block:
        key = _signature(cand.item)
        signatures[key] = signatures.get(key, 0) + 1
    signature = max(signatures, key=signatures.get)
    dated = {cand.item.mem_id: cand for cand in block}
    parents = list(
        {c.item.parent.mem_id: c.item.parent for c in block if c.item.parent is not None}.values()
    )
    seen, items = set(), []

    def add(title: str, url: str, when: date | None) -> None:
        if url not in seen:
            seen.add(url)
            items.append(ListItem(title, url, when))

    for parent in parents:
        for child in parent.iter():
            cand = dated.get(child.mem_id)
            if cand is not None:
                add(cand.title, cand.url, cand.date)
            elif _signature(child) == signature:
                links = _links_in(child, base, _MAX_ITEM_LINKS + 1)
                if 1 <= len(links) <= _MAX_ITEM_LINKS:
                    _, url, title = _pick(links)
                    add(title, url, None)
    return items


def main_list(doc: Document, today: date | None = None) -> list[ListItem]:
    """Items of the block with the most dated links (the column's own list).

    Items of that block that show no date are kept with ``date=None``.
    """
    best: list[_Candidate] = []
    for block in _blocks(doc.cached(f"candidates:{today}", lambda: _candidates(doc, today))):
        if len(block) > len(best):
            best = block
    return _items_from(best, doc.base_url)


def parse_listing(
    page: Document | str | bytes, url: str = "", today: date | None = None
) -> Listing:
    """The column's items (title, absolute url, date), newest date and pagination."""
    doc = as_document(page, url)
    items = main_list(doc, today)
    records = hanweb_records(doc)
    if records:
        fragment = Document.parse("<ul>" + "".join(records) + "</ul>", doc.url)
        fragment.base_url = doc.base_url
        record_items = main_list(fragment, today)
        if len(record_items) > len(items):
            items = record_items
    dates = [item.date for item in items if item.date is not None]
    return Listing(items, max(dates) if dates else None, find_pagination(doc))


def newest_linked_date(doc: Document, today: date | None = None) -> date | None:
    """The newest date shown next to any link of the page, in any block (a home page shows
    several lists; its freshness is its newest item anywhere)."""
    dates = [
        cand.date for cand in doc.cached(f"candidates:{today}", lambda: _candidates(doc, today))
    ]
    return max(dates) if dates else None
