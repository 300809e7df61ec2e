"""Whole-site crawls against local servers: scope, checks, evidence, bounds, hooks."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections import Counter

from govsite.crawler import (
    Link,
    crawl_site,
    crawl_sites,
    load_crawl,
    load_evidence,
    resolve_deferred,
)
from govsite.crawler.links import extract_links
from govsite.crawler.results import is_failing
from govsite.crawler.selfbench import make_web


def crawl(url, settings, job_dir, **kwargs):
    return asyncio.run(crawl_site(url, settings, job_dir, **kwargs))


def by_url(records):
    return {rec.url: rec for rec in records}


def test_generated_site_is_crawled_completely_and_every_broken_link_found(
    serve_site, fast, closed_port, tmp_path
):
    webs, truth = make_web(1, 60, [0], [closed_port()])
    site, base = serve_site(webs[0])
    result = crawl(f"{base}/", fast(), tmp_path)
    assert result.state == "finished" and result.probe_error is None
    pages = list(result.pages())
    ok = [p for p in pages if p.status == 200]
    assert len(ok) == truth["html_pages"]
    broken = [p for p in pages if p.error] + [c for c in result.checked() if c.error]
    assert len(broken) == truth["broken_internal"] + truth["dead_external"]
    assert {p.error for p in pages if p.error} == {"http_404"}
    assert all(p.referrers for p in pages if p.depth > 0)
    assert site.hits["GET /"] == 1  # every URL fetched once


def test_broken_images_and_external_links_are_reported_with_their_pages(
    serve_site, fast, closed_port, tmp_path
):
    _, other = serve_site({"/alive": "<html>alive</html>"})
    dead = f"http://127.0.0.1:{closed_port()}/gone"
    home = (
        f'<a href="/a.html">文章 A</a> <img src="/missing.png" alt="标志">'
        f'<a href="{dead}">失效链接</a> <a href="{other}/nothing">外部404</a>'
        f'<a href="{other}/alive">外部正常</a> <a href="/files/report.pdf">附件</a>'
    )
    pdf = (200, {"Content-Type": "application/pdf"}, b"%PDF-1.4")
    site, base = serve_site(
        {
            "/": home,
            "/a.html": '<img src="/missing.png"><a href="/">首页</a>',
            "/files/report.pdf": pdf,
        }
    )
    result = crawl(f"{base}/", fast(), tmp_path)
    checks = by_url(result.checked())
    image = checks[f"{base}/missing.png"]
    assert image.kind == "image" and image.error == "http_404" and image.internal
    assert image.found_on == [f"{base}/", f"{base}/a.html"]
    assert checks[dead].error == "connect" and checks[dead].found_on == [f"{base}/"]
    assert checks[f"{other}/nothing"].error == "http_404"
    assert checks[f"{other}/alive"].error is None and not checks[f"{other}/alive"].internal
    attachment = checks[f"{base}/files/report.pdf"]
    assert attachment.kind == "attachment" and attachment.status == 200
    # Referrers looked up only where asked (the checks need them for failures only).
    failing = by_url(result.checked(referrers_when=lambda status, error: error is not None))
    assert failing[dead].found_on == [f"{base}/"] and failing[f"{other}/alive"].found_on == []
    assert attachment.method == "HEAD"
    assert "GET /files/report.pdf" not in site.hits  # checked, never downloaded
    pages = by_url(result.pages())
    assert set(pages) == {f"{base}/", f"{base}/a.html"}  # external and attachments not crawled
    home_links = {link.url: link for link in pages[f"{base}/"].links}
    assert home_links[f"{base}/a.html"].text == "文章 A"
    assert home_links[f"{base}/missing.png"].kind == "image"
    assert home_links[f"{base}/missing.png"].text == "标志"
    assert pages[f"{base}/a.html"].referrers == [f"{base}/"]
    assert result.errors == {"http_404": 2, "connect": 1}


def test_pages_split_into_working_and_failing_ones(serve_site, fast, tmp_path):
    """The checks read working pages first and failing ones (with referrers) later: the two
    reads are exactly all pages, and a page without links costs no links query."""
    _, base = serve_site({"/": '<a href="/ok.html">好</a><a href="/gone.html">坏</a>'
                               '<a href="/boom.html">错</a>',
                          "/ok.html": "<p>没有链接</p>",
                          "/boom.html": (500, {"Content-Type": "text/html"}, "<p>err</p>")})  # fmt: skip
    result = crawl(f"{base}/", fast(), tmp_path)
    working = [p.url for p in result.pages(failing=False)]
    failing = [p.url for p in result.pages(failing=True)]
    assert working == [f"{base}/", f"{base}/ok.html"]
    assert sorted(failing) == [f"{base}/boom.html", f"{base}/gone.html"]
    assert sorted(working + failing) == sorted(p.url for p in result.pages())
    assert all(is_failing(p.status, p.error) for p in result.pages(failing=True))
    assert by_url(result.pages())[f"{base}/ok.html"].links == []


def test_every_page_body_is_kept_as_evidence_once(serve_site, fast, tmp_path):
    same = "<html><body>同一个页面</body></html>"
    _, base = serve_site({"/": '<a href="/x">x</a><a href="/y">y</a>', "/x": same, "/y": same})
    result = crawl(f"{base}/", fast(), tmp_path)
    pages = by_url(result.pages())
    assert pages[f"{base}/x"].body_sha256 == pages[f"{base}/y"].body_sha256
    assert result.load_evidence(pages[f"{base}/x"].body_sha256) == same.encode()
    assert load_evidence(pages[f"{base}/"].body_sha256, tmp_path).startswith(b'<a href="/x">')
    assert pages[f"{base}/x"].fetched_at.endswith("+00:00")
    assert pages[f"{base}/x"].headers["content-type"].startswith("text/html")
    conn = sqlite3.connect(tmp_path / "crawl.sqlite")
    assert conn.execute("SELECT count(*) FROM blobs").fetchone()[0] == 2


def test_gbk_and_invalid_byte_pages_are_decoded_without_crashing(serve_site, fast, tmp_path):
    gbk = '<meta charset="gb2312"><a href="/utf8">政府信息公开</a>'.encode("gbk") + b"\xff\x81\xfe"
    bad_utf8 = b'<meta charset="utf-8"><a href="/undeclared">\xe6\x94\xbf\xff\xfe\xe5</a>'
    undeclared = '<a href="/end">通知公告</a>'.encode("gbk")
    _, base = serve_site(
        {
            "/": (200, {"Content-Type": "text/html"}, gbk),
            "/utf8": (200, {"Content-Type": "text/html"}, bad_utf8),
            "/undeclared": (200, {"Content-Type": "text/html"}, undeclared),
            "/end": "<html>end</html>",
        }
    )
    result = crawl(f"{base}/", fast(), tmp_path)
    pages = by_url(result.pages())
    assert set(pages) == {f"{base}/", f"{base}/utf8", f"{base}/undeclared", f"{base}/end"}
    assert pages[f"{base}/"].encoding == "gb18030"
    assert pages[f"{base}/"].links[0].text == "政府信息公开"
    assert pages[f"{base}/undeclared"].links[0].text == "通知公告"
    assert "crawl/internal_error" not in str(result.stats)


def maze_site():
    async def maze(request):
        n = int(request.query.get("n", "0"))
        return _page(f'<a href="/maze?n={n + 1}">deeper</a><a href="/maze?n={n + 1}&x=1">x</a>')

    async def calendar(request):
        year, month = map(int, request.query.get("month", "2028-10").split("-"))
        prev = f"{year - (month == 1)}-{(month - 2) % 12 + 1:02d}"
        nxt = f"{year + (month == 12)}-{month % 12 + 1:02d}"
        return _page(f'<a href="/cal?month={prev}">上月</a><a href="/cal?month={nxt}">下月</a>')

    async def listing(request):
        page = int(request.query.get("page", "1"))
        sid = request.query.get("sid", "0")
        return _page(
            f'<a href="/list?page={page + 1}&sid={sid}">下一页</a>'
            f'<a href="/list?page={page}&sid={int(sid) + 1}">刷新</a>'
        )

    async def loop(request):
        return _page('<a href="a/">again</a>')

    home = '<a href="/maze?n=0">迷宫</a><a href="/cal">日历</a><a href="/list">列表</a>'
    return {"/": home, "/maze": maze, "/cal": calendar, "/list": listing, "/loop/*": loop}


def _page(body: str):
    from aiohttp import web

    return web.Response(text=f"<html><body>{body}</body></html>", content_type="text/html")


def test_traps_stop_at_their_bounds_and_are_reported(serve_site, fast, tmp_path):
    pages = maze_site()
    pages["/"] += '<a href="/loop/a/">循环</a>'
    site, base = serve_site(pages)
    started = time.monotonic()
    settings = fast(max_depth=12, max_query_variants=25, max_pages=400)
    result = crawl(f"{base}/", settings, tmp_path)
    assert time.monotonic() - started < 15
    assert result.state == "finished"
    assert result.pages_done < 400
    for bound in ("max_depth", "calendar", "query_explosion", "repeating_segments"):
        assert result.skipped.get(bound), (bound, result.skipped)
        assert result.stats[f"crawl/bounds/{bound}"] == result.skipped[bound]
    skipped = dict(result.skipped_urls())
    assert skipped[f"{base}/cal?month=2029-01"] == "calendar"  # > this year + 2
    assert not any("month=2029" in path for path in site.fetched())


def test_max_pages_bounds_the_crawl(serve_site, fast, tmp_path):
    _, base = serve_site(maze_site())
    result = crawl(f"{base}/", fast(max_pages=10), tmp_path)
    assert result.pages_done == 10
    assert result.skipped["max_pages"] > 0


def test_robots_disallowed_pages_are_not_fetched_and_are_counted(serve_site, fast, tmp_path):
    robots = (200, {"Content-Type": "text/plain"}, "User-agent: *\nDisallow: /private/\n")
    site, base = serve_site(
        {
            "/robots.txt": robots,
            "/": '<a href="/private/a">秘密</a><a href="/public">公开</a>',
            "/public": '<a href="/private/b">秘密</a>',
            "/private/a": "secret",
        }
    )
    result = crawl(f"{base}/", fast(), tmp_path)
    assert not any(path.startswith("/private") for path in site.fetched())
    assert site.hits["GET /robots.txt"] == 1  # fetched once, cached
    assert result.stats["crawl/robots/forbidden"] == 2
    assert result.skipped["robots"] == 2
    assert by_url(result.pages())[f"{base}/private/a"].error == "robots"


def test_robots_server_error_allows_all_and_is_recorded(serve_site, fast, tmp_path):
    site, base = serve_site(
        {"/robots.txt": (500, {}, "oops"), "/": '<a href="/p">p</a>', "/p": "p"}
    )
    result = crawl(f"{base}/", fast(), tmp_path)
    assert "GET /p" in site.hits
    assert result.stats["crawl/robots/fetch/failed/http_500"] == 1


def test_robots_crawl_delay_slows_the_host_down(serve_site, fast, tmp_path):
    robots = (200, {}, "User-agent: *\nCrawl-delay: 0.2\n")
    links = "".join(f'<a href="/p{i}">p</a>' for i in range(3))
    _, base = serve_site({"/robots.txt": robots, "/": links, **{f"/p{i}": "p" for i in range(3)}})
    started = time.monotonic()
    result = crawl(f"{base}/", fast(), tmp_path)
    assert time.monotonic() - started >= 0.55  # 4 pages 0.2 s apart
    assert result.stats["crawl/robots/crawl_delay_applied"] == 1


def test_home_page_not_answering_in_time_is_a_failed_probe(hostile_server, fast, tmp_path):
    _, base = hostile_server
    started = time.monotonic()
    result = crawl(f"{base}/hang", fast(home_timeout=0.5, total_timeout=5.0), tmp_path)
    assert time.monotonic() - started < 2.5
    assert result.state == "failed"
    assert result.probe_error == "timeout"
    assert result.stats["crawl/probe/failed/timeout"] == 1


def test_pluggable_extractor_and_extra_urls_hook(serve_site, fast, tmp_path):
    site, base = serve_site(
        {
            "/": '<a href="/seen">seen</a><a href="/ignored">ignored</a>',
            "/seen": "seen",
            "/script-page-2": "<html>second page built by a script</html>",
        }
    )
    calls = []

    def only_seen(text: str, url: str) -> list[Link]:
        calls.append(url)
        return [link for link in extract_links(text, url) if "ignored" not in link.url]

    def pagination(text: str, url: str) -> list[str]:
        return ["/script-page-2"] if url == f"{base}/" else []  # relative URLs are fine

    result = crawl(f"{base}/", fast(), tmp_path, extract_links=only_seen, extra_urls=pagination)
    assert f"{base}/" in calls
    assert "GET /ignored" not in site.hits
    assert "GET /script-page-2" in site.hits
    extra = [link for link in by_url(result.pages())[f"{base}/"].links if link.tag == "extra"]
    assert [link.url for link in extra] == [f"{base}/script-page-2"]


def test_progress_callback_reports_pages_and_rate(serve_site, fast, tmp_path):
    _, base = serve_site({"/": '<a href="/a">a</a>', "/a": "a"})
    seen = []
    crawl(f"{base}/", fast(), tmp_path, progress=lambda done, rate: seen.append((done, rate)))
    assert seen and seen[-1][0] == 2
    assert all(isinstance(rate, float) and rate >= 0 for _, rate in seen)


def test_sites_are_crawled_concurrently_each_in_its_own_scope(serve_site, fast, tmp_path):
    bases = []
    sites = []
    for _ in range(3):
        site, base = serve_site({}, delay=0.05)
        sites.append(site)
        bases.append(base)
    for i, site in enumerate(sites):
        other = bases[(i + 1) % 3]
        site.pages.update(
            {"/": f'<a href="/p">p</a><a href="{other}/p">兄弟单位</a>', "/p": f"page {i}"}
        )
    settings = fast(per_host_concurrency=1)
    started = time.monotonic()
    results = asyncio.run(crawl_sites(bases, settings, tmp_path))
    elapsed = time.monotonic() - started
    assert [r.start_url for r in results] == [f"{b}/" for b in bases]
    for result, base in zip(results, bases, strict=True):
        assert {p.url for p in result.pages()} == {f"{base}/", f"{base}/p"}
        assert [c.internal for c in result.checked()] == [False]
    # 3 sites x (robots + 2 pages + 1 HEAD of the neighbour) at 0.05 s each, one at a time per
    # port: sequential would be >= 0.6 s; separate ports are separate hosts and overlap.
    assert elapsed < 0.6
    assert all(site.max_in_flight == 1 for site in sites)
    assert len(load_crawl(tmp_path)) == 3


def test_per_host_concurrency_cap_is_respected(serve_site, fast, tmp_path):
    links = "".join(f'<a href="/p{i}">p</a>' for i in range(12))
    site, base = serve_site({"/": links, **{f"/p{i}": "p" for i in range(12)}}, delay=0.03)
    crawl(f"{base}/", fast(per_host_concurrency=2, site_workers=8), tmp_path)
    assert site.max_in_flight == 2


def test_home_redirect_target_counts_as_the_same_site(serve_site, fast, tmp_path):
    _, new = serve_site({"/portal/": '<a href="/portal/a">a</a>', "/portal/a": "a"})
    _, old = serve_site({"/": (302, {"Location": f"{new}/portal/"}, b"")})
    result = crawl(f"{old}/", fast(), tmp_path)
    assert {p.url for p in result.pages()} == {f"{old}/", f"{new}/portal/a"}
    assert result.stats["crawl/scope/home_redirect_alias"] == 1
    assert len(result.site_keys) == 2


def test_internal_non_html_target_keeps_status_and_headers_only(serve_site, fast, tmp_path):
    download = (200, {"Content-Type": "application/octet-stream"}, b"\0" * 5000)
    _, base = serve_site({"/": '<a href="/download?id=1">下载</a>', "/download": download})
    result = crawl(f"{base}/", fast(), tmp_path)
    page = by_url(result.pages())[f"{base}/download?id=1"]
    assert page.status == 200 and page.content_type == "application/octet-stream"
    assert page.body_sha256 is None and page.links == []


def test_finished_job_is_not_crawled_again(serve_site, fast, tmp_path):
    site, base = serve_site({"/": '<a href="/a">a</a>', "/a": "a"})
    first = crawl(f"{base}/", fast(), tmp_path)
    hits = sum(site.hits.values())
    again = crawl(f"{base}/", fast(), tmp_path)
    assert sum(site.hits.values()) == hits
    assert again.pages_done == first.pages_done == 2


def test_huge_page_is_truncated_at_the_cap_parsed_and_recorded(serve_site, fast, tmp_path):
    big = b'<html><body><a href="/early">early</a>' + b"<p>filler</p>" * (20 * 1024 * 1024 // 13)
    _, base = serve_site({"/": '<a href="/big">big</a>', "/big": big, "/early": "early"})
    result = crawl(f"{base}/", fast(max_body_bytes=2 << 20), tmp_path)
    page = by_url(result.pages())[f"{base}/big"]
    assert page.truncated and page.size == 2 << 20 and page.error is None
    assert [link.url for link in page.links] == [f"{base}/early"]  # the part we kept is parsed
    assert result.stats["crawl/page/truncated"] == 1
    assert result.stats["crawl/response/too_large"] == 1


def test_an_external_target_linked_from_several_sites_is_checked_once(serve_site, fast, tmp_path):
    portal, portal_base = serve_site({"/": "<html>中国政府网</html>"})
    bases = [serve_site({"/": f'<a href="{portal_base}/">中国政府网</a>'})[1] for _ in range(3)]
    results = asyncio.run(crawl_sites(bases, fast(), tmp_path))
    assert portal.hits["HEAD /"] == 1
    for result in results:
        (target,) = result.checked()
        assert target.status == 200 and target.found_on == [f"{result.start_url}"]
    assert sum(r.stats.get("crawl/check/cache_hit", 0) for r in results) == 2


def test_links_to_a_site_another_process_crawls_are_answered_from_its_crawl(
    serve_site, fast, tmp_path
):
    """Sharded runs: site A (this process) links to site B (crawled by another process).
    A's crawl sends B no request; afterwards each link gets B's own result for that URL, and
    a URL B never fetched is checked then. Nothing is requested twice, nothing left open."""
    b, b_base = serve_site({"/": '<a href="/news.html">要闻</a><a href="/gone.html">旧</a>',
                            "/news.html": "<p>要闻</p>",
                            "/hidden.html": "<p>未链接</p>"})  # fmt: skip
    a, a_base = serve_site({"/": f'<a href="{b_base}/news.html">B 要闻</a>'
                                 f'<a href="{b_base}/gone.html">B 旧链接</a>'
                                 f'<a href="{b_base}/hidden.html">B 未链接页</a>'})  # fmt: skip
    # B's own crawl (its process) and A's crawl, which knows B is crawled elsewhere.
    asyncio.run(crawl_sites([b_base], fast(), tmp_path / "shard-1"))
    fetched_by_b = dict(b.hits)
    (a_crawl,) = asyncio.run(
        crawl_sites([a_base], fast(), tmp_path / "shard-0", crawled_elsewhere=[b_base])
    )
    assert b.hits == fetched_by_b  # A's crawl asked B for nothing ...
    assert a_crawl.stats["crawl/check/deferred"] == 3 and list(a_crawl.checked()) == []
    resolved = asyncio.run(resolve_deferred(tmp_path / "shard-0", a_crawl.site_id,
                                            [tmp_path / "shard-1"], fast()))  # fmt: skip
    assert resolved == 3
    # ... B's crawl answered what it fetched; only the page B never reached was checked now.
    assert b.hits - Counter(fetched_by_b) == Counter({"GET /robots.txt": 1, "HEAD /hidden.html": 1})
    (a_crawl,) = load_crawl(tmp_path / "shard-0")
    checked = {t.url: t for t in a_crawl.checked()}
    assert checked[f"{b_base}/news.html"].status == 200
    assert checked[f"{b_base}/news.html"].method == "GET"  # B's fetch of the page
    assert checked[f"{b_base}/gone.html"].status == 404
    assert checked[f"{b_base}/gone.html"].found_on == [f"{a_base}/"]
    assert checked[f"{b_base}/hidden.html"].status == 200
    assert a_crawl.checks_done == 3
    assert a_crawl.stats["crawl/check/from_other_process"] == 2
    # Resolving again finds nothing left and sends nothing.
    hits = Counter(b.hits)
    assert asyncio.run(resolve_deferred(tmp_path / "shard-0", a_crawl.site_id,
                                        [tmp_path / "shard-1"], fast())) == 0  # fmt: skip
    assert b.hits == hits


def test_deferred_checks_are_not_requeued_when_a_crawl_resumes(serve_site, fast, tmp_path):
    b, b_base = serve_site({"/": "<p>B</p>"})
    _, a_base = serve_site({"/": f'<a href="{b_base}/">B</a><a href="/x.html">x</a>',
                            "/x.html": "<p>x</p>"})  # fmt: skip
    asyncio.run(crawl_sites([a_base], fast(), tmp_path, crawled_elsewhere=[b_base]))
    conn = sqlite3.connect(tmp_path / "crawl.sqlite")
    conn.execute(
        "DELETE FROM results WHERE url_id = (SELECT id FROM urls WHERE url LIKE ?)", ("%/x.html",)
    )  # fmt: skip  -- as if killed before x.html was fetched
    conn.execute("UPDATE sites SET state = 'running'")
    conn.commit()
    conn.close()
    (again,) = asyncio.run(crawl_sites([a_base], fast(), tmp_path, crawled_elsewhere=[b_base]))
    assert again.pages_done == 2 and not b.hits  # x.html fetched again; B still untouched


def test_page_analyser_supplies_the_links_and_its_facts_are_stored(serve_site, fast, tmp_path):
    seen = []

    def analyse(text, url):
        seen.append(url)
        links = extract_links(text, url)
        return links, {"title_length": len(text), "url": url}

    _, base = serve_site({"/": '<a href="/a.html">A</a>', "/a.html": "<p>正文</p>"})
    result = crawl(f"{base}/", fast(), tmp_path, analyse=analyse)
    pages = by_url(result.pages())
    assert sorted(seen) == [f"{base}/", f"{base}/a.html"]
    assert pages[f"{base}/a.html"].facts == {
        "title_length": len("<p>正文</p>"),
        "url": f"{base}/a.html",
    }


def test_a_failing_page_analyser_does_not_stop_the_crawl(serve_site, fast, tmp_path):
    def analyse(text, url):
        if url.endswith("/a.html"):
            raise ValueError("hostile page")
        return extract_links(text, url), None

    _, base = serve_site(
        {"/": '<a href="/a.html">A</a>', "/a.html": '<a href="/b.html">B</a>', "/b.html": "b"}
    )
    result = crawl(f"{base}/", fast(), tmp_path, analyse=analyse)
    pages = by_url(result.pages())
    assert pages[f"{base}/b.html"].status == 200  # links still followed without the analyser
    assert "hostile page" in pages[f"{base}/a.html"].facts["analyse_error"]
    assert result.stats["crawl/analyse/error/ValueError"] == 1


def test_excluded_external_hosts_are_recorded_but_never_requested(
    serve_site, fast, closed_port, tmp_path
):
    dead = f"http://localhost:{closed_port()}/badge"
    _, base = serve_site({"/": f'<a href="{dead}">党政机关</a>'})
    result = crawl(f"{base}/", fast(skip_check_hosts=frozenset({"localhost"})), tmp_path)
    assert not [c for c in result.checked() if c.error]
    assert result.skipped.get("excluded_host") == 1
