"""The PDF read back with pypdf: Chinese text extractable (so CJK glyphs are embedded), a CJK
font in the font list, page numbers, landscape attachments whose header repeats, and names
that cannot inject HTML. WeasyPrint takes about a second, so the PDF is rendered once."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from govsite.reports import draft_bulletin, report_bytes
from govsite.reports.pdf import bulletin_html

TRICKY_UNIT = "市<b>审计</b>局&amp;"
TOWNSHIPS = 45  # enough rows for the table to need a second landscape page


def with_tricky_names(document):
    """The points document plus a unit name written as HTML and a long township table."""
    site = document["sites"][3]
    site["unit"] = TRICKY_UNIT
    document["ranking"]["city_department"][0]["unit"] = TRICKY_UNIT
    township = []
    for n in range(1, TOWNSHIPS + 1):
        url = f"http://town{n}.example.gov.cn/"
        document["sites"].append({
            "name": f"第{n}镇网站", "url": url, "unit": f"第{n}镇人民政府", "category": "township",
            "findings": [], "score": 100 - n, "passed": True, "vetoes": [], "deductions": [],
            "deducted": n, "bonus": 0, "sources": {"daily": 100 - n, "expert": None,
            "public": None}, "no_data": [], "ruleset": "national-2019",
        })  # fmt: skip
        township.append({"rank": n, "name": f"第{n}镇网站", "url": url, "unit": f"第{n}镇人民政府",
                         "score": 100 - n, "deducted": n, "passed": True, "vetoed": False})  # fmt: skip
    document["ranking"]["township"] = township
    return document


@pytest.fixture(scope="module")
def rendered(make_document):
    document = with_tricky_names(make_document["points"]())
    bulletin = draft_bulletin(document, issuer="示范市人民政府办公室")
    reader = PdfReader(io.BytesIO(report_bytes(document, "pdf", bulletin)))
    pages = [page.extract_text() for page in reader.pages]
    return document, bulletin, reader, pages


def squeeze(text):
    return re.sub(r"\s+", "", text)


def test_chinese_title_and_unit_names_are_extractable(rendered):
    _, bulletin, _, pages = rendered
    text = squeeze("".join(pages))
    assert squeeze(bulletin.title) in text
    assert "青山县人民政府" in text and "附件1：县区政府门户网站检查评估结果" in text


def test_a_cjk_font_is_embedded(rendered):
    _, _, reader, _ = rendered
    fonts = {
        str(font.get_object()["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert any("CJK" in name for name in fonts), fonts


def test_every_page_is_numbered_in_the_footer(rendered):
    _, _, _, pages = rendered
    for number, text in enumerate(pages, 1):
        assert f"第{number}页" in squeeze(text)


def test_the_text_is_a4_portrait_and_attachments_landscape(rendered):
    _, bulletin, reader, pages = rendered
    first = reader.pages[0].mediabox
    assert (round(first.width), round(first.height)) == (595, 842)
    for page, text in zip(reader.pages, pages, strict=True):
        if "检查评估结果" in text and "排名" in text:
            assert page.mediabox.width > page.mediabox.height


def test_a_long_table_repeats_its_header_on_the_next_page(rendered):
    _, _, _, pages = rendered
    township = [squeeze(t) for t in pages if re.search(r"第\d+镇人民政府", t)]
    assert len(township) >= 2
    assert all("排名单位网站名称网址得分" in t for t in township)
    assert f"第{TOWNSHIPS}镇人民政府" in township[-1]


def test_html_in_a_unit_name_is_printed_not_interpreted(rendered):
    document, bulletin, _, pages = rendered
    html = bulletin_html(document, bulletin)
    assert "市&lt;b&gt;审计&lt;/b&gt;局&amp;amp;" in html and "<b>" not in html
    assert TRICKY_UNIT in squeeze("".join(pages))


def test_deduction_total_style_heads_the_column_with_deductions(make_document):
    document = make_document["deduction"]()
    html = bulletin_html(document, draft_bulletin(document))
    assert "<th>扣分</th>" in html and "<th>得分</th>" not in html
