"""messages_overdue (互动回应差): the site's own message board lists consultation messages
posted within the look-back (1 year) and still unanswered after the limit (3 months).
Rows of one board's pages are added up and reported on the board's first page."""

from datetime import date

from govsite.checks.base import Check, SiteContext, evidence_of
from govsite.crawler.results import PageRecord


class MessagesOverdue(Check):
    codes = ("messages_overdue",)

    def __init__(self) -> None:
        self.boards: dict[str, tuple[dict, list[str]]] = {}  # first page: (evidence, open)
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
        if first not in self.boards:
            self.boards[first] = (evidence_of(page), [])
        _, opened = self.boards[first]
        opened.extend(board["open"])

    def findings(self, site: SiteContext) -> list[dict]:
        cfg = site.config
        out = []
        for url, (page_evidence, opened) in self.boards.items():
            overdue = [
                posted for posted in opened
                if cfg.message_unanswered_days
                < (site.today - date.fromisoformat(posted)).days
                <= cfg.message_lookback_days
            ]  # fmt: skip
            if overdue:
                evidence = page_evidence | {"oldest": min(overdue), "newest": max(overdue)}
                out.append({"code": "messages_overdue", "url": url, "count": len(overdue),
                            "evidence": evidence})  # fmt: skip
        return out
