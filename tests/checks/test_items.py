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
