"""The workbook read back with openpyxl: one sheet per category, 问题明细, no live formulas."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from govsite.reports import draft_bulletin, report_bytes, write_report
from govsite.reports.xlsx import safe, sheet_title

HEADER = ["排名", "单位", "网站名称", "网址", "得分", "是否合格", "单项否决", "主要扣分项"]


def workbook(document):
    return load_workbook(io.BytesIO(report_bytes(document, "xlsx")))


def data_rows(sheet):
    return [list(r) for r in sheet.iter_rows(min_row=3, values_only=True)]


def test_one_sheet_per_category_in_report_order_then_the_details(points_document):
    book = workbook(points_document)
    assert book.sheetnames == ["县区政府门户网站", "市政府工作部门", "市政府直属机构", "问题明细"]
    sheet = book["县区政府门户网站"]
    assert sheet["A1"].value == "附件1：县区政府门户网站检查评估结果"
    assert [c.value for c in sheet[2]] == HEADER
    assert sheet.freeze_panes == "A3"
    assert sheet["A2"].font.bold


def test_rows_keep_the_ranking_with_numbers_as_numbers(points_document):
    rows = data_rows(workbook(points_document)["县区政府门户网站"])
    assert [(r[0], r[1], r[4], r[5]) for r in rows] == [
        (1, "青山县人民政府", 92.5, "合格"),
        (2, "石桥县人民政府", 71, "合格"),
        (3, "河口县人民政府", 55, "不合格"),
    ]


def test_a_vetoed_site_shows_no_score_and_the_veto(points_document):
    finance = data_rows(workbook(points_document)["市政府工作部门"])[1]
    assert finance[1] == "市财政局" and finance[4] == "—"
    assert finance[6] == "站点无法访问：连续一周首页无法访问"


def test_deduction_total_style_heads_the_column_with_deductions(deduction_document):
    sheet = workbook(deduction_document)["市政府工作部门"]
    assert sheet["E2"].value == "扣分"
    assert [(r[1], r[4]) for r in data_rows(sheet)] == [
        ("市科技局", 60),
        ("市规划局", 101),
        ("市发改委", 266.5),
    ]


def test_details_list_every_finding_with_its_indicator(points_document):
    rows = data_rows(workbook(points_document)["问题明细"])
    assert len(rows) == sum(len(s["findings"]) for s in points_document["sites"])
    assert [
        "县区政府门户网站",
        "青山县人民政府",
        "青山县人民政府网站",
        "链接不可用",
        "出现在 1 个页面",
        "http://qs.gov.cn/x.html",
        "链接可用性",
        2.5,
    ] in rows
    footer = next(r for r in rows if r[3] == "页脚标识不全")
    assert footer[4] == "缺少：网站标识码、公安机关备案标识"


def test_formula_injection_is_defused(points_document, tmp_path):
    site = points_document["sites"][0]
    site["unit"] = '=HYPERLINK("http://evil.example/","点我")'
    site["name"] = "+SUM(1,2)"
    site["findings"][2]["url"] = "@evil"
    points_document["ranking"]["county_portal"][0].update(unit=site["unit"], name=site["name"])
    path = write_report(points_document, tmp_path / "r.xlsx")
    book = load_workbook(path)
    first = book["县区政府门户网站"]["A3":"H3"][0]
    assert first[1].value == '\'=HYPERLINK("http://evil.example/","点我")'
    assert first[2].value == "'+SUM(1,2)"
    assert all(cell.data_type != "f" for sheet in book for row in sheet.iter_rows() for cell in row)
    assert "'@evil" in [r[5] for r in data_rows(book["问题明细"])]


def test_safe_leaves_numbers_and_ordinary_text_alone():
    assert safe(-3) == -3 and safe("市教育局") == "市教育局" and safe("-1") == "'-1"


def test_sheet_titles_are_legal_and_unique():
    assert sheet_title("a/b:c", []) == "a_b_c"
    assert sheet_title("x" * 40, ["x" * 31]) == "x" * 28 + "(2)"


def test_an_edited_bulletin_is_used_as_given(points_document):
    bulletin = draft_bulletin(points_document)
    bulletin.attachments = bulletin.attachments[:1]
    book = load_workbook(io.BytesIO(report_bytes(points_document, "xlsx", bulletin)))
    assert book.sheetnames == ["县区政府门户网站", "问题明细"]
