"""Each check, on the case it exists for and on the case it must leave alone."""

from govsite.checks.messages import MessagesOverdue

from .conftest import HOME, page, run


def test_messages_overdue_counts_only_last_year_and_older_than_three_months(site):
    board = page(f"{HOME}wsly/", facts={"messages": {"rows": 9, "open": [
        "2025-10-30",  # 21 days: not yet overdue
        "2025-08-01", "2025-07-01",  # overdue
        "2024-10-01",  # older than a year: outside the look-back
    ]}, "list": {"pages": [f"{HOME}wsly/", f"{HOME}wsly/index_1.html"]}})  # fmt: skip
    second = page(
        f"{HOME}wsly/index_1.html", facts={"messages": {"rows": 5, "open": ["2025-03-03"]}}
    )
    [finding] = run(MessagesOverdue(), site(), pages=[page(HOME, facts={}), board, second])
    assert (finding["url"], finding["count"]) == (f"{HOME}wsly/", 3)
