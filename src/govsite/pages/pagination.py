"""Where a column's other pages are: TRS, Hanweb jpage, numbered links, ?page=N.

Checks must read every page of a column (a column that is only fresh on page 1 still
fails), and most pagers are written by scripts, so the URLs are derived from the script's
arguments where that is possible instead of from rendered links.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from govsite.pages.document import Document, collapse
from govsite.pages.links import resolve_href

__all__ = ["MAX_PAGES", "Pagination", "find_pagination", "hanweb_records"]

#: Never expand a pager to more URLs than this (a typo'd page count must not explode).
MAX_PAGES = 5000

_NEXT_WORDS = ("下一页", "下页", "后一页", "下一頁")
_LAST_WORDS = ("尾页", "末页", "最后一页", "最末页", "尾頁")
_MOVING_WORDS = _NEXT_WORDS + _LAST_WORDS
_PAGER_WORDS = _MOVING_WORDS + ("上一页", "上页", "首页", "前一页")
_PAGER_TRIM = "<>«»[]【】 "  # around a pager link's text: [1] 【下一页】 <<尾页>>
_TOTAL_PAGES = re.compile(r"共\s*([\d,]+)\s*页")
_TRS_CALL = re.compile(r"createPageHTML\s*\(([^()]*)\)")
_NUMBERED = re.compile(r"^(?P<stem>.*?)_(?P<n>\d+)(?P<ext>\.[A-Za-z0-9]+)$")
_PAGE_PARAMS = frozenset(
    "page pageNum pageNo pageno pagenum p curpage currentPage pageIndex pageindex page_no cp".split()
)
_RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S | re.I)
_JS_RECORD = re.compile(r"""(?:^|[\[,])\s*'((?:\\.|[^'\\])*)'""", re.S)
_TOTAL_RECORD = re.compile(r"""totalRecord\s*[:=]\s*['"]?(\d+)""", re.I)
_TOTAL_RECORD_TAG = re.compile(r"<totalrecord>\s*(\d+)\s*</totalrecord>", re.I)
_PER_PAGE = re.compile(r"""perPage\s*[:=]\s*['"]?(\d+)""", re.I)
_UNIT_ID = re.compile(r"""(?:unitid\s*[:=]\s*['"]?|\$\(\s*['"]#)(\d+)""", re.I)


@dataclass(slots=True)
class Pagination:
    """How the column is paged: ``kind`` (trs/hanweb/links/query/javascript/none), page URLs."""

    kind: str = "none"
    pages: list[str] = field(default_factory=list)
    total_pages: int | None = None


# --- Hanweb jpage ------------------------------------------------------------------------


def _hanweb_records(doc: Document) -> tuple[list[str], str]:
    """Record HTML fragments Hanweb keeps in scripts, and the script text that held them."""
    for script in doc.scripts:
        text = script.text
        if "<record" in text.lower():
            return _RECORD.findall(text), text
    for script in doc.scripts:
        text = script.text
        if ".jpage(" in text and "dataStore" in text and "<a" in text:
            body = text.split("=", 1)[1] if "=" in text else text
            body = body.split("];", 1)[0]
            records = [rec.replace("\\'", "'") for rec in _JS_RECORD.findall(body)]
            return [rec for rec in records if "<a" in rec], text
    return [], ""


def _hanweb_pagination(doc: Document, record_script: str) -> Pagination | None:
    scripts = record_script + "\n" + "\n".join(s.text for s in doc.scripts if "jpage" in s.text)
    if "jpage" not in scripts.lower() and not record_script:
        return None
    total = _TOTAL_RECORD.search(scripts) or _TOTAL_RECORD_TAG.search(scripts)
    per_page = _PER_PAGE.search(scripts)
    unit = _UNIT_ID.search(scripts)
    if total is None:
        return None
    pagination = Pagination(kind="hanweb")
    if per_page is None or unit is None or int(per_page.group(1)) == 0:
        return pagination
    count = math.ceil(int(total.group(1)) / int(per_page.group(1)))
    pagination.total_pages = count
    parts = urlsplit(doc.url)
    page_base = urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
    uid = unit.group(1)
    pagination.pages = [
        f"{page_base}?uid={uid}&pageNum={n}" for n in range(1, min(count, MAX_PAGES) + 1)
    ]
    return pagination


# --- TRS createPageHTML ------------------------------------------------------------------


def _js_value(token: str, script: str) -> str | None:
    token = token.strip()
    if len(token) >= 2 and token[0] in "'\"" and token[-1] == token[0]:
        return token[1:-1]
    if re.fullmatch(r"-?\d+", token):
        return token
    if re.fullmatch(r"[A-Za-z_$][\w$]*", token):
        name = re.escape(token)
        match = re.search(rf"\b{name}\s*=\s*(\d+)(?![\w.])", script) or re.search(
            rf"\b{name}\s*=\s*(['\"])(.*?)\1", script
        )
        if match:
            return match.group(match.lastindex)
    return None


def _trs_pagination(doc: Document, hrefs: list[str]) -> Pagination | None:
    calls = (
        (match, script.text) for script in doc.scripts for match in _TRS_CALL.finditer(script.text)
    )
    for match, script_text in calls:
        values = [_js_value(arg, script_text) for arg in match.group(1).split(",")]
        if len(values) >= 5 and values[0] and not values[0].isdigit():
            values = values[1:]  # createPageHTML('page_div', count, current, name, ext, ...)
            leading_div = True
        else:
            leading_div = False
        if len(values) < 4 or not all(values[:4]):
            continue
        count_s, current_s, name, ext = values[:4]
        if not (count_s.lstrip("-").isdigit() and current_s.lstrip("-").isdigit()):
            continue
        count, current = int(count_s), int(current_s)
        one_based = _one_based(name, ext, count, current, hrefs, doc.url, leading_div)
        pages = [f"{name}.{ext}"]
        first_suffix = 2 if one_based else 1
        last_suffix = count if one_based else count - 1
        pages += [f"{name}_{n}.{ext}" for n in range(first_suffix, min(last_suffix, MAX_PAGES) + 1)]
        resolved = [resolve_href(doc.base_url, page) for page in pages]
        return Pagination("trs", [page for page in resolved if page], max(count, 1))
    return None


def _one_based(name, ext, count, current, hrefs, url, leading_div) -> bool:
    """TRS numbers pages index, index_1 … index_{n-1}; some skins use index_2 … index_n."""
    suffixes = set()
    for href in hrefs:
        match = _NUMBERED.match(urlsplit(href).path.rsplit("/", 1)[-1])
        if match and match.group("stem") == name and match.group("ext") == f".{ext}":
            suffixes.add(int(match.group("n")))
    if suffixes:
        if 1 in suffixes or max(suffixes) < count:
            return False
        return max(suffixes) == count
    if current == 0:
        return False
    on_first_page = urlsplit(url).path.rsplit("/", 1)[-1] in ("", f"{name}.{ext}")
    return leading_div and current == 1 and on_first_page


# --- ordinary pager links ----------------------------------------------------------------


def _pager_links(doc: Document) -> tuple[list[tuple[str, str]], bool]:
    """(text, url) of pager anchors, and whether a pager exists but is driven by script.

    Only a real pager counts: a 下一页/尾页 link or at least two numbered page links. A
    lone 首页 ("home") link is site navigation.
    """
    if not _may_have_pager(doc):
        return [], False
    out, scripted = [], False
    for anchor in doc.tree.tags("a"):  # tags(): css()'s result for a bare tag, cheaper
        text = collapse(anchor.text()).strip(_PAGER_TRIM)
        if not text:
            continue
        is_word = text.startswith(_PAGER_WORDS)
        if not is_word and not (text.isdigit() and len(text) <= 5):
            continue
        href = anchor.attributes.get("href")
        url = resolve_href(doc.base_url, href)
        if url is None:
            if text.startswith(_MOVING_WORDS):
                scripted = True
            continue
        out.append((text, url))
    moving = any(text.startswith(_MOVING_WORDS) for text, _ in out)
    numbered = {url for text, url in out if text.isdigit()}
    if not moving and len(numbered) < 2:
        out = []
    return out, scripted


def _may_have_pager(doc: Document) -> bool:
    """False only when :func:`_pager_links` would find nothing, read from the visible text
    the page has already collected instead of every anchor's text (most pages have no pager).

    A pager needs a 下一页/尾页 word, which then shows in the page's text nodes joined, or
    two links whose text is a page number, each of which holds a text node that is one.
    """
    joined = doc.text.replace("\n", "")
    if any(word in joined for word in _MOVING_WORDS):
        return True
    numbers = 0
    for chunk in doc.chunks:
        if chunk.in_link:
            text = chunk.text.strip(_PAGER_TRIM)
            if text.isdigit() and len(text) <= 5:
                numbers += 1
                if numbers == 2:
                    return True
    return False


def _expand_numbered(pager: list[tuple[str, str]], total: int | None) -> Pagination | None:
    """index_1.html … index_N.html style links: the whole range can be written out."""
    numbered = {}
    for _, url in pager:
        parts = urlsplit(url)
        head, _, file = parts.path.rpartition("/")
        match = _NUMBERED.match(file)
        if match and not parts.query:
            key = (parts.scheme, parts.netloc, head, match.group("stem"), match.group("ext"))
            numbered.setdefault(key, set()).add(int(match.group("n")))
    if not numbered:
        return None
    key, suffixes = max(numbered.items(), key=lambda kv: len(kv[1]))
    scheme, netloc, head, stem, ext = key
    last = max(suffixes)
    if total and last == total - 1:
        one_based = False
    elif total and last == total:
        one_based = True
    else:
        one_based = 1 not in suffixes and min(suffixes) == 2
    count = last if one_based else last + 1
    names = [f"{stem}{ext}"] + [
        f"{stem}_{n}{ext}" for n in range(2 if one_based else 1, min(last, MAX_PAGES) + 1)
    ]
    pages = [urlunsplit((scheme, netloc, f"{head}/{name}", "", "")) for name in names]
    return Pagination("links", pages, count)


def _expand_query(
    pager: list[tuple[str, str]], total: int | None, current: str = ""
) -> Pagination | None:
    """?page=2 style links: every page from the first one linked to the last one seen (or
    announced). Page numbers below the first link are not invented: on a first page without
    the parameter, page 1 is the page itself (list.asp?id=3, then list.asp?id=3&page=2)."""
    by_param: dict[tuple, dict[int, list]] = {}
    for _, url in pager:
        parts = urlsplit(url)
        query = parse_qsl(parts.query, keep_blank_values=True)
        for index, (name, value) in enumerate(query):
            if name in _PAGE_PARAMS and value.isdigit():
                key = (parts.scheme, parts.netloc, parts.path, name)
                by_param.setdefault(key, {})[int(value)] = (query, index)
    if not by_param:
        return None
    key, seen = max(by_param.items(), key=lambda kv: len(kv[1]))
    scheme, netloc, path, name = key
    last = max(total or 0, max(seen))
    query, index = seen[max(seen)]
    current_query = dict(parse_qsl(urlsplit(current).query)) if current else {}
    first = min(seen)
    pages = []
    if current and first > 1 and name not in current_query:
        pages.append(current)
    for n in range(first, min(last, MAX_PAGES) + 1):
        params = list(query)
        params[index] = (name, str(n))
        pages.append(urlunsplit((scheme, netloc, path, urlencode(params), "")))
    return Pagination("query", pages, last)


def find_pagination(doc: Document, hrefs: list[str] | None = None) -> Pagination:
    """Pagination of a column page: TRS, Hanweb jpage, numbered links, ?page=N, or script."""
    pager, scripted = _pager_links(doc)
    trs = _trs_pagination(doc, [url for _, url in pager] + list(hrefs or []))
    if trs is not None:
        return trs
    _, record_script = _hanweb_records(doc)
    hanweb = _hanweb_pagination(doc, record_script)
    if hanweb is not None:
        return hanweb
    totals = _TOTAL_PAGES.findall(doc.text)
    total = int(totals[-1].replace(",", "")) if totals else None
    if pager:
        found = _expand_numbered(pager, total) or _expand_query(pager, total, doc.url)
        if found is not None:
            return found
        if any(text.startswith(_NEXT_WORDS + _LAST_WORDS) for text, _ in pager):
            urls = list(dict.fromkeys(url for _, url in pager if url != doc.url))
            return Pagination("links", urls, total)
    if scripted:
        return Pagination("javascript", [], total)
    return Pagination()


def hanweb_records(doc: Document) -> list[str]:
    """HTML fragments of the list records Hanweb keeps in a script (empty if none)."""
    return _hanweb_records(doc)[0]
