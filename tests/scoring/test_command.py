"""`govsite score`, `govsite rulesets` and `govsite evaluate --ruleset` as a user runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

GOVSITE = Path(sys.executable).with_name("govsite")


def govsite(*args):
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    return subprocess.run([str(GOVSITE), *map(str, args)], capture_output=True, text=True,
                          timeout=120, env=env)  # fmt: skip


def write_result(tmp_path) -> Path:
    """A hand-written RESULT.json: one clean county site, one with 5 empty columns (vetoed),
    one department with broken links."""

    def site(name, category, findings):
        return {"name": name, "url": f"http://{name}.gov.cn/", "unit": name, "category": category,
                "pages_crawled": 10, "findings": findings}  # fmt: skip

    empty = [{"code": "column_empty", "url": f"http://b.gov.cn/e{n}/"} for n in range(5)]
    broken = [{"code": "broken_link", "url": f"http://c.gov.cn/{n}", "pages": ["http://c.gov.cn/"]}
              for n in range(20)]  # fmt: skip
    document = {"today": "2025-11-20", "sites": [
        site("a", "county_portal", []), site("b", "county_portal", empty),
        site("c", "city_department", broken)]}  # fmt: skip
    path = tmp_path / "result.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


def test_score_adds_scores_and_ranking_to_the_result_file_in_place(tmp_path):
    result = write_result(tmp_path)
    done = govsite("score", result)
    assert done.returncode == 0, done.stderr
    assert "合格 2，不合格 1（其中单项否决 1）" in done.stderr
    document = json.loads(result.read_text(encoding="utf-8"))
    assert document["ruleset"]["id"] == "national-2019"
    a, b, c = document["sites"]
    assert a["score"] == 100 and a["passed"] is True
    assert b["score"] is None and b["vetoes"][0]["indicator"] == "veto.columns_empty"
    assert c["deducted"] == 2
    assert [e["name"] for e in document["ranking"]["county_portal"]] == ["a", "b"]


def test_score_with_another_ruleset_and_out_file_leaves_the_input_alone(tmp_path):
    result = write_result(tmp_path)
    before = result.read_text(encoding="utf-8")
    out = tmp_path / "scored.json"
    done = govsite("score", result, "--ruleset", "shanghai-2003", "--out", out)
    assert done.returncode == 0, done.stderr
    assert result.read_text(encoding="utf-8") == before
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["ruleset"]["style"] == "deduction_total"
    assert document["sites"][1]["score"] == 10  # 5 empty columns × 2 under 系统维护


def test_score_reads_other_inputs_per_url(tmp_path):
    result = write_result(tmp_path)
    inputs = tmp_path / "inputs.json"
    inputs.write_text(json.dumps({"http://a.gov.cn/": {
        "availability": {"probes": 140, "failures": 7},
        "messages": {"reply_rate": 0.5, "on_time_rate": 1, "satisfaction": 1}}}))  # fmt: skip
    assert govsite("score", result, "--inputs", inputs).returncode == 0
    a = json.loads(result.read_text(encoding="utf-8"))["sites"][0]
    assert a["vetoes"][0]["indicator"] == "veto.unreachable"
    assert "messages.reply_rate" not in a["no_data"]


def test_score_refuses_bad_inputs_with_exit_2(tmp_path):
    result = write_result(tmp_path)
    inputs = tmp_path / "inputs.json"
    inputs.write_text(json.dumps({"http://a.gov.cn/": {"messages": {"reply_rate": 3}}}))
    done = govsite("score", result, "--inputs", inputs)
    assert done.returncode == 2 and "messages.reply_rate 须在 0 到 1 之间" in done.stderr


def test_an_unknown_ruleset_exits_2_and_lists_the_known_ones(tmp_path):
    done = govsite("score", write_result(tmp_path), "--ruleset", "beijing-1999")
    assert done.returncode == 2
    assert "未知的规则集 'beijing-1999'" in done.stderr
    assert "national-2019" in done.stderr and "shanghai-2003" in done.stderr


def test_rulesets_lists_and_validates_the_shipped_ones():
    done = govsite("rulesets")
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("national-2019（默认）") and lines[0].endswith("✓")
    assert lines[1].startswith("shanghai-2003")


def test_rulesets_check_prints_file_line_field_errors_and_exits_1(tmp_path):
    good = Path(__file__).parents[2] / "src/govsite/scoring/rulesets/national-2019.yaml"
    text = good.read_text(encoding="utf-8").replace("    per: 0.1\n", "    per: -0.1\n", 1)
    bad = tmp_path / "mine.yaml"
    bad.write_text(text, encoding="utf-8")
    done = govsite("rulesets", "check", bad)
    assert done.returncode == 1
    line = next(n for n, t in enumerate(text.splitlines(), 1) if t == "    per: -0.1")
    assert done.stdout.startswith(f"mine.yaml:{line}: indicators[")
    assert done.stdout.strip().endswith(".per: 须为非负数")
    assert govsite("rulesets", "check", good).returncode == 0


def test_evaluate_scores_with_the_chosen_ruleset(tmp_path, aiohttp_site):
    base = aiohttp_site({
        "/": '<title>首页</title><ul>' + "".join(
            f'<li><a href="/n{i}.html">要闻标题{i}号</a><span>2025-11-{10 + i:02d}</span></li>'
            for i in range(6)) + '</ul><a href="/missing.html">坏链接</a>',
    })  # fmt: skip
    sites = tmp_path / "sites.yaml"
    sites.write_text(f"- name: 测试站\n  url: {base}/\n  unit: 测试单位\n  category: other\n",
                     encoding="utf-8")  # fmt: skip
    out = tmp_path / "result.json"
    done = govsite("evaluate", sites, "--out", out, "--today", "2025-11-20", "--no-tls",
                   "--delay", "0", "--ruleset", "shanghai-2003")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "按“上海市政府部门网站评议考核" in done.stderr
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["ruleset"]["id"] == "shanghai-2003"
    [site] = document["sites"]
    assert site["ruleset"] == "shanghai-2003" and site["score"] == site["deducted"] > 0
    assert any(d["indicator"] == "sh.ops.links" for d in site["deductions"])
    assert document["ranking"]["other"][0]["rank"] == 1


def test_evaluate_with_an_unknown_ruleset_stops_before_crawling(tmp_path):
    sites = tmp_path / "sites.csv"
    sites.write_text("name,url\n甲,http://127.0.0.1:9/\n", encoding="utf-8")
    done = govsite("evaluate", sites, "--out", tmp_path / "r.json", "--ruleset", "nope")
    assert done.returncode == 2 and "national-2019" in done.stderr
    assert not (tmp_path / "r.json").exists()


def test_result_files_are_json_with_one_site_per_line(tmp_path):
    from govsite.scoring.command import write_json

    document = {"today": "2026-11-22", "sites": [
        {"name": "示范市", "findings": [{"code": "broken_link", "url": "http://a/\u2028x"}]},
        {"name": "青山县", "findings": []},
    ]}  # fmt: skip
    out = tmp_path / "sub" / "RESULT.json"
    write_json(out, document)
    text = out.read_text(encoding="utf-8")
    assert json.loads(text) == document
    assert "示范市" in text  # readable Chinese, not \\u escapes
    assert len(text.rstrip("\n").split("\n")) == 4  # head, two sites, the end
    assert not list(out.parent.glob("*.tmp"))
