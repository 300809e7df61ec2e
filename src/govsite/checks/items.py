"""missing_item: a mandated column or function not found anywhere on the site (信息公开
目录, 互动交流, 办事服务 …). A site offers an item when a link text, a page title or a
column name contains one of the item's names in items.yaml; ``search`` is also offered by
a search form."""

from govsite.checks.base import Check, SiteContext
from govsite.checks.dictionaries import ITEMS, item_matcher
from govsite.crawler.results import PageRecord


class MissingItems(Check):
    codes = ("missing_item",)
    # Texts already matched, so nav links (on every page) are matched once; cleared when this
    # full so memory does not grow with the site (matching a text again changes nothing).
    SEEN_LIMIT = 20_000

    def __init__(self) -> None:
        self.offered: set[str] = set()
        self.seen: set[str] = set()
        self.search_form = False

    def __getstate__(self) -> dict:
        return self.__dict__ | {"seen": set()}  # a cache: not worth pickling to another process

    def see_page(self, page: PageRecord, site: SiteContext) -> None:
        facts = page.facts or {}
        if page.status == 200:
            self.search_form = self.search_form or bool(facts.get("search_form"))
        if len(self.offered) == len(ITEMS):
            return  # every item offered: nothing left to find
        texts = [link.text for link in page.links if link.text and len(link.text) <= 40]
        if page.status == 200:
            texts.extend(t for t in (facts.get("title"), facts.get("column")) if t)
        seen = self.seen
        new = []
        for text in texts:
            if text not in seen:
                if len(seen) >= self.SEEN_LIMIT:
                    seen.clear()
                seen.add(text)
                new.append(text)
        if new:
            self.offered |= item_matcher(site.config.data_dir)(new)

    def findings(self, site: SiteContext) -> list[dict]:
        if site.home is None:
            return []
        offered = self.offered | ({"search"} if self.search_form else set())
        return [{"code": "missing_item", "item": item} for item in ITEMS if item not in offered]
