"""The Word document read back with python-docx: headings, tables, and a font for Chinese."""

from __future__ import annotations

import io
from dataclasses import replace

import pytest
from docx import Document
from docx.oxml.ns import qn

from govsite.reports import bulletin_to_text, draft_bulletin, report_bytes
from govsite.reports.docx import EAST_ASIAN_FONT, docx_bytes


@pytest.fixture
def bulletin(points_document):
    return draft_bulletin(points_document, issuer="示范市人民政府办公室")


@pytest.fixture
def doc(points_document, bulletin):
    return Document(io.BytesIO(docx_bytes(points_document, bulletin)))


def test_title_and_headings_are_word_headings(doc, bulletin):
    headings = [(p.style.name, p.text) for p in doc.paragraphs if p.style.name != "Normal"]
    assert headings[0] == ("Title", bulletin.title)
    assert [text for style, text in headings if style == "Heading 1"] == [
        h for h, _ in bulletin.sections if h
    ]
    assert [text for style, text in headings if style == "Heading 2"] == [
        "附件1：县区政府门户网站检查评估结果",
        "附件2：市政府工作部门网站检查评估结果",
        "附件3：市政府直属机构网站检查评估结果",
    ]


def test_the_bulletin_text_is_all_there(doc, bulletin):
    text = "\n".join(p.text for p in doc.paragraphs)
    for _, paragraphs in bulletin.sections:
        for paragraph in paragraphs:
            assert paragraph in text
    assert bulletin.salutation in text and "示范市人民政府办公室" in text


def test_one_table_per_category_in_ranking_order(doc):
    assert len(doc.tables) == 3
    county = doc.tables[0]
    assert [c.text for c in county.rows[0].cells] == [
        "排名", "单位", "网站名称", "网址", "得分", "是否合格", "单项否决", "主要扣分项",
    ]  # fmt: skip
    assert [(r.cells[0].text, r.cells[1].text, r.cells[4].text) for r in county.rows[1:]] == [
        ("1", "青山县人民政府", "92.5"),
        ("2", "石桥县人民政府", "71"),
        ("3", "河口县人民政府", "55"),
    ]


def test_the_header_row_repeats_on_every_page(doc):
    for table in doc.tables:
        assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None


def test_chinese_has_an_east_asian_font_that_no_theme_overrides(doc):
    for name in ("Normal", "Title", "Heading 1", "Heading 2"):
        fonts = doc.styles[name].element.rPr.find(qn("w:rFonts"))
        assert fonts.get(qn("w:eastAsia")) == EAST_ASIAN_FONT, name
        assert fonts.get(qn("w:eastAsiaTheme")) is None, name


def test_attachments_are_landscape(doc):
    first, *attachments = doc.sections
    assert first.page_width < first.page_height
    assert all(s.page_width > s.page_height for s in attachments)


def test_deduction_total_style_heads_the_column_with_deductions(deduction_document):
    doc = Document(io.BytesIO(report_bytes(deduction_document, "docx")))
    assert doc.tables[1].rows[0].cells[4].text == "扣分"
    assert doc.tables[1].rows[3].cells[1].text == "市发改委"


def test_a_text_that_lists_the_attachments_itself_does_not_get_them_twice(points_document):
    draft = draft_bulletin(points_document)
    lines = [line for line in bulletin_to_text(draft).splitlines()[1:] if line]
    flattened = replace(draft, salutation="", sections=[("", lines)], issuer="", date=None)
    doc = Document(io.BytesIO(docx_bytes(points_document, flattened)))
    body = [p.text for p in doc.paragraphs if p.style.name == "Normal"]
    assert body.count("附件1：县区政府门户网站检查评估结果") == 1
    assert len(doc.tables) == 3
