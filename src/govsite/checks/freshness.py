"""Update freshness (信息更新不及时): homepage_stale, column_stale, column_empty.

A column is a list page that is not the continuation of another column's pagination (the
crawler also fetched index_1.html …); its kind, and so its window, comes from its name
(columns.yaml). Undated counts as not updated (national rule): a column or home page whose
items carry no date is stale with ``last_update: null``.
"""

from __future__ import annotations

from collections import Counter

from govsite.checks.base import Check, SiteContext, days_old, evidence_of
from govsite.checks.dictionaries import load_column_kinds
from govsite.crawler.results import PageRecord


def _newest(page: PageRecord) -> str | None:
    facts = page.facts or {}
    candidates = [facts.get("newest_linked"), (facts.get("list") or {}).get("newest")]
    candidates.append(facts.get("date"))
    dated = [c for c in candidates if c]
    return max(dated) if dated else None


class HomepageStale(Check):
    codes = ("homepage_stale",)

    def findings(self, site: SiteContext) -> list[dict]:
        if site.home is None or site.home.facts is None:
            return []
        shown = [site.home, *site.frames]  # a frameset's content sits in its frames
        dates = [d for d in map(_newest, shown) if d]
        newest = max(dates) if dates else None
        age = days_old(newest, site.today)
        if age is not None and age <= site.config.homepage_window_days:
            return []
        return [{"code": "homepage_stale", "url": site.home.url, "last_update": newest,
                 "evidence": evidence_of(site.home)
                 | {"window_days": site.config.homepage_window_days}}]  # fmt: skip


class Columns(Check):
    """column_stale and column_empty in one pass: both need to know which pages are columns."""

    codes = ("column_stale", "column_empty")
    # A link on at least this share of pages belongs to the site template (nav, footer).
    TEMPLATE_SHARE = 0.5

    def __init__(self) -> None:
        # Per list page only what a finding needs (its evidence), not the record: a column
        # with thousands of pager pages would otherwise keep every page's links in memory.
        self.lists: dict[str, tuple[dict, str | None, str]] = {}
        self.empty: list[tuple[str, dict, str | None, set[str]]] = []
        self.continuations: set[str] = set()
        self.link_counts: Counter[str] = Counter()
        self.pages_seen = 0

    def see_page(self, page: PageRecord, site: SiteContext) -> None:
        facts = page.facts
        if not facts or page.status != 200:
            return
        page_links = {link.url for link in page.links if link.kind == "page"}
        self.pages_seen += 1
        self.link_counts.update(page_links)
        if page.depth == 0:
            return
        listing = facts.get("list")
        if listing and listing.get("dated") and not facts.get("date"):
            pages = listing.get("pages") or []
            self.continuations.update(p for p in pages[1:] if p != page.url)
            column = facts.get("column") or ""
            self.lists[page.url] = (evidence_of(page), listing.get("newest"), column)
        elif facts.get("empty"):
            self.empty.append((page.url, evidence_of(page), facts.get("column"), page_links))

    def findings(self, site: SiteContext) -> list[dict]:
        kinds = load_column_kinds(site.config.data_dir)
        out = []
        for url, (page_evidence, newest, name) in self.lists.items():
            if url in self.continuations:
                continue
            kind = kinds.kind_of(name)
            if kind is None:
                continue
            age = days_old(newest, site.today)
            if age is None or age > kind.days:
                evidence = page_evidence | {"column": name, "kind": kind.name,
                                            "window_days": kind.days}  # fmt: skip
                out.append({"code": "column_stale", "url": url, "last_update": newest,
                            "evidence": evidence})  # fmt: skip
        template = {
            url for url, count in self.link_counts.items()
            if count >= self.TEMPLATE_SHARE * self.pages_seen
        } if self.pages_seen >= 4 else set()  # fmt: skip
        for url, page_evidence, column, links in self.empty:
            # "暂无信息" on a channel page that leads to sub-columns is not an empty column.
            own = links - template - {url, site.start_url}
            if url in self.continuations or own:
                continue
            evidence = page_evidence | {"column": column}
            out.append({"code": "column_empty", "url": url, "evidence": evidence})
        return out
