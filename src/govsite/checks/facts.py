"""What the checks need from one page, read once while the crawler has it in hand.

``PageAnalyser`` is the crawler's page hook: it parses the decoded page once, returns the
links to follow (the crawler's own extraction plus list items and script-built pagination
that only a reader of the page sees) and a small dict of *facts* stored with the page.
Every check then works from facts; no page is parsed twice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlsplit

from govsite.checks.config import CheckConfig
from govsite.checks.dictionaries import find_forbidden, load_forbidden
from govsite.crawler.links import PAGE, Link, links_from_tree
from govsite.pages.dates import find_publication_date, iter_dates
from govsite.pages.document import Document, collapse
from govsite.pages.footer import footer_identifiers
from govsite.pages.guide import guide_elements
from govsite.pages.listing import MIN_LIST_ITEMS, newest_linked_date, parse_listing

# Text a column page shows when it has nothing in it (空白栏目). Every branch starts with a
# literal character, so the regex engine skips in C to the next 暂, 共, 没 … (a branch opening
# with a group would make it try every branch at every character of every article).
EMPTY_COLUMN = re.compile(
    r"暂无(?:信息|内容|数据|记录|文章|相关信息|相关内容|公开信息)|共\s*0\s*条|没有(?:相关)?(?:信息|记录|数据)"
    r"|栏目(?:正在)?建设中|页面(?:正在)?建设中|内容(?:正在)?建设中|无相关(?:信息|记录)"
)
# A message board's rows: the reply cell says it is still open.
UNANSWERED = re.compile(r"未回复|未答复|待回复|尚未回复|未办结|办理中|处理中|待处理|未处理")
MESSAGE_HEADER = re.compile(r"留言时间|提问时间|来信时间|咨询时间|发布时间")
REPLY_HEADER = re.compile(r"回复时间|答复时间|回复日期|答复日期|办理状态|回复状态|处理状态|状态")
ROW = re.compile(r"<tr[^>]*>(.*?)</tr>|<li[^>]*>(.*?)</li>", re.S | re.I)
TAGS = re.compile(r"<[^>]+>")
BREADCRUMB = re.compile(r"(?:当前位置|您的位置|你的位置|所在位置|现在位置)")
TITLE_SEPARATORS = re.compile(r"\s*[_|｜\-–—－]\s*")
SEARCH_WORDS = ("搜索", "检索", "search", "查询")
FRAME_TAG = re.compile("<frame", re.I)


@dataclass
class PageAnalyser:
    """Callable ``(text, url) -> (links, facts)`` handed to the crawler."""

    today: date
    config: CheckConfig = field(default_factory=CheckConfig)

    def __post_init__(self) -> None:
        self.forbidden = load_forbidden(self.config.data_dir)

    def __call__(self, text: str, url: str) -> tuple[list[Link], dict]:
        doc = Document.parse(text, url)
        links = links_from_tree(doc.tree, url)
        listing = parse_listing(doc, today=self.today)
        for item in listing.items:  # items built by script (Hanweb records) are not in the DOM
            links.append(Link(item.url, PAGE, item.title[:200], "list_item"))
        for page in listing.pagination.pages:
            links.append(Link(page, PAGE, "", "pagination"))
        return links, self.facts(doc, listing)

    def facts(self, doc: Document, listing) -> dict:
        is_list = listing.dated_count >= MIN_LIST_ITEMS
        found = None if is_list else find_publication_date(doc, self.today, use_htmldate=False)
        newest_linked = newest_linked_date(doc, self.today)
        facts: dict = {
            "title": doc.title[:200],
            "column": column_name(doc),
            "date": found.date.isoformat() if found else None,
            "newest_linked": newest_linked.isoformat() if newest_linked else None,
        }
        if wants_footer(doc):
            footer = footer_identifiers(doc)
            facts["footer"] = {k: footer[k] for k in FOOTER_PARTS}
        if listing.items:
            facts["list"] = {
                "items": len(listing.items),
                "dated": listing.dated_count,
                "newest": listing.newest_date.isoformat() if listing.newest_date else None,
                "pager": listing.pagination.kind,
                "pages": listing.pagination.pages[:200],
            }
        elif EMPTY_COLUMN.search(doc.text):
            facts["empty"] = True
        # A list of guides titled 办事指南 is not itself a guide; a guide shows some elements.
        if not listing.items:
            guide = guide_elements(doc)
            if guide["is_guide"] and len(guide["found"]) >= 2:
                facts["guide_missing"] = guide["missing"]
        wrong = find_forbidden(doc.text, self.forbidden)
        if wrong:
            facts["forbidden"] = wrong
        board = message_rows(doc.html, self.today)
        if board is not None:
            facts["messages"] = board
        if urlsplit(doc.url).scheme == "https":
            insecure = mixed_content(doc)
            if insecure:
                facts["mixed"] = insecure[:20]
        if has_search_form(doc):
            facts["search_form"] = True
        return facts


FOOTER_PARTS = ("site_code", "icp", "police_record", "party_gov_badge")


def wants_footer(doc: Document) -> bool:
    """The footer check judges the home page (and, for a frameset, its frames), so only
    pages that can be one are read for it: the site root, root-level pages such as
    /index.html or /main.htm (where framesets keep their frames), and framesets."""
    path = urlsplit(doc.url).path
    return path.count("/") <= 1 or FRAME_TAG.search(doc.html, 0, 20000) is not None


def column_name(doc: Document) -> str:
    """The column's name: the breadcrumb's last step, else the title's first segment."""
    # One search of the whole text first: most pages have no breadcrumb label at all.
    for chunk in doc.chunks if BREADCRUMB.search(doc.text) else ():
        if BREADCRUMB.search(chunk.text):
            node = chunk.node.parent
            if node is not None:
                anchors = [collapse(a.text()) for a in node.css("a")]
                tail = collapse(node.text()).split(">")[-1].strip(" >》»")
                name = tail or (anchors[-1] if anchors else "")
                if name and len(name) <= 30:
                    return name
    first = TITLE_SEPARATORS.split(doc.title.strip())[0] if doc.title else ""
    return first[:30]


def message_rows(html: str, today: date) -> dict | None:
    """A message board's rows as ``{"rows": n, "open": [posted dates of unanswered rows]}``.

    Only pages whose table headers name both a posting time and a reply time or status are
    boards; a row is open when its reply cell says so (未回复, 办理中 …) and it has no
    reply date. Rows inside Hanweb ``<script type="text/xml">`` records count too.
    """
    if not ("留言" in html and MESSAGE_HEADER.search(html) and REPLY_HEADER.search(html)):
        return None  # the plain substring test first: it is the cheapest and rarely true
    rows = 0
    open_dates: list[str] = []
    for match in ROW.finditer(html):
        cell = TAGS.sub(" ", match.group(1) or match.group(2) or "")
        dates = [found[2] for found in iter_dates(cell, today)]
        if not dates:
            continue
        rows += 1
        if len(dates) == 1 and UNANSWERED.search(cell):
            open_dates.append(dates[0].isoformat())
    return {"rows": rows, "open": open_dates} if rows else None


def mixed_content(doc: Document) -> list[str]:
    """Sub-resources an https page loads over plain http (browsers block or warn)."""
    out = []
    for node in doc.tree.css("img[src], script[src], link[href], iframe[src]"):
        ref = node.attributes.get("src") or node.attributes.get("href") or ""
        if node.tag == "link" and "stylesheet" not in (node.attributes.get("rel") or ""):
            continue
        if ref.strip().lower().startswith("http://"):
            out.append(ref.strip())
    return out


def has_search_form(doc: Document) -> bool:
    for form in doc.tree.tags("form"):  # tags(): css()'s result for a bare tag, cheaper
        text = (form.text() or "") + " ".join(
            (node.attributes.get("value") or "") + (node.attributes.get("placeholder") or "")
            for node in form.css("input, button")
        )
        action = (form.attributes.get("action") or "").lower()
        if any(word in text or word in action for word in SEARCH_WORDS):
            return True
    return False
