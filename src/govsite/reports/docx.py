"""The bulletin as a Word document: the text with its headings, then one table per category.

Word picks the font for Chinese characters from ``w:eastAsia`` only; without it (or with the
default template's theme fonts, which win over it) Chinese falls back to whatever the reader
has, so every style used here gets an explicit East Asian font.
"""

from __future__ import annotations

import io
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from govsite.reports.bulletin import Bulletin, attachment_list, attachment_title, signature
from govsite.reports.document import table_header, table_texts

#: 宋体 is on every Chinese Windows and WPS install; LibreOffice maps it to Noto Serif CJK
#: through fontconfig when fonts-noto-cjk is installed.
EAST_ASIAN_FONT = "SimSun"
LATIN_FONT = "Times New Roman"
STYLES = ("Normal", "Title", "Heading 1", "Heading 2", "Table Grid")
BODY_SIZE = Pt(12)


def write_docx(document: dict, bulletin: Bulletin, path: str | Path) -> None:
    Path(path).write_bytes(docx_bytes(document, bulletin))


def docx_bytes(document: dict, bulletin: Bulletin) -> bytes:
    doc = new_document()
    _write_text(doc, bulletin)
    _write_tables(doc, bulletin)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def new_document():
    """An empty Word document in the house style: Chinese fonts on every style used, and
    official-document (公文) margins. The message reports start from it too."""
    doc = Document()
    _set_fonts(doc)
    _set_margins(doc.sections[0])
    return doc


def _set_fonts(doc) -> None:
    for name in STYLES:
        style = doc.styles[name]
        style.font.name = LATIN_FONT
        style.font.color.rgb = RGBColor(0, 0, 0)
        set_east_asian_font(style.element, EAST_ASIAN_FONT)
    doc.styles["Normal"].font.size = BODY_SIZE


def set_east_asian_font(element, font: str) -> None:
    """Set w:rFonts/@w:eastAsia and drop the theme attributes that would override it."""
    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)
    fonts.set(qn("w:eastAsia"), font)


def _set_margins(section) -> None:
    """GB/T 9704 (公文格式) margins, near enough: 3.7 cm top, 2.8 cm left."""
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)


def _write_text(doc, bulletin: Bulletin) -> None:
    title = doc.add_heading(bulletin.title, level=0)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph(bulletin.salutation)
    for heading, paragraphs in bulletin.sections:
        if heading:
            doc.add_heading(heading, level=1)
        for text in paragraphs:
            paragraph = doc.add_paragraph(text)
            paragraph.paragraph_format.first_line_indent = BODY_SIZE * 2
    listed = attachment_list(bulletin)
    if listed:
        doc.add_paragraph("")
    for line in listed:
        doc.add_paragraph(line)
    for line in signature(bulletin):
        doc.add_paragraph(line).alignment = WD_ALIGN_PARAGRAPH.RIGHT


def _write_tables(doc, bulletin: Bulletin) -> None:
    """Each attachment on its own landscape pages: eight columns do not fit portrait A4."""
    header = table_header(bulletin.score_heading)
    for number, (name, rows) in enumerate(bulletin.attachments, 1):
        landscape(doc.add_section())
        doc.add_heading(attachment_title(number, name), level=2)
        table = header_table(doc, header)
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for row in rows:
            for cell, text in zip(table.add_row().cells, table_texts(row), strict=True):
                cell.text = text


def header_table(doc, header) -> object:
    """A grid table whose first row is ``header`` in bold, repeated on every page."""
    table = doc.add_table(rows=1, cols=len(header))
    table.style = doc.styles["Table Grid"]
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    _repeat_as_header(table.rows[0])
    return table


def landscape(section) -> None:
    """Turn ``section`` landscape with 2 cm margins (wide tables)."""
    if section.orientation != WD_ORIENT.LANDSCAPE:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = section.page_height, section.page_width
    section.top_margin = section.bottom_margin = Cm(2)
    section.left_margin = section.right_margin = Cm(2)


def _repeat_as_header(row) -> None:
    """w:tblHeader: Word repeats the row at the top of every page the table spans."""
    properties = row._tr.get_or_add_trPr()
    marker = OxmlElement("w:tblHeader")
    marker.set(qn("w:val"), "true")
    properties.append(marker)
