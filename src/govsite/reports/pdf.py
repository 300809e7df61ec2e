"""The bulletin as a PDF, through WeasyPrint: the text on portrait A4, each category's table on
landscape pages with its header repeated, "第 N 页" in every footer.

The HTML is built with plain string formatting; every value passes through ``html.escape``
because unit and site names come from registries and crawled pages. The PDF embeds the CJK
font it finds through fontconfig (the ``fonts-noto-cjk`` package on Debian/Ubuntu); without
one WeasyPrint would print empty boxes.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from govsite.reports.bulletin import Bulletin, attachment_list, attachment_title, signature
from govsite.reports.document import table_header, table_texts

FONTS = '"Noto Serif CJK SC", "Noto Sans CJK SC", "Source Han Serif SC", "SimSun", serif'

CSS = (
    f"html {{ font-family: {FONTS}; font-size: 12pt; line-height: 1.75; }}"
    + """
@page { size: A4; margin: 3.2cm 2.6cm 3cm 2.8cm;
        @bottom-center { content: "第 " counter(page) " 页"; font-size: 10pt; } }
@page wide { size: A4 landscape; margin: 1.8cm 1.6cm 2cm; }
h1 { text-align: center; font-size: 18pt; margin: 0 0 1.2em; line-height: 1.4; }
h2 { font-size: 13pt; margin: 0.8em 0 0.3em; }
p { margin: 0 0 0.3em; }
p.body { text-indent: 2em; }
p.sign { text-align: right; }
.attachment { page: wide; break-before: page; }
.attachment h2 { text-align: center; }
table { border-collapse: collapse; width: 100%; font-size: 9pt; line-height: 1.4; }
thead { display: table-header-group; }
tr { break-inside: avoid; }
th { background: #e8e8e8; }
th, td { border: 0.5pt solid #555; padding: 2pt 4pt; vertical-align: top; }
td.url { word-break: break-all; font-size: 8pt; }
td.num { text-align: center; white-space: nowrap; }
"""
)

#: Columns shown centred (排名, 得分/扣分, 是否合格) and the one that may break anywhere (网址).
NUMERIC_COLUMNS = {0, 4, 5}
URL_COLUMN = 3


def write_pdf(document: dict, bulletin: Bulletin, path: str | Path) -> None:
    Path(path).write_bytes(pdf_bytes(document, bulletin))


def pdf_bytes(document: dict, bulletin: Bulletin) -> bytes:
    from weasyprint import HTML  # imported late: it loads pango and fontconfig (~1 s)

    return HTML(string=bulletin_html(document, bulletin)).write_pdf()


def bulletin_html(document: dict, bulletin: Bulletin) -> str:
    """The whole report as one HTML page (also handy to preview in a browser)."""
    parts = [f"<h1>{escape(bulletin.title)}</h1>", _p(bulletin.salutation)]
    for heading, paragraphs in bulletin.sections:
        if heading:
            parts.append(f"<h2>{escape(heading)}</h2>")
        parts += [_p(text, "body") for text in paragraphs]
    listed = attachment_list(bulletin)
    parts += [_p(""), *map(_p, listed)] if listed else []
    parts += [_p(line, "sign") for line in signature(bulletin)]
    parts += [_attachment(bulletin, n, name, rows)
              for n, (name, rows) in enumerate(bulletin.attachments, 1)]  # fmt: skip
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{escape(bulletin.title)}</title>"
        f'<meta name="author" content="{escape(bulletin.issuer)}">'
        f"<style>{CSS}</style></head><body>{''.join(parts)}</body></html>"
    )


def _p(text: str, css_class: str = "") -> str:
    attribute = f' class="{css_class}"' if css_class else ""
    return f"<p{attribute}>{escape(text) or '&nbsp;'}</p>"


def _attachment(bulletin: Bulletin, number: int, name: str, rows) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in table_header(bulletin.score_heading))
    body = "".join(f"<tr>{_cells(row)}</tr>" for row in rows)
    return (
        f'<section class="attachment"><h2>{escape(attachment_title(number, name))}</h2>'
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></section>"
    )


def _cells(row) -> str:
    out = []
    for column, text in enumerate(table_texts(row)):
        css = "num" if column in NUMERIC_COLUMNS else "url" if column == URL_COLUMN else ""
        out.append(f'<td class="{css}">{escape(text)}</td>' if css else f"<td>{escape(text)}</td>")
    return "".join(out)
