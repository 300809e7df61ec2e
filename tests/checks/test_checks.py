"""Each check, on the case it exists for and on the case it must leave alone."""

from govsite.checks.broken_links import BrokenLinks
from govsite.checks.content import ForbiddenExpressions, GuideIncomplete, MixedContent
from govsite.checks.footer import FooterIncomplete
from govsite.checks.freshness import Columns, HomepageStale
from govsite.checks.items import MissingItems
from govsite.checks.messages import MessagesOverdue
from govsite.checks.server_errors import ServerErrors, SlowPages
from govsite.checks.unreachable import Unreachable

from .conftest import HOME, page, run, target

FULL_FOOTER = {"site_code": "3201000001", "icp": "苏ICP备1号", "police_record": "苏公网安备1号",
               "party_gov_badge": True}  # fmt: skip


def test_unreachable_site_is_one_finding_with_the_reason(site):
    ctx = site()
    ctx.state, ctx.probe_error = "failed", "timeout"
    assert Unreachable().findings(ctx) == [
        {"code": "site_unreachable", "evidence": {"error": "timeout"}}
    ]


def test_broken_targets_are_reported_once_with_every_page_they_are_on(site):
    findings = run(BrokenLinks(), site(), pages=[
        page(HOME),
        page(f"{HOME}gone.html", status=404, error="http_404", referrers=[f"{HOME}b", HOME]),
    ], targets=[
        target(f"{HOME}logo.png", status=404, error="http_404", found_on=[HOME, f"{HOME}a"]),
        target("http://dead.example/", error="connect", kind="page", internal=False),
        target(f"{HOME}ok.png", status=200),
        target(f"{HOME}admin/", error="robots"),
    ])  # fmt: skip
    by_url = {f["url"]: f for f in findings}
    assert set(by_url) == {f"{HOME}gone.html", f"{HOME}logo.png", "http://dead.example/"}
    assert by_url[f"{HOME}logo.png"]["pages"] == [HOME, f"{HOME}a"]
    assert by_url[f"{HOME}gone.html"]["page"] == HOME
    assert by_url["http://dead.example/"]["evidence"]["error"] == "connect"


def test_a_5xx_page_is_a_server_error_not_a_broken_link(site):
    broken = page(f"{HOME}apply.jsp", status=500, error="http_500", referrers=[HOME])
    assert run(BrokenLinks(), site(), pages=[page(HOME), broken]) == []
    errors = run(ServerErrors(), site(), pages=[page(HOME), broken])
    assert [f["url"] for f in errors] == [f"{HOME}apply.jsp"]


def test_slow_page_uses_the_configured_limit(site):
    slow = page(f"{HOME}slow.html", elapsed=3.5)
    assert len(run(SlowPages(), site(), pages=[slow])) == 1
    assert run(SlowPages(), site(slow_page_seconds=5.0), pages=[slow]) == []


def test_home_page_older_than_two_weeks_is_stale(site):
    home = page(HOME, facts={"newest_linked": "2025-11-05"})
    [finding] = run(HomepageStale(), site(), pages=[home])
    assert finding["last_update"] == "2025-11-05"
    fresh = page(HOME, facts={"newest_linked": "2025-11-07"})
    assert run(HomepageStale(), site(), pages=[fresh]) == []


def test_undated_home_page_counts_as_not_updated(site):
    [finding] = run(HomepageStale(), site(), pages=[page(HOME, facts={"title": "首页"})])
    assert finding["last_update"] is None


def column(url, name, newest, pages=()):
    return page(url, facts={"column": name, "list": {"items": 20, "dated": 20, "newest": newest,
                                                     "pages": list(pages)}})  # fmt: skip


def test_column_windows_follow_the_column_kind(site):
    findings = run(Columns(), site(), pages=[
        page(HOME, facts={}),
        column(f"{HOME}ywdt/", "工作动态", "2025-11-01"),   # news, 19 days: stale
        column(f"{HOME}tzgg/", "通知公告", "2025-06-01"),   # notice, 172 days: fresh
        column(f"{HOME}zcwj/", "政策文件", "2025-05-01"),   # notice, 203 days: stale
        column(f"{HOME}rsxx/", "人事信息", "2024-12-01"),   # plan, 354 days: fresh
        column(f"{HOME}lszt/", "历史专题", "2019-01-01"),   # no window
    ])  # fmt: skip
    assert sorted(f["url"] for f in findings) == [f"{HOME}ywdt/", f"{HOME}zcwj/"]


def test_pagination_continuations_are_not_columns_of_their_own(site):
    first = column(
        f"{HOME}ywdt/index.html",
        "工作动态",
        "2025-11-18",
        pages=[f"{HOME}ywdt/index.html", f"{HOME}ywdt/index_1.html"],
    )
    older = column(f"{HOME}ywdt/index_1.html", "工作动态", "2025-08-01")
    assert run(Columns(), site(), pages=[page(HOME, facts={}), first, older]) == []


def test_empty_column_is_found_but_a_channel_page_with_empty_blocks_is_not(site):
    nav = [(f"{HOME}a/", "page", "导航一"), (f"{HOME}b/", "page", "导航二")]
    channel_links = [*nav, (f"{HOME}c/zxft/", "page", "在线访谈")]
    findings = run(Columns(), site(), pages=[
        page(HOME, facts={}, links=nav),
        page(f"{HOME}a/", facts={"column": "甲"}, links=nav),
        page(f"{HOME}b/", facts={"column": "乙"}, links=nav),
        page(f"{HOME}c/", facts={"column": "互动交流", "empty": True}, links=channel_links),
        page(f"{HOME}c/zxft/", facts={"column": "在线访谈", "empty": True}, links=nav),
    ])  # fmt: skip
    assert [f["url"] for f in findings] == [f"{HOME}c/zxft/"]


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


def test_guide_missing_elements_are_listed(site):
    guide = page(f"{HOME}bszn/1.html", facts={"guide_missing": ["fees", "phone"]})
    [finding] = run(GuideIncomplete(), site(), pages=[guide])
    assert finding["missing"] == ["fees", "phone"]


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


def test_footer_parts_missing_from_the_home_page(site):
    footer = dict(FULL_FOOTER, police_record=None, party_gov_badge=False)
    [finding] = run(FooterIncomplete(), site(), pages=[page(HOME, facts={"footer": footer})])
    assert finding["missing"] == ["police_record", "party_gov_badge"]
    assert run(FooterIncomplete(), site(), pages=[page(HOME, facts={"footer": FULL_FOOTER})]) == []


def test_frameset_home_page_is_judged_by_its_frames(site):
    ctx = site()
    home = page(HOME, facts={"footer": {}})
    ctx.home = home
    ctx.frames = [page(f"{HOME}main.htm", facts={"footer": FULL_FOOTER})]
    assert FooterIncomplete().findings(ctx) == []


def test_forbidden_expressions_name_the_correct_form(site):
    article = page(f"{HOME}a.html", facts={"forbidden": [["中华人名共和国", "中华人民共和国"]]})
    [finding] = run(ForbiddenExpressions(), site(), pages=[article])
    assert (finding["text"], finding["correct"]) == ("中华人名共和国", "中华人民共和国")


def test_mixed_content_lists_the_insecure_resources(site):
    https_page = page("https://s.gov.cn/a", facts={"mixed": ["http://cdn.example/x.js"]})
    [finding] = run(MixedContent(), site(), pages=[https_page])
    assert finding["resources"] == ["http://cdn.example/x.js"]
