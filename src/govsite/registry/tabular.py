"""Import and export of the registry as CSV or XLSX (W1).

One row per website; a unit without a website has one row with the website columns
empty, and a unit with several websites repeats its unit columns on each row. Imports
are all-or-nothing: every row is checked first, each problem is reported with its row
and column, and only a file without problems changes the database. Nothing is ever
deleted by an import: units and websites missing from the file are left as they are.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction

from govsite.core.audit import record
from govsite.registry.models import Unit, UnitCategory, Website


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # Chinese header written on export and accepted on import
    required: bool = False
    max_length: int = 200


COLUMNS = [
    Column("code", "单位编码", required=True, max_length=40),
    Column("name", "单位名称", required=True, max_length=120),
    Column("parent_code", "上级单位编码", max_length=40),
    Column("category", "单位类别", required=True, max_length=60),
    Column("responsible_person", "负责人", max_length=40),
    Column("responsible_title", "负责人职务", max_length=60),
    Column("responsible_phone", "负责人电话", max_length=40),
    Column("responsible_email", "负责人邮箱", max_length=254),
    Column("website_name", "网站名称", max_length=120),
    Column("website_url", "网站地址", max_length=500),
    Column("site_code", "网站标识码", max_length=20),
    Column("icp_number", "ICP备案号", max_length=60),
]
UNIT_FIELDS = [
    "name",
    "parent_code",
    "category",
    "responsible_person",
    "responsible_title",
    "responsible_phone",
    "responsible_email",
]
HEADER_TO_KEY = {c.header: c.key for c in COLUMNS} | {c.key: c.key for c in COLUMNS}
HEADER_OF = {c.key: c.header for c in COLUMNS}
MAX_ROWS = 50_000

PHONE_RE = re.compile(r"^[0-9+\-()（） ,，/转]{5,40}$")
SITE_CODE_RE = re.compile(r"^[0-9A-Za-z]{10}$")
ICP_RE = re.compile(r"^[\u4e00-\u9fa5]{0,3}ICP[备證证]\s*\d{4,12}号(-\d{1,3})?$")


@dataclass
class RowError:
    row: int  # as a spreadsheet shows it: the header is row 1
    column: str  # the header as written in the file, or "" for whole-row problems
    message: str

    def __str__(self) -> str:
        where = f"第 {self.row} 行" + (f"，「{self.column}」列" if self.column else "")
        return f"{where}：{self.message}"


class ImportRejected(Exception):
    """The file has problems; nothing was changed."""

    def __init__(self, errors: list[RowError]):
        super().__init__(f"导入失败，共 {len(errors)} 处错误，未做任何修改。")
        self.errors = errors


@dataclass
class ImportReport:
    units_created: int = 0
    units_updated: int = 0
    websites_created: int = 0
    websites_updated: int = 0
    rows: int = 0
    dry_run: bool = False
    changes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        verb = "检查通过（未写入）" if self.dry_run else "导入成功"
        return (
            f"{verb}：共 {self.rows} 行；新增单位 {self.units_created} 个，更新单位 "
            f"{self.units_updated} 个；新增网站 {self.websites_created} 个，更新网站 "
            f"{self.websites_updated} 个。"
        )


# ---------------------------------------------------------------- reading files


def read_rows(data: bytes, filename: str) -> list[dict[str, str]]:
    """Rows keyed by column key, from CSV (UTF-8 or GBK, as Excel saves it) or XLSX."""
    if len(data) > settings.REGISTRY_IMPORT_MAX_BYTES:
        limit = settings.REGISTRY_IMPORT_MAX_BYTES // 1024
        raise ImportRejected([RowError(0, "", f"文件过大（上限 {limit} KB）。")])
    if data.startswith(b"PK\x03\x04") or filename.lower().endswith(".xlsx"):
        table = _xlsx_table(data)
    elif filename.lower().endswith((".csv", ".txt")) or not filename:
        table = _csv_table(data)
    else:
        raise ImportRejected([RowError(0, "", "只支持 CSV 或 XLSX 文件。")])
    return _keyed_rows(table)


def _csv_table(data: bytes) -> list[list[str]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes any byte string
        raise ImportRejected([RowError(0, "", "无法识别文件编码，请另存为 UTF-8 CSV。")])
    if "\0" in text:
        raise ImportRejected([RowError(0, "", "文件不是文本格式的 CSV。")])
    try:
        return [row for row in csv.reader(io.StringIO(text))]
    except csv.Error as exc:
        raise ImportRejected([RowError(0, "", f"CSV 格式错误：{exc}")]) from None


def _xlsx_table(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for broken files
        raise ImportRejected(
            [RowError(0, "", f"无法读取 XLSX 文件：{type(exc).__name__}")]
        ) from None
    try:
        sheet = book.worksheets[0]
        return [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _keyed_rows(table: list[list[str]]) -> list[dict[str, str]]:
    while table and not any(cell.strip() for cell in table[-1]):
        table.pop()
    if not table:
        raise ImportRejected([RowError(1, "", "文件为空，缺少表头。")])
    header = [cell.strip() for cell in table[0]]
    errors = []
    keys = []
    for cell in header:
        if cell and cell not in HEADER_TO_KEY:
            errors.append(RowError(1, cell, "无法识别的列名。"))
        keys.append(HEADER_TO_KEY.get(cell))
    for column in COLUMNS:
        if column.required and column.key not in keys:
            errors.append(RowError(1, column.header, "缺少必填列。"))
    if errors:
        raise ImportRejected(errors)
    if len(table) - 1 > MAX_ROWS:
        raise ImportRejected([RowError(0, "", f"行数超过上限 {MAX_ROWS}。")])
    rows = []
    for cells in table[1:]:
        row = {key: "" for key in HEADER_OF}
        for key, cell in zip(keys, cells, strict=False):
            if key:
                row[key] = _unescape_cell((cell or "").strip())
        rows.append(row)
    return rows


# ---------------------------------------------------------------- validating


@dataclass
class _UnitPlan:
    row: int
    values: dict[str, str]
    websites: list[tuple[int, dict[str, str]]] = field(default_factory=list)


def _check_row(
    number: int, row: dict[str, str], categories: dict[str, UnitCategory], errors: list[RowError]
) -> None:
    def fail(key: str, message: str) -> None:
        errors.append(RowError(number, HEADER_OF[key], message))

    for column in COLUMNS:
        value = row[column.key]
        if column.required and not value:
            fail(column.key, "不能为空。")
        elif len(value) > column.max_length:
            fail(column.key, f"超过 {column.max_length} 个字符。")
        elif any(ord(ch) < 32 for ch in value):
            fail(column.key, "包含控制字符。")
    if row["category"] and row["category"] not in categories:
        names = "、".join(sorted({c.name for c in categories.values()}))
        fail("category", f"未知的单位类别“{row['category']}”（可用：{names}）。")
    if row["responsible_email"]:
        try:
            validate_email(row["responsible_email"])
        except ValidationError:
            fail("responsible_email", "邮箱格式不正确。")
    if row["responsible_phone"] and not PHONE_RE.match(row["responsible_phone"]):
        fail("responsible_phone", "电话号码格式不正确。")
    if row["parent_code"] and row["parent_code"] == row["code"]:
        fail("parent_code", "上级单位不能是本单位。")
    website_given = any(row[k] for k in ("website_name", "website_url", "site_code", "icp_number"))
    if website_given and not row["website_url"]:
        fail("website_url", "填写了网站信息但缺少网站地址。")
    if row["website_url"]:
        try:
            URLValidator(schemes=["http", "https"])(row["website_url"])
        except ValidationError:
            fail("website_url", "网址格式不正确（须以 http:// 或 https:// 开头）。")
    if row["site_code"] and not SITE_CODE_RE.match(row["site_code"]):
        fail("site_code", "网站标识码应为 10 位数字或字母。")
    if row["icp_number"] and not ICP_RE.match(row["icp_number"]):
        fail("icp_number", "ICP备案号格式不正确（如 京ICP备05070218号-1）。")


def _plan(rows: list[dict[str, str]]) -> tuple[dict[str, _UnitPlan], list[RowError]]:
    categories = {c.code: c for c in UnitCategory.objects.all()}
    categories |= {c.name: c for c in categories.values()}
    errors: list[RowError] = []
    plans: dict[str, _UnitPlan] = {}
    seen_urls: dict[str, int] = {}
    for index, row in enumerate(rows):
        number = index + 2
        if not any(row.values()):
            continue
        before = len(errors)
        _check_row(number, row, categories, errors)
        if len(errors) > before:
            continue
        row["category"] = categories[row["category"]].code
        plan = plans.get(row["code"])
        if plan is None:
            plan = plans[row["code"]] = _UnitPlan(number, {k: row[k] for k in UNIT_FIELDS})
        else:
            for key in UNIT_FIELDS:
                if row[key] != plan.values[key]:
                    errors.append(
                        RowError(number, HEADER_OF[key], f"与第 {plan.row} 行同一单位的值不一致。")
                    )
        if row["website_url"]:
            url = row["website_url"]
            if url in seen_urls:
                errors.append(
                    RowError(
                        number, HEADER_OF["website_url"], f"网址与第 {seen_urls[url]} 行重复。"
                    )
                )
            else:
                seen_urls[url] = number
                plan.websites.append((number, row))
    _check_tree(plans, errors)
    return plans, errors


def _check_tree(plans: dict[str, _UnitPlan], errors: list[RowError]) -> None:
    """Every parent must exist (in the file or the registry) and no unit may end up
    below itself."""
    existing = dict(Unit.objects.values_list("code", "parent__code"))
    parent_of = existing | {
        code: plan.values["parent_code"] or None for code, plan in plans.items()
    }
    for code, plan in plans.items():
        parent = plan.values["parent_code"]
        if parent and parent not in parent_of:
            errors.append(
                RowError(plan.row, HEADER_OF["parent_code"], f"找不到编码为“{parent}”的上级单位。")
            )
            continue
        seen, cursor = {code}, parent
        while cursor:
            if cursor in seen:
                errors.append(RowError(plan.row, HEADER_OF["parent_code"], "上下级关系形成循环。"))
                break
            seen.add(cursor)
            cursor = parent_of.get(cursor)


# ---------------------------------------------------------------- writing


def import_registry(data: bytes, filename: str, actor=None, dry_run: bool = False) -> ImportReport:
    """Check the whole file, then apply it in one transaction. Raises ImportRejected."""
    rows = read_rows(data, filename)
    plans, errors = _plan(rows)
    if errors:
        raise ImportRejected(sorted(errors, key=lambda e: (e.row, e.column)))
    report = ImportReport(rows=len(rows), dry_run=dry_run)
    with transaction.atomic():
        _apply(plans, report)
        if dry_run:
            transaction.set_rollback(True)
        else:
            record(
                actor,
                "registry.import",
                None,
                file=filename,
                summary=report.summary(),
                changes=report.changes[:500],
            )
    return report


def _apply(plans: dict[str, _UnitPlan], report: ImportReport) -> None:
    categories = {c.code: c for c in UnitCategory.objects.all()}
    units = {u.code: u for u in Unit.objects.filter(code__in=list(plans))}
    pending = list(plans)
    while pending:  # parents first; _check_tree guarantees this terminates
        ready = [c for c in pending if plans[c].values["parent_code"] not in pending]
        for code in ready:
            _save_unit(code, plans[code], units, categories, report)
            pending.remove(code)


def _save_unit(code, plan, units, categories, report) -> None:
    values = plan.values
    parent = None
    if values["parent_code"]:
        parent = units.get(values["parent_code"]) or Unit.objects.get(code=values["parent_code"])
        units[parent.code] = parent
    unit = units.get(code) or Unit(code=code)
    new_values = {
        "name": values["name"],
        "parent_id": parent.pk if parent else None,
        "category_id": categories[values["category"]].pk,
        "responsible_person": values["responsible_person"],
        "responsible_title": values["responsible_title"],
        "responsible_phone": values["responsible_phone"],
        "responsible_email": values["responsible_email"],
    }
    changed = [k for k, v in new_values.items() if getattr(unit, k) != v]
    if unit.pk is None or changed:
        for key, value in new_values.items():
            setattr(unit, key, value)
        created = unit.pk is None
        unit.save()
        if created:
            report.units_created += 1
            report.changes.append(f"新增单位 {code} {unit.name}")
        else:
            report.units_updated += 1
            report.changes.append(f"更新单位 {code}：{'、'.join(changed)}")
    units[code] = unit
    for _, row in plan.websites:
        _save_website(unit, row, report)


def _save_website(unit: Unit, row: dict[str, str], report: ImportReport) -> None:
    site = Website.objects.filter(url=row["website_url"]).first() or Website(url=row["website_url"])
    new_values = {
        "unit_id": unit.pk,
        "name": row["website_name"] or unit.name,
        "site_code": row["site_code"],
        "icp_number": row["icp_number"],
    }
    changed = [k for k, v in new_values.items() if getattr(site, k) != v]
    if site.pk is None or changed:
        created = site.pk is None
        for key, value in new_values.items():
            setattr(site, key, value)
        site.save()
        if created:
            report.websites_created += 1
            report.changes.append(f"新增网站 {site.url}")
        else:
            report.websites_updated += 1
            report.changes.append(f"更新网站 {site.url}：{'、'.join(changed)}")


# ---------------------------------------------------------------- exporting


def export_rows(units: Iterable[Unit]) -> list[list[str]]:
    """Header plus one row per website (or per unit without one), in tree order."""
    out = [[c.header for c in COLUMNS]]
    units = list(units)
    by_unit: dict[int, list[Website]] = {}
    for site in Website.objects.filter(unit__in=units).order_by("url"):
        by_unit.setdefault(site.unit_id, []).append(site)
    for unit in sorted(units, key=lambda u: u.path):
        base = [
            unit.code,
            unit.name,
            unit.parent.code if unit.parent_id else "",
            unit.category.name,
            unit.responsible_person,
            unit.responsible_title,
            unit.responsible_phone,
            unit.responsible_email,
        ]
        sites = by_unit.get(unit.pk) or [None]
        for site in sites:
            tail = [site.name, site.url, site.site_code, site.icp_number] if site else [""] * 4
            out.append([_safe_cell(v) for v in base + tail])
    return out


def _unescape_cell(value: str) -> str:
    """Undo ``_safe_cell`` so an exported file imports back unchanged."""
    return value[1:] if value[:1] == "'" and value[1:2] in ("=", "+", "-", "@") else value


def _safe_cell(value: str) -> str:
    """Defuse spreadsheet formula injection: a cell starting with = + - @ is text."""
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


def export_csv(units: Iterable[Unit]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(export_rows(units))
    return buffer.getvalue().encode("utf-8-sig")  # the BOM makes Excel read UTF-8


def export_xlsx(units: Iterable[Unit]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("单位与网站")
    for row in export_rows(units):
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
