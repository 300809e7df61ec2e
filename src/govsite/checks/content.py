"""Checks on what pages say: guide_incomplete (办事指南要素), forbidden_expression (严重表述
错误), mixed_content (https pages loading http resources)."""

from govsite.checks.base import Check, SiteContext, evidence_of
from govsite.crawler.results import PageRecord


class GuideIncomplete(Check):
    codes = ("guide_incomplete",)

    def __init__(self) -> None:
        self.found: list[dict] = []

    def see_page(self, page: PageRecord, site: SiteContext) -> None:
        missing = (page.facts or {}).get("guide_missing")
        if missing:
            self.found.append({"code": "guide_incomplete", "url": page.url, "missing": missing,
                               "evidence": evidence_of(page)})  # fmt: skip

    def findings(self, site: SiteContext) -> list[dict]:
        return self.found


class ForbiddenExpressions(Check):
    codes = ("forbidden_expression",)

    def __init__(self) -> None:
        self.found: list[dict] = []

    def see_page(self, page: PageRecord, site: SiteContext) -> None:
        for wrong, right in (page.facts or {}).get("forbidden", ()):
            self.found.append({"code": "forbidden_expression", "url": page.url, "text": wrong,
                               "correct": right or None, "evidence": evidence_of(page)})  # fmt: skip

    def findings(self, site: SiteContext) -> list[dict]:
        return self.found


class MixedContent(Check):
    codes = ("mixed_content",)

    def __init__(self) -> None:
        self.found: list[dict] = []

    def see_page(self, page: PageRecord, site: SiteContext) -> None:
        insecure = (page.facts or {}).get("mixed")
        if insecure:
            self.found.append({"code": "mixed_content", "url": page.url, "resources": insecure,
                               "evidence": evidence_of(page)})  # fmt: skip

    def findings(self, site: SiteContext) -> list[dict]:
        return self.found
