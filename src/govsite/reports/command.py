"""``govsite report RESULT.json --out FILE.xlsx|FILE.docx|FILE.pdf [--threshold 100] …``"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from govsite.reports import FORMATS, ReportError, draft_bulletin, load_result, write_report


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="govsite report",
        description="由已评分的 RESULT.json 生成通报与评估结果（xlsx、docx 或 pdf）。",
    )
    p.add_argument("result", help="已评分的结果文件 RESULT.json")
    p.add_argument("--out", required=True, help="输出文件，按后缀选择格式：.xlsx、.docx、.pdf")
    p.add_argument("--threshold", type=float, default=100, help="通报点名的扣分线（默认 100 分）")
    p.add_argument("--title", default=None, help="通报标题（默认按评估日期生成）")
    p.add_argument("--issuer", default="", help="发文单位，如 某市人民政府办公室")
    p.add_argument("--date", type=date.fromisoformat, default=None, help="成文日期（YYYY-MM-DD）")
    p.add_argument(
        "--no-site",
        action="append",
        default=[],
        metavar="UNIT",
        help="尚未建立网站的单位（可重复）",
    )
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    out = Path(args.out)
    if out.suffix.lower().lstrip(".") not in FORMATS:
        return _fail(f"不支持的输出格式“{out.suffix or out.name}”，请使用 .xlsx、.docx 或 .pdf")
    if not out.parent.is_dir():
        return _fail(f"输出目录不存在：{out.parent}")
    try:
        document = load_result(args.result)
        bulletin = draft_bulletin(
            document,
            title=args.title,
            issuer=args.issuer,
            date=args.date,
            threshold=args.threshold,
            units_without_site=args.no_site,
        )
        write_report(document, out, bulletin)
    except ReportError as exc:
        return _fail(str(exc))
    sites = sum(len(rows) for _, rows in bulletin.attachments)
    print(f"已写入 {out}（{len(bulletin.attachments)} 个类别，{sites} 个网站）")
    return 0


def _fail(message: str) -> int:
    print(f"govsite report: {message}", file=sys.stderr)
    return 2
