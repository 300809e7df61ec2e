"""`govsite evaluate` as a user runs it: the output contract, --today, and bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

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
