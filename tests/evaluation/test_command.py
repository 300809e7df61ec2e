"""`govsite evaluate` as a user runs it: the output contract, --today, and bad input."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

from govsite.crawler import CrawlSettings, crawl_sites

GOVSITE = Path(sys.executable).with_name("govsite")


def run(*args, cwd=None):
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    return subprocess.run([str(GOVSITE), "evaluate", *args], capture_output=True, text=True,
                          timeout=120, cwd=cwd, env=env)  # fmt: skip


def test_missing_sites_file_is_a_clear_error(tmp_path):
    done = run(str(tmp_path / "nope.csv"), "--out", str(tmp_path / "r.json"))
    assert done.returncode == 2 and "找不到站点文件" in done.stderr


def test_bad_rows_are_named(tmp_path):
    sites = tmp_path / "sites.csv"
    sites.write_text(
        "name,url,unit,category\n甲,ftp://x,,\n,http://y.gov.cn/,,\n", encoding="utf-8"
    )
    done = run(str(sites), "--out", str(tmp_path / "r.json"))
    assert done.returncode == 2
    assert (
        "第 2 行：url 须为 http(s) 网址" in done.stderr and "第 3 行：name 不能为空" in done.stderr
    )


def test_result_file_follows_the_contract_and_today_decides_freshness(tmp_path, aiohttp_site):
    base = aiohttp_site({
        "/": '<title>首页</title><ul>' + "".join(
            f'<li><a href="/n{i}.html">要闻标题{i}号</a><span>2025-11-{10 + i:02d}</span></li>'
            for i in range(6)) + '</ul><a href="/missing.html">坏链接</a>',
    })  # fmt: skip
    sites = tmp_path / "sites.yaml"
    sites.write_text(f"- name: 测试站\n  url: {base}/\n  unit: 测试单位\n  category: other\n",
                     encoding="utf-8")  # fmt: skip
    out = tmp_path / "result.json"
    done = run(str(sites), "--out", str(out), "--today", "2025-11-20", "--no-tls", "--delay", "0")
    assert done.returncode == 0, done.stderr
    assert "站点 1/1 完成" in done.stderr
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["today"] == "2025-11-20"
    [site] = document["sites"]
    assert {"name", "url", "unit", "category", "pages_crawled", "findings"} <= set(site)
    codes = {f["code"] for f in site["findings"]}
    assert "broken_link" in codes and "homepage_stale" not in codes
    later = tmp_path / "later.json"
    run(str(sites), "--out", str(later), "--today", "2026-01-20", "--no-tls", "--delay", "0")
    stale = [f for f in json.loads(later.read_text())["sites"][0]["findings"]
             if f["code"] == "homepage_stale"]  # fmt: skip
    assert stale and stale[0]["last_update"] == "2025-11-15"


def test_sharded_run_requests_a_cross_site_link_once_and_finds_it_broken(tmp_path, aiohttp_site):
    """--processes 2: a link from one shard's site to another shard's site is answered from
    that site's own crawl (no second request), and a dead one is still a broken_link."""
    hits: Counter[str] = Counter()
    other = aiohttp_site({"/": '<a href="/ok.html">通知</a><a href="/gone.html">旧</a>',
                          "/ok.html": "<p>通知</p>"}, hits)  # fmt: skip
    first = aiohttp_site(
        {"/": f'<a href="{other}/ok.html">通知</a><a href="{other}/gone.html">旧</a>'}
    )
    third = aiohttp_site({"/": "<p>首页</p>"})
    sites = tmp_path / "sites.csv"
    sites.write_text(
        "name,url,unit,category\n"
        + "".join(f"站{i},{base}/,单位{i},other\n" for i, base in enumerate((first, other, third))),
        encoding="utf-8",
    )  # fmt: skip -- dealt: 站0 and 站2 to one process, 站1 to the other
    out = tmp_path / "result.json"
    done = run(str(sites), "--out", str(out), "--processes", "2", "--no-tls", "--delay", "0")
    assert done.returncode == 0, done.stderr
    by_name = {site["name"]: site for site in json.loads(out.read_text())["sites"]}
    broken = [f for f in by_name["站0"]["findings"] if f["code"] == "broken_link"]
    assert [(f["url"], f["pages"]) for f in broken] == [(f"{other}/gone.html", [f"{first}/"])]
    assert by_name["站0"]["links_checked"] == 2
    assert hits["GET /ok.html"] == 1 and hits["GET /gone.html"] == 1
    assert not any(key.startswith("HEAD") for key in hits)  # nothing requested twice


def test_deferred_checks_left_by_a_sharded_run_are_answered_when_resumed_in_one_process(
    tmp_path, aiohttp_site
):
    """A job crawled with --processes 2 and continued with --processes 1: the links the first
    run deferred to the other shard still get checked, and a dead one is still reported."""
    other = aiohttp_site({"/": "<p>另一个站</p>"})
    first = aiohttp_site(
        {"/": f'<a href="{other}/">另一个站</a><a href="{other}/gone.html">旧</a>'}
    )
    job = tmp_path / "job"
    asyncio.run(crawl_sites([f"{first}/"], CrawlSettings(per_host_delay=0), job / "shard-0",
                            crawled_elsewhere=[f"{other}/"]))  # fmt: skip
    sites = tmp_path / "sites.csv"
    sites.write_text(f"name,url,unit,category\n站0,{first}/,单位,other\n站1,{other}/,单位,other\n",
                     encoding="utf-8")  # fmt: skip
    out = tmp_path / "result.json"
    done = run(str(sites), "--out", str(out), "--processes", "1", "--job-dir", str(job),
               "--no-tls", "--delay", "0")  # fmt: skip
    assert done.returncode == 0, done.stderr
    site = next(s for s in json.loads(out.read_text())["sites"] if s["name"] == "站0")
    assert [f["url"] for f in site["findings"] if f["code"] == "broken_link"] == [
        f"{other}/gone.html"
    ]
    assert site["links_checked"] == 2
