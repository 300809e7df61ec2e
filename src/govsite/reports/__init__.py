"""The published output of an evaluation: bulletin draft (通报), xlsx, docx and pdf.

Django-free: it reads a scored RESULT.json (docs/scoring-contract.md) and nothing else, so
the CLI, Celery tasks and the web app all produce the same files.

API
===
``draft_bulletin(document, *, title=None, issuer="", date=None, threshold=100,
units_without_site=()) -> Bulletin`` and ``bulletin_to_text(bulletin) -> str``
    :mod:`govsite.reports.bulletin`.
``write_report(document, path, bulletin=None) -> Path``
    Picks the format by suffix (.xlsx, .docx, .pdf); other suffixes raise ``ReportError``
    (a ``ValueError``).
``report_bytes(document, fmt, bulletin=None) -> bytes``
    The same in memory, for the web app to stream; ``fmt`` is "xlsx", "docx" or "pdf".
``load_result(path) -> dict``
    Reads a RESULT.json and raises ``ReportError`` unless it has been scored.
"""

from __future__ import annotations

import os
from pathlib import Path

from govsite.reports.bulletin import Bulletin, bulletin_to_text, draft_bulletin
from govsite.reports.document import ReportError, check_scored, load_result

FORMATS = ("xlsx", "docx", "pdf")

#: What the web app sends with each format.
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


def report_bytes(document: dict, fmt: str, bulletin: Bulletin | None = None) -> bytes:
    """Render one format in memory; the bulletin defaults to the automatic draft."""
    fmt = fmt.lower().lstrip(".")
    if fmt not in FORMATS:
        raise ReportError(f"不支持的报告格式“{fmt}”，请使用 .xlsx、.docx 或 .pdf")
    check_scored(document)
    bulletin = bulletin or draft_bulletin(document)
    if fmt == "xlsx":
        from govsite.reports.xlsx import xlsx_bytes as render
    elif fmt == "docx":
        from govsite.reports.docx import docx_bytes as render
    else:
        from govsite.reports.pdf import pdf_bytes as render
    return render(document, bulletin)


def write_report(document: dict, path: str | Path, bulletin: Bulletin | None = None) -> Path:
    """Write the report the suffix asks for; the file appears whole or not at all."""
    path = Path(path)
    data = report_bytes(document, path.suffix or "(无后缀)", bulletin)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")  # same directory: rename is atomic
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


__all__ = [
    "CONTENT_TYPES",
    "FORMATS",
    "Bulletin",
    "ReportError",
    "bulletin_to_text",
    "draft_bulletin",
    "load_result",
    "report_bytes",
    "write_report",
]
