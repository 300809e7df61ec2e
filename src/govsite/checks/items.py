"""missing_item: a mandated column or function not found anywhere on the site (信息公开
目录, 互动交流, 办事服务 …). A site offers an item when a link text, a page title or a
column name contains one of the item's names in items.yaml; ``search`` is also offered by
a search form."""

from govsite.checks.base import Check, SiteContext
from govsite.checks.dictionaries import ITEMS, item_matcher
from govsite.crawler.results import PageRecord


class MissingItems(Check):
    codes = ("missing_item",)

    def __init__(self) -> None:
        self.texts: set[str] = set()
        self.search_form = False

    def see_page(self, page: PageRecord, site: SiteContext) -> None:
        facts = page.facts or {}
        if page.status == 200:
            self.texts.update(t for t in (facts.get("title"), facts.get("column")) if t)
            self.search_form = self.search_form or bool(facts.get("search_form"))
        for link in page.links:
            if link.text and len(link.text) <= 40:
                self.texts.add(link.text)

    def findings(self, site: SiteContext) -> list[dict]:
        if site.home is None:
            return []
        offered_by = item_matcher(site.config.data_dir)
        offered = {"search"} if self.search_form else set()
        for text in self.texts:
            offered |= offered_by(text)
        return [{"code": "missing_item", "item": item} for item in ITEMS if item not in offered]
