"""messages_overdue (互动回应差): the site's own message board lists consultation messages
posted within the look-back (1 year) and still unanswered after the limit (3 months).
Rows of one board's pages are added up and reported on the board's first page."""

from datetime import date

from govsite.checks.base import Check, SiteContext, evidence_of
from govsite.crawler.results import PageRecord


class MessagesOverdue(Check):
    codes = ("messages_overdue",)

    def __init__(self) -> None:
        self.boards: dict[str, tuple[PageRecord, list[str]]] = {}
        self.continuations: dict[str, str] = {}

    def see_page(self, page: PageRecord, site: SiteContext) -> None:
        facts = page.facts or {}
        board = facts.get("messages")
        if not board:
            return
        first = self.continuations.get(page.url, page.url)
        pages = (facts.get("list") or {}).get("pages") or []
        for other in pages[1:]:
            self.continuations.setdefault(other, first)
        _, opened = self.boards.setdefault(first, (page, []))
        opened.extend(board["open"])

    def findings(self, site: SiteContext) -> list[dict]:
        cfg = site.config
        out = []
        for url, (page, opened) in self.boards.items():
            overdue = [
                posted for posted in opened
                if cfg.message_unanswered_days
                < (site.today - date.fromisoformat(posted)).days
                <= cfg.message_lookback_days
            ]  # fmt: skip
            if overdue:
                evidence = evidence_of(page) | {"oldest": min(overdue), "newest": max(overdue)}
                out.append({"code": "messages_overdue", "url": url, "count": len(overdue),
                            "evidence": evidence})  # fmt: skip
        return out
