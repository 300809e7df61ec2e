"""Each check, on the case it exists for and on the case it must leave alone."""

from govsite.checks.freshness import Columns, HomepageStale

from .conftest import HOME, page, run


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
