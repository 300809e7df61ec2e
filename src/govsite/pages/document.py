"""One parsed page, shared by every extractor so the HTML is parsed exactly once.

selectolax (lexbor) is the parser: it is an order of magnitude faster than lxml, which
matters when a run reads hundreds of thousands of pages. The visible text is walked once
here and kept as chunks, because dates, guide labels and footers all read the same text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urljoin

from selectolax.lexbor import LexborHTMLParser, LexborNode

__all__ = ["Document", "Script", "TextChunk", "as_document", "collapse", "join_scope"]

#: Elements whose text a reader never sees as page text.
INVISIBLE = frozenset({"script", "style", "noscript", "template", "title", "-comment"})


def collapse(text: str | None) -> str:
    """Collapse runs of whitespace (including U+3000 and NBSP) to one space and strip."""
    if not text:
        return ""
    return " ".join(text.split())  # str.split() knows Unicode whitespace; faster than a regex


@dataclass(slots=True)
class Script:
    """A ``<script>``: its resolved ``src`` (or None), its ``type`` and its inline text."""

    src: str | None
    type: str
    text: str


@dataclass(slots=True)
class TextChunk:
    """One visible text node: collapsed text, its node, and whether it sits inside a link."""

    text: str
    node: LexborNode
    in_link: bool


@dataclass
class Document:
    """A parsed page plus what every extractor needs from it, computed once."""

    html: str
    url: str
    tree: LexborHTMLParser
    base_url: str
    title: str
    metas: list[tuple[str, str]]
    scripts: list[Script]
    chunks: list[TextChunk]
    _text: str | None = field(default=None, repr=False)
    _cache: dict = field(default_factory=dict, repr=False)

    @classmethod
    def parse(cls, html: str, url: str = "") -> Document:
        """Parse ``html`` (already decoded) fetched from ``url``."""
        # tree.tags(name) finds what tree.css(name) finds, in the same order, at half the cost.
        tree = LexborHTMLParser(html)
        base_url = _base_url(tree, url)
        titles = tree.tags("title")
        title = collapse(titles[0].text()) if titles else ""
        metas = _metas(tree)
        scripts = [
            Script(
                src=_join(base_url, node.attributes.get("src")),
                type=(node.attributes.get("type") or "").strip().lower(),
                text=node.text() or "",
            )
            for node in tree.tags("script")
        ]
        return cls(
            html=html,
            url=url,
            tree=tree,
            base_url=base_url,
            title=title,
            metas=metas,
            scripts=scripts,
            chunks=_visible_chunks(tree),
        )

    @property
    def text(self) -> str:
        """Visible text, one text node per line."""
        if self._text is None:
            self._text = "\n".join(chunk.text for chunk in self.chunks)
        return self._text

    def cached(self, key: str, compute):
        """``compute()`` once per document: extractors that need the same intermediate result
        (e.g. the dated links) share it instead of walking the tree twice."""
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]

    def meta(self, *names: str) -> list[str]:
        """Contents of ``<meta>`` tags whose name/property matches one of ``names`` (any case)."""
        wanted = {name.lower() for name in names}
        return [content for name, content in self.metas if name in wanted]

    def longest_plain_text_run(self) -> int:
        """Length (non-space characters) of the longest stretch of text not broken by a link.

        Article bodies are long runs of plain text; menus, lists and pagers are chopped up
        by links. This is the cheap "does this page have a body" measure ``page_kind`` uses.
        """
        best = run = 0
        for chunk in self.chunks:
            if chunk.in_link:
                if len(chunk.text) > 1:
                    best = max(best, run)
                    run = 0
                continue
            run += len(chunk.text) - chunk.text.count(" ")
        return max(best, run)


def as_document(page: Document | LexborHTMLParser | str | bytes, url: str = "") -> Document:
    """Accept a Document, a selectolax tree, HTML text or raw bytes; return a Document."""
    if isinstance(page, Document):
        return page
    if isinstance(page, LexborHTMLParser):
        return Document.parse(page.html or "", url)
    if isinstance(page, bytes):
        from govsite.pages.decode import decode_html

        page, _ = decode_html(page, None)
    return Document.parse(page, url)


def join_scope(base: str, href: str) -> str:
    """The part of ``base`` that ``urljoin(base, href)`` depends on, so a cache keyed by it
    serves every page of a site: "/x" needs only the origin, "x" only the directory.

    A reference that may have an empty path takes the base's own path, so it keeps the whole
    base: "", "?q", "#f", ";p", "//" and "http:" on an http page; so does one with control
    characters, which urljoin drops before reading it, and a ``javascript:`` one, whose URL
    inside may be any of these.
    """
    if not base or not href or href[0] in "?#;" or not href.isprintable():
        return base
    if href.startswith(("http://", "https://", "//")) or href[:11].lower() == "javascript:":
        return base
    scheme_end = base.find("://")
    if scheme_end < 0 or href[: scheme_end + 1].lower() == base[: scheme_end + 1].lower():
        return base
    path_start = base.find("/", scheme_end + 3)
    if href.startswith("/") and not href.startswith("//"):
        return base if path_start < 0 else base[: path_start + 1]
    if path_start < 0 or "?" in base or "#" in base:
        return base
    return base[: base.rfind("/") + 1]


def _join(base: str, ref: str | None) -> str | None:
    if ref is None:
        return None
    ref = ref.strip()
    if not ref:
        return None
    return _scoped_join(join_scope(base, ref), ref) if base else ref


@lru_cache(maxsize=4096)
def _scoped_join(scope: str, ref: str) -> str | None:
    # Cached: every page of a site loads the same scripts (urljoin is ~6 us a call).
    try:
        return urljoin(scope, ref)
    except ValueError:
        return None


def _base_url(tree: LexborHTMLParser, url: str) -> str:
    """The page URL, overridden by the first ``<base href>`` that actually has a value."""
    for node in tree.tags("base"):  # one without href has no value either
        href = (node.attributes.get("href") or "").strip()
        if href:
            joined = _join(url, href)
            if joined and (joined.startswith(("http://", "https://", "file:")) or not url):
                return joined
    return url


def _metas(tree: LexborHTMLParser) -> list[tuple[str, str]]:
    out = []
    for node in tree.tags("meta"):
        attrs = node.attributes
        name = attrs.get("name") or attrs.get("property") or attrs.get("itemprop") or ""
        content = attrs.get("content")
        if name and content:
            out.append((name.strip().lower(), content.strip()))
    return out


def _visible_chunks(tree: LexborHTMLParser) -> list[TextChunk]:
    root = tree.body or tree.root
    if root is None:
        return []
    in_link: dict[int, bool] = {}

    def linked(node: LexborNode | None) -> bool:
        # Memoised walk up to the nearest <a>: O(nodes) for the whole page.
        trail = []
        result = False
        while node is not None:
            key = node.mem_id
            if key in in_link:
                result = in_link[key]
                break
            trail.append(key)
            tag = node.tag
            if tag == "a":
                result = True
                break
            if tag == "body" or tag == "html":
                break
            node = node.parent
        for key in trail:
            in_link[key] = result
        return result

    chunks = []
    # skip_empty drops only ASCII-whitespace text nodes, which collapse to "" anyway.
    for node in root.traverse(include_text=True, skip_empty=True):
        if not node.is_text_node:
            continue
        parent = node.parent
        if parent is None or parent.tag in INVISIBLE:
            continue
        text = collapse(node.text_content)
        if text:
            chunks.append(TextChunk(text, node, linked(parent)))
    return chunks
