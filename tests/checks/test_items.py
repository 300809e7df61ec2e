"""Each check, on the case it exists for and on the case it must leave alone."""

import pickle

from govsite.checks import SiteChecks
from govsite.checks.dictionaries import item_matcher
from govsite.checks.items import MissingItems

from .conftest import HOME, TODAY, page, run


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


def test_texts_are_matched_together_but_excluded_one_by_one():
    """A page's new link texts go through the dictionary in one pass; an exclusion word
    (纪检) still only cancels the text it is in, wherever that text sits in the batch."""
    offered = item_matcher()
    assert "mailbox" not in offered(["纪检监察信箱", "通知公告"])
    assert "mailbox" in offered(["纪检监察信箱", "县长信箱"])
    assert "mailbox" in offered(["县长信箱", "纪检监察信箱"])
    # "İ" grows when lower-cased: the texts after it are still told apart correctly
    assert "mailbox" in offered(["İİİ纪检", "县长信箱"])
    assert offered([]) == set() and offered(["", "甲"]) == set()


def test_site_checks_cross_processes_without_their_text_cache():
    """A sharded run reads a site's pages in one process and finishes it in another: what
    was found travels (pickled), the cache of texts already matched does not."""
    checks = SiteChecks("测试站", HOME, TODAY)
    checks.see_page(page(HOME, facts={"title": "首页"}, links=[("u", "page", "县长信箱")]))
    again = pickle.loads(pickle.dumps(checks))
    items = next(check for check in again.checks if isinstance(check, MissingItems))
    assert "mailbox" in items.offered and items.seen == set()
    assert again.site.home.url == HOME
    before = next(check for check in checks.checks if isinstance(check, MissingItems))
    assert items.findings(again.site) == before.findings(checks.site)  # same missing items
