"""The results workbook: one sheet per category (seed 001's 附件1/2/3) and a 问题明细 sheet.

Unit and site names come from registries that many people edit, so every text cell is
defused against formula injection before it is written.
"""

from __future__ import annotations

import io
from copy import copy
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from govsite.reports.bulletin import Bulletin, attachment_title
from govsite.reports.document import finding_rows, table_header

#: Characters that make a spreadsheet read a cell as a formula (OWASP CSV injection),
#: the same four as ``registry.tabular`` plus tab and carriage return.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
TITLE_FONT = Font(bold=True, size=14)
THIN = Side(style="thin", color="999999")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")

#: Column widths in characters (a CJK character counts about two).
RESULT_WIDTHS = [6, 22, 26, 34, 9, 9, 30, 40]
DETAIL_HEADER = ["类别", "单位", "网站名称", "问题", "说明", "网址", "扣分指标", "该指标扣分"]
DETAIL_WIDTHS = [18, 22, 26, 20, 30, 40, 22, 10]


def safe(value: Any) -> Any:
    """Text that would start a formula gets a leading apostrophe; numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_xlsx(document: dict, bulletin: Bulletin, path: str | Path) -> None:
    Path(path).write_bytes(xlsx_bytes(document, bulletin))


def xlsx_bytes(document: dict, bulletin: Bulletin) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for number, (name, rows) in enumerate(bulletin.attachments, 1):
        sheet = book.create_sheet(sheet_title(name, book.sheetnames))
        cells = [[r.rank, r.unit, r.name, r.url, r.score if r.score is not None else "—",
                  r.passed_text, r.veto_text, r.deduction_text] for r in rows]  # fmt: skip
        fill_sheet(sheet, attachment_title(number, name), table_header(bulletin.score_heading),
                   cells, RESULT_WIDTHS)  # fmt: skip
    details = [[d["category"], d["unit"], d["site"], d["problem"], d["detail"], d["url"],
                d["indicator"], d["points"]] for d in finding_rows(document)]  # fmt: skip
    fill_sheet(book.create_sheet("问题明细"), "问题明细（每个问题一行；扣分为该指标对该网站的合计扣分）",
               DETAIL_HEADER, details, DETAIL_WIDTHS)  # fmt: skip
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def sheet_title(name: str, taken: list[str]) -> str:
    """Excel allows 31 characters and none of []:*?/\\ ; keep titles unique."""
    clean = "".join("_" if ch in "[]:*?/\\" else ch for ch in name)[:31] or "类别"
    title, n = clean, 2
    while title in taken:
        suffix = f"({n})"
        title, n = clean[: 31 - len(suffix)] + suffix, n + 1
    return title


def fill_sheet(sheet, title: str, header: list[str], rows: list[list], widths: list[int]) -> None:
    """Title in row 1, styled header in row 2 (frozen), data below."""
    sheet.append([safe(title)])
    sheet.cell(row=1, column=1).font = TITLE_FONT
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    sheet.append(header)
    for cell in sheet[2]:
        cell.font, cell.fill, cell.border = HEADER_FONT, HEADER_FILL, BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center")
    for values in rows:
        sheet.append([safe(v) for v in values])
    _style_data(sheet, len(header))
    for column, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = "A3"
    if rows:
        sheet.auto_filter.ref = f"A2:{get_column_letter(len(header))}{sheet.max_row}"


def _style_data(sheet, columns: int) -> None:
    """Border and wrap on every data cell. Styled once, then the style array is copied:
    assigning style objects cell by cell hashes them each time (20 s for 28,000 findings)."""
    template = None
    for row in sheet.iter_rows(min_row=3, max_col=columns):
        for cell in row:
            if template is None:
                cell.border, cell.alignment = BORDER, WRAP
                template = cell._style
            else:
                cell._style = copy(template)
