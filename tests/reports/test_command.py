"""`govsite report` as a user runs it (through govsite.cli, in process: it is Django-free)."""

from __future__ import annotations

import io
import json

import pytest
from docx import Document
from openpyxl import load_workbook

from govsite.cli import main
from govsite.reports import ReportError, report_bytes, write_report


def test_writes_the_workbook_and_says_so(points_document, write_json, tmp_path, capsys):
    out = tmp_path / "结果.xlsx"
    assert main(["report", str(write_json(points_document)), "--out", str(out)]) == 0
    assert "已写入" in capsys.readouterr().out
    assert load_workbook(out).sheetnames[0] == "县区政府门户网站"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_options_reach_the_bulletin(deduction_document, write_json, tmp_path):
    out = tmp_path / "通报.docx"
    code = main(["report", str(write_json(deduction_document)), "--out", str(out),
                 "--threshold", "250", "--title", "关于2016年度网站绩效评估情况的通报",
                 "--issuer", "延安市人民政府办公室", "--date", "2017-03-03",
                 "--no-site", "市城改办", "--no-site", "市盐务局"])  # fmt: skip
    assert code == 0
    text = "\n".join(p.text for p in Document(out).paragraphs)
    assert text.startswith("关于2016年度网站绩效评估情况的通报")
    assert "市发改委的评分结果扣分超过250分" in text and "洛川县的评分" not in text
    assert "市城改办、市盐务局仍没有建立网站" in text and "2017年3月3日" in text


def run(args, capsys):
    code = main(["report", *args])
    return code, capsys.readouterr().err


def test_a_missing_file_is_a_clear_error(tmp_path, capsys):
    code, err = run([str(tmp_path / "nope.json"), "--out", str(tmp_path / "r.xlsx")], capsys)
    assert code == 2 and "找不到结果文件" in err


@pytest.mark.parametrize("content", ["not json", "[1, 2]", '{"today": "2025-11-20"}'])
def test_a_file_that_is_not_a_result_is_named(content, tmp_path, capsys):
    path = tmp_path / "x.json"
    path.write_text(content, encoding="utf-8")
    code, err = run([str(path), "--out", str(tmp_path / "r.xlsx")], capsys)
    assert code == 2 and "不是 RESULT.json" in err


def test_an_unscored_result_says_how_to_score_it(points_document, write_json, tmp_path, capsys):
    for site in points_document["sites"]:
        del site["score"]
    code, err = run([str(write_json(points_document)), "--out", str(tmp_path / "r.pdf")], capsys)
    assert code == 2 and "请先用 govsite score 或 govsite evaluate --ruleset 评分" in err


def test_an_unknown_suffix_writes_nothing(points_document, write_json, tmp_path, capsys):
    out = tmp_path / "r.csv"
    code, err = run([str(write_json(points_document)), "--out", str(out)], capsys)
    assert code == 2 and "不支持的输出格式" in err and not out.exists()


def test_write_report_refuses_an_unknown_suffix_in_chinese(points_document, tmp_path):
    with pytest.raises(ValueError, match="不支持的报告格式"):
        write_report(points_document, tmp_path / "r.html")
    with pytest.raises(ReportError):
        report_bytes(points_document, "odt")


def test_report_bytes_accepts_a_suffix_and_any_case(points_document):
    assert report_bytes(points_document, ".XLSX")[:2] == b"PK"
    assert json.dumps(points_document)  # the document is left as it was (still serialisable)
    assert load_workbook(io.BytesIO(report_bytes(points_document, "xlsx"))).sheetnames
