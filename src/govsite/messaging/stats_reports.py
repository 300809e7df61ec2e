"""The quarterly bulletin (004 art.20, 市政府督查室) and the monthly summary (art.19, 市信息化
工作办公室) of message handling, as Word and Excel files for staff.

The figures are the ranking's (``messaging.stats``) for the calendar quarter or month (up to
today while it is still running). Typical cases (典型案例): the messages whose numbers staff
pass as ``typical`` (``?typical=20250301123456&typical=…``, or one comma-separated value), in
that order; when none are given, the five best-rated replied messages received in the period
(满意 before 基本满意, latest reply first). Either way only messages the public can already
read qualify — published (``privacy.public_messages``), replied, and never a 举报 — and a
case carries the published text only: title, content, type, dates, the replying unit, the
reply and the rating. No sender field is read, so no sender (and never a 举报's) can appear;
numbers that do not qualify are left out silently.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header, urlencode

from govsite.accounts.access import has_role
from govsite.accounts.roles import Role
from govsite.messaging import stats
from govsite.messaging.models import MessageType
from govsite.messaging.privacy import is_office, public_messages
from govsite.messaging.stats_views import days, display, percent
from govsite.messaging.workflow import SATISFACTION

REPLIED_STATES = ("replied", "closed")
TYPICAL_LIMIT = 5
TYPICAL_MAX_CHOSEN = 20
CONTENT_LIMIT = 800  # characters of a case's content and reply in the documents
LOW_REPLY_RATE = 0.9  # below this a unit is named as needing to catch up
MIN_FOR_NAMING = 5  # a unit is praised or named only with at least this many messages
ISSUERS = {"quarter": "市政府督查室", "month": "市信息化工作办公室"}
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
TABLE_HEADER = ["排名", "单位", "层级", "留言数", "已答复", "回复率", "按时回复率",
                "平均办理用时（工作日）", "满意度", "评价数", "重复留言"]  # fmt: skip
TABLE_KEYS = ["rank", "unit", "level", "received", "replied", "reply_rate", "on_time_rate",
              "avg_workdays", "satisfaction", "rated", "repeats"]  # fmt: skip
REQUIREMENTS = [
    "各单位要严格按照《网民留言办理工作办法》规定的时限办理网民留言，反映问题相对简单的在5个工作日内办结，"
    "情况较为复杂的在15个工作日内办结；确需延期的，要及时说明原因，做好解释工作。",
    "各单位要提高答复质量，对网民反映的问题认真核查、据实答复，杜绝敷衍应付，避免同一问题多次反映。",
    "各单位要严格遵守保密规定，不得将控告、检举材料及有关情况透露或转交被控告、检举对象，不得公开控告人、检举人身份。",
]
XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class TypicalCase:
    number: str
    kind: str
    title: str
    content: str
    unit: str
    received: str
    replied: str
    reply: str
    satisfaction: str


@dataclass
class Report:
    kind: str  # "quarter" or "month"
    title: str
    period: str  # 2025年第3季度 / 2025年7月
    start: date
    end: date
    issuer: str
    issued: date
    total: stats.UnitRates
    levels: list[tuple[str, stats.UnitRates]]
    rows: list[stats.UnitRates]
    paragraphs: list[str]
    cases: list[TypicalCase] = field(default_factory=list)


def _clip(text: str, limit: int = CONTENT_LIMIT) -> str:
    text = XML_ILLEGAL.sub("", text or "")
    return text if len(text) <= limit else text[:limit] + "……"


def _local_range(start: date, end: date) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    return (datetime.combine(start, time(), zone),
            datetime.combine(end + timedelta(days=1), time(), zone))  # fmt: skip


def typical_cases(start: date, end: date, numbers: list[str] | None = None,
                  limit: int = TYPICAL_LIMIT) -> list[TypicalCase]:  # fmt: skip
    """See the module docstring: chosen numbers, else the best-rated of the period."""
    base = (public_messages().exclude(message_type=MessageType.REPORT)
            .filter(status__in=REPLIED_STATES).select_related("reply_unit", "unit"))  # fmt: skip
    if numbers:
        found = {m.number: m for m in base.filter(number__in=numbers[:TYPICAL_MAX_CHOSEN])}
        chosen = [found[n] for n in dict.fromkeys(numbers) if n in found]
    else:
        low, high = _local_range(start, end)
        best = Case(When(satisfaction="satisfied", then=Value(0)),
                     When(satisfaction="basic", then=Value(1)), default=Value(2),
                     output_field=IntegerField())  # fmt: skip
        chosen = list(base.filter(received_at__gte=low, received_at__lt=high,
                                  satisfaction__in=("satisfied", "basic"))
                      .annotate(best=best).order_by("best", "-replied_at")[:limit])  # fmt: skip
    out = []
    for m in chosen:
        unit = m.reply_unit or m.unit
        out.append(TypicalCase(
            number=m.number, kind=m.get_message_type_display(), title=_clip(m.title, 100),
            content=_clip(m.content), unit=unit.name if unit else "",
            received=timezone.localtime(m.received_at).strftime("%Y-%m-%d"),
            replied=timezone.localtime(m.replied_at).strftime("%Y-%m-%d") if m.replied_at else "",
            reply=_clip(m.reply), satisfaction=SATISFACTION.get(m.satisfaction, "未评价"),
        ))  # fmt: skip
    return out


def _names(rows: list[stats.UnitRates]) -> str:
    return "、".join(r.unit.name for r in rows)


def _figures(r: stats.UnitRates) -> str:
    text = f"收到网民留言{r.received}条，已答复{r.replied}条，回复率{percent(r.reply_rate)}"
    if r.replied:
        text += f"，按时回复率{percent(r.on_time_rate)}，平均办理用时{days(r.avg_workdays)}个工作日"
    if r.rated:
        text += f"；网民评价{r.rated}条，满意度{percent(r.satisfaction)}"
    return text


def build_report(kind: str, year: int, number: int, typical: list[str] | None = None,
                 today: date | None = None) -> Report:  # fmt: skip
    """kind "quarter" (number 1–4) or "month" (number 1–12)."""
    today = today or timezone.localdate()
    if kind == "quarter":
        start, end = stats.quarter_bounds(year, number)
        period = f"{year}年第{number}季度"
        title = f"关于{period}网民留言办理情况的通报"
    elif kind == "month":
        if not 1 <= number <= 12:
            raise ValueError("月份须为 1–12")
        start, end = stats.month_bounds(year, number)
        period = f"{year}年{number}月"
        title = f"{period}网民留言办理情况汇总"
    else:
        raise ValueError(f"未知的报告类型：{kind}")
    if start > today:
        raise ValueError("该期间尚未开始")
    running = end > today
    end = min(end, today)
    rows = stats.unit_rates(start, end)
    total = stats.totals(rows)
    levels = [(label, stats.totals([r for r in rows if r.level == key]))
              for key, label in stats.LEVELS.items()]  # fmt: skip
    span = f"{period}（截至{end.month}月{end.day}日）" if running else period
    paragraphs = [f"{span}，全市各级网站留言平台{_figures(total)}；重复留言{total.repeats}条。"
                  if total.received else f"{span}，全市各级网站留言平台未收到需办理的网民留言。"]  # fmt: skip
    by_level = [f"{label}单位{_figures(t)}" for label, t in levels if t.received]
    if by_level:
        paragraphs.append("其中，" + "；".join(by_level) + "。")
    named = [r for r in rows if r.received >= MIN_FOR_NAMING]
    best = [r for r in named if (r.reply_rate or 0) >= 1 and r.on_time_rate == 1][:5] or named[:3]
    if best:
        paragraphs.append(f"{_names(best)}等单位回复及时、办理认真，回复率和按时回复率位居前列。")
    low = sorted((r for r in named if (r.reply_rate or 0) < LOW_REPLY_RATE),
                 key=lambda r: (r.reply_rate or 0, r.unit.path))  # fmt: skip
    if low:
        paragraphs.append(f"{_names(low[:10])}等单位回复率低于{LOW_REPLY_RATE:.0%}，"
                          "请抓紧办理积压留言，按时答复。")  # fmt: skip
    elif named:
        paragraphs.append(f"各单位回复率均达到{LOW_REPLY_RATE:.0%}以上。")
    return Report(kind=kind, title=title, period=period, start=start, end=end,
                  issuer=ISSUERS[kind], issued=today, total=total, levels=levels, rows=rows,
                  paragraphs=paragraphs, cases=typical_cases(start, end, typical))  # fmt: skip


# -- Word ---------------------------------------------------------------------------------


def docx_bytes(report: Report) -> bytes:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    from govsite.reports.docx import BODY_SIZE, header_table, landscape, new_document

    doc = new_document()

    def para(text: str, indent: bool = True):
        p = doc.add_paragraph(XML_ILLEGAL.sub("", text))
        if indent:
            p.paragraph_format.first_line_indent = BODY_SIZE * 2
        return p

    doc.add_heading(report.title, level=0).alignment = WD_ALIGN_PARAGRAPH.CENTER
    para("各县（区）人民政府，市政府各部门：", indent=False)
    doc.add_heading("一、总体情况", level=1)
    for text in report.paragraphs:
        para(text)
    doc.add_heading("二、典型案例", level=1)
    if not report.cases:
        para("本期没有选取典型案例。")
    for n, case in enumerate(report.cases, 1):
        doc.add_heading(f"案例{n}：{case.title}", level=2)
        para(f"留言编号 {case.number}，{case.kind}，{case.received} 留言，"
             f"{case.unit} {case.replied} 答复，网民评价：{case.satisfaction}。")  # fmt: skip
        para(f"留言内容：{case.content}")
        para(f"答复内容：{case.reply}")
    doc.add_heading("三、工作要求", level=1)
    for n, text in enumerate(REQUIREMENTS, 1):
        para(f"（{'一二三四五'[n - 1]}）{text}")
    doc.add_paragraph("")
    doc.add_paragraph("附件：各单位网民留言办理情况统计表")
    for line in (
        report.issuer,
        f"{report.issued.year}年{report.issued.month}月{report.issued.day}日",
    ):
        doc.add_paragraph(line).alignment = WD_ALIGN_PARAGRAPH.RIGHT

    landscape(doc.add_section())
    doc.add_heading("附件：各单位网民留言办理情况统计表", level=2)
    rows = [display(r) for r in report.rows] + [display(report.total)]
    table = header_table(doc, TABLE_HEADER)
    for row in rows:
        for cell, key in zip(table.add_row().cells, TABLE_KEYS, strict=True):
            cell.text = str(row[key])
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# -- Excel --------------------------------------------------------------------------------


def xlsx_bytes(report: Report) -> bytes:
    from openpyxl import Workbook

    from govsite.reports.xlsx import fill_sheet

    book = Workbook()
    book.remove(book.active)
    ranking = book.create_sheet("各单位排名")
    cells = []
    for r in [*report.rows, report.total]:
        cells.append([r.rank or ("" if r.unit else "合计"), r.unit.name if r.unit else "合计",
                      r.level_label, r.received, r.replied, _rate(r.reply_rate),
                      _rate(r.on_time_rate), _round(r.avg_workdays), _rate(r.satisfaction),
                      r.rated, r.repeats])  # fmt: skip
    fill_sheet(ranking, f"{report.title}（{_span(report)}）", TABLE_HEADER, cells,
               [6, 28, 12, 9, 9, 9, 11, 12, 9, 8, 9])  # fmt: skip
    _percent_columns(ranking, (6, 7, 9))
    levels = book.create_sheet("分层级汇总")
    fill_sheet(levels, "分层级汇总", ["层级", "留言数", "已答复", "回复率", "按时回复率",
                                  "平均办理用时（工作日）", "满意度", "评价数", "重复留言"],
               [[label, t.received, t.replied, _rate(t.reply_rate), _rate(t.on_time_rate),
                 _round(t.avg_workdays), _rate(t.satisfaction), t.rated, t.repeats]
                for label, t in [*report.levels, ("合计", report.total)]],
               [16, 9, 9, 9, 11, 12, 9, 8, 9])  # fmt: skip
    _percent_columns(levels, (4, 5, 7))
    fill_sheet(book.create_sheet("典型案例"), "典型案例",
               ["留言编号", "类型", "标题", "留言内容", "答复单位", "留言日期", "答复日期",
                "答复内容", "评价"],
               [[c.number, c.kind, c.title, c.content, c.unit, c.received, c.replied, c.reply,
                 c.satisfaction] for c in report.cases],
               [18, 8, 24, 50, 20, 12, 12, 50, 10])  # fmt: skip
    fill_sheet(book.create_sheet("说明"), "说明", ["项目", "内容"], [
        ["统计期间", _span(report)], ["发布单位", report.issuer],
        ["口径", stats_note()], *[["概述", text] for text in report.paragraphs],
    ], [14, 100])  # fmt: skip
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _rate(value: float | None):
    return "—" if value is None else round(value, 4)


def _round(value: float | None):
    return "—" if value is None else round(value, 2)


def _percent_columns(sheet, columns: tuple[int, ...]) -> None:
    for row in sheet.iter_rows(min_row=3):
        for index in columns:
            cell = row[index - 1]
            if isinstance(cell.value, float | int):
                cell.number_format = "0.0%"


def _span(report: Report) -> str:
    return f"{report.start:%Y-%m-%d} 至 {report.end:%Y-%m-%d}"


def stats_note() -> str:
    return (
        "统计期间内收到的留言；留言计入答复单位，未答复的计入当前承办单位。回复率 = 已答复 ÷ 留言数；"
        "按时回复率 = 在办理时限内的答复 ÷ 已答复；满意度 = 满意和基本满意 ÷ 已评价；“—”表示没有数据。"
    )


# -- views --------------------------------------------------------------------------------


def may_export(user) -> bool:
    return is_office(user) or has_role(user, Role.EVALUATOR)


def chosen_numbers(request) -> list[str]:
    numbers = []
    for value in request.GET.getlist("typical"):
        numbers += [n for n in re.split(r"[\s,，、;；]+", value) if n]
    return [n[:24] for n in numbers][:TYPICAL_MAX_CHOSEN]


def _export(request, kind: str, year: int, number: int, fmt: str) -> HttpResponse:
    if not may_export(request.user):
        raise PermissionDenied("只有信息化办、督查室、市领导、考核方和管理员可以导出通报")
    if fmt not in CONTENT_TYPES or not 2000 <= year <= 2100:
        raise Http404("不支持的格式")
    try:
        report = build_report(kind, year, number, chosen_numbers(request))
    except ValueError as exc:
        raise Http404(str(exc)) from exc
    data = docx_bytes(report) if fmt == "docx" else xlsx_bytes(report)
    response = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"{report.title}.{fmt}"
    )
    return response


@login_required
def bulletin(request, year: int, quarter: int, fmt: str):
    """Quarterly bulletin (季度通报), docx or xlsx."""
    return _export(request, "quarter", year, quarter, fmt)


@login_required
def summary(request, year: int, month: int, fmt: str):
    """Monthly summary (月度汇总), docx or xlsx."""
    return _export(request, "month", year, month, fmt)


@login_required
def report(request):
    """The export form on the ranking page: kind, year, number, typical, format."""
    if not may_export(request.user):
        raise PermissionDenied("只有信息化办、督查室、市领导、考核方和管理员可以导出通报")
    try:
        year, number = int(request.GET.get("year", "")), int(request.GET.get("number", ""))
    except ValueError as exc:
        raise Http404("请选择年份和季度（月份）") from exc
    fmt = request.GET.get("format", "docx")
    name = "message_summary" if request.GET.get("kind") == "month" else "message_bulletin"
    url = reverse(name, args=[year, number, fmt])
    typical = chosen_numbers(request)
    return redirect(url + ("?" + urlencode({"typical": ",".join(typical)}) if typical else ""))
