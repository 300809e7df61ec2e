"""Each check, on the case it exists for and on the case it must leave alone."""

from govsite.checks.items import MissingItems

from .conftest import HOME, page, run


def test_missing_items_are_found_from_link_texts_under_any_synonym(site):
    links = [("u", "page", name) for name in ("解读回应", "县长信箱", "English", "网上留言")]
    findings = run(
        MissingItems(), site(), pages=[page(HOME, facts={"search_form": True}, links=links)]
    )
    missing = {f["item"] for f in findings}
    assert not missing & {"policy_interpretation", "mailbox", "english", "message_board", "search"}
    assert {"budget", "annual_report", "interview"} <= missing


def test_discipline_inspection_mailbox_is_not_a_leader_mailbox(site):
    links = [("u", "page", "纪检监察信箱")]
    findings = run(MissingItems(), site(), pages=[page(HOME, facts={}, links=links)])
    assert "mailbox" in {f["item"] for f in findings}


def test_forgetting_seen_texts_loses_no_item(site, monkeypatch):
    """The de-duplication set is bounded; items found before it was cleared stay found."""
    monkeypatch.setattr(MissingItems, "SEEN_LIMIT", 2)
    pages = [page(HOME, facts={}, links=[("u", "page", name)])
             for name in ("解读回应", "甲", "乙", "丙", "县长信箱", "解读回应")]  # fmt: skip
    missing = {f["item"] for f in run(MissingItems(), site(), pages=pages)}
    assert "policy_interpretation" not in missing and "mailbox" not in missing
