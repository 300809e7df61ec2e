"""Registry import and export (W1): bad rows are named by row and column, and a failed
import changes nothing."""

import io

import pytest
from openpyxl import Workbook, load_workbook

from govsite.core.models import AuditEntry
from govsite.registry.models import Unit, Website
from govsite.registry.tabular import ImportRejected, export_csv, export_xlsx, import_registry

HEADER = "单位编码,单位名称,上级单位编码,单位类别,负责人,负责人职务,负责人电话,负责人邮箱,网站名称,网站地址,网站标识码,ICP备案号"
GOOD = [
    "A0,甲市人民政府,,市政府门户网站,王伟,办公室主任,0911-2345678,wang@jia.example,甲市政府网,https://www.jia.example/,9900000001,示ICP备12345678号-1",
    "A1,甲市教育局,A0,city_department,李娜,,0911-2345679,,甲市教育局,https://jyj.jia.example/,9900000002,",
    "A2,甲县人民政府,A0,县区政府门户网站,,,,,,,,",
    "A21,甲县城关镇,A2,township,,,,,,,,",
]


def csv_bytes(*rows, encoding="utf-8"):
    return ("\n".join([HEADER, *rows]) + "\n").encode(encoding)


def test_good_csv_creates_units_and_websites(db):
    report = import_registry(csv_bytes(*GOOD), "registry.csv")
    assert (report.units_created, report.websites_created) == (4, 2)
    town = Unit.objects.get(code="A21")
    assert town.parent.code == "A2" and town.depth == 2
    assert Website.objects.get(url="https://www.jia.example/").site_code == "9900000001"
    assert AuditEntry.objects.filter(action="registry.import").count() == 1


def test_children_listed_before_their_parents_are_imported(db):
    import_registry(csv_bytes(GOOD[3], GOOD[2], GOOD[1], GOOD[0]), "registry.csv")
    assert Unit.objects.get(code="A21").parent.code == "A2"


def test_one_bad_row_is_named_and_nothing_changes(db):
    bad = "A3,甲市财政局,A0,city_department,,,,not-an-email,,,,"
    with pytest.raises(ImportRejected) as rejected:
        import_registry(csv_bytes(*GOOD, bad), "registry.csv")
    assert [str(e) for e in rejected.value.errors] == [
        "第 6 行，「负责人邮箱」列：邮箱格式不正确。"
    ]
    assert Unit.objects.count() == 0 and Website.objects.count() == 0


@pytest.mark.parametrize(
    ("row", "column", "fragment"),
    [
        (",无编码单位,,other,,,,,,,,", "单位编码", "不能为空"),
        ("B1,某局,NOPE,other,,,,,,,,", "上级单位编码", "找不到编码为“NOPE”"),
        ("B1,某局,,火星局,,,,,,,,", "单位类别", "未知的单位类别"),
        ("B1,某局,,other,,,abc,,,,,", "负责人电话", "电话号码格式不正确"),
        ("B1,某局,,other,,,,,某局网,ftp://x.example/,,", "网站地址", "网址格式不正确"),
        ("B1,某局,,other,,,,,某局网,,,", "网站地址", "缺少网站地址"),
        ("B1,某局,,other,,,,,,https://b.example/,12AB,", "网站标识码", "10 位"),
        ("B1,某局,,other,,,,,,https://b.example/,,ICP12", "ICP备案号", "格式不正确"),
        ("B1,某局,B1,other,,,,,,,,", "上级单位编码", "不能是本单位"),
    ],
)
def test_each_kind_of_bad_value_names_its_row_and_column(db, row, column, fragment):
    with pytest.raises(ImportRejected) as rejected:
        import_registry(csv_bytes(row), "registry.csv")
    error = rejected.value.errors[0]
    assert (error.row, error.column) == (2, column)
    assert fragment in error.message


def test_parent_cycle_is_rejected(db):
    rows = ["C1,甲,C2,other,,,,,,,,", "C2,乙,C1,other,,,,,,,,"]
    with pytest.raises(ImportRejected) as rejected:
        import_registry(csv_bytes(*rows), "registry.csv")
    assert "循环" in rejected.value.errors[0].message


def test_same_unit_on_two_rows_must_agree_and_adds_a_second_website(db):
    rows = [
        GOOD[0],
        "A0,甲市人民政府,,市政府门户网站,王伟,办公室主任,0911-2345678,wang@jia.example,甲市英文网,https://en.jia.example/,,",
    ]
    import_registry(csv_bytes(*rows), "registry.csv")
    assert Unit.objects.get(code="A0").websites.count() == 2
    clash = "A0,甲市政府,,市政府门户网站,,,,,,https://x.jia.example/,,"
    with pytest.raises(ImportRejected) as rejected:
        import_registry(csv_bytes(GOOD[0], clash), "registry.csv")
    assert rejected.value.errors[0].column == "单位名称"


def test_duplicate_website_url_in_file_is_rejected(db):
    rows = [GOOD[0], "A9,丙,,other,,,,,,https://www.jia.example/,,"]
    with pytest.raises(ImportRejected) as rejected:
        import_registry(csv_bytes(*rows), "registry.csv")
    assert "重复" in rejected.value.errors[0].message


def test_unknown_and_missing_headers_are_reported(db):
    with pytest.raises(ImportRejected) as rejected:
        import_registry("单位名称,备注\n甲,乙\n".encode(), "registry.csv")
    messages = {(e.column, e.message) for e in rejected.value.errors}
    assert ("备注", "无法识别的列名。") in messages
    assert ("单位编码", "缺少必填列。") in messages


def test_gbk_csv_saved_by_excel_is_read(db):
    import_registry(csv_bytes(*GOOD, encoding="gbk"), "registry.csv")
    assert Unit.objects.get(code="A1").name == "甲市教育局"


def test_reimport_updates_and_never_deletes(db):
    import_registry(csv_bytes(*GOOD), "registry.csv")
    changed = GOOD[1].replace("李娜", "张敏")
    report = import_registry(csv_bytes(changed), "registry.csv")
    assert (report.units_created, report.units_updated) == (0, 1)
    assert Unit.objects.get(code="A1").responsible_person == "张敏"
    assert Unit.objects.count() == 4  # units absent from the second file remain


def test_dry_run_checks_without_writing(db):
    report = import_registry(csv_bytes(*GOOD), "registry.csv", dry_run=True)
    assert report.units_created == 4 and report.dry_run
    assert Unit.objects.count() == 0


def test_xlsx_import_with_numeric_cells(db):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.split(","))
    sheet.append(
        [
            "A0",
            "甲市人民政府",
            None,
            "city_portal",
            None,
            None,
            None,
            None,
            "甲市政府网",
            "https://www.jia.example/",
            9900000001,
            None,
        ]
    )
    buffer = io.BytesIO()
    book.save(buffer)
    import_registry(buffer.getvalue(), "registry.xlsx")
    assert Website.objects.get().site_code == "9900000001"


def test_broken_xlsx_and_binary_garbage_are_clear_errors(db):
    with pytest.raises(ImportRejected, match="导入失败") as rejected:
        import_registry(b"PK\x03\x04not really a zip", "registry.xlsx")
    assert "无法读取 XLSX" in rejected.value.errors[0].message
    with pytest.raises(ImportRejected):
        import_registry(b"\x00\x01\x02" * 100, "registry.csv")
    with pytest.raises(ImportRejected):
        import_registry(b"", "registry.csv")


def test_oversized_file_is_refused_before_parsing(db, settings):
    settings.REGISTRY_IMPORT_MAX_BYTES = 100
    with pytest.raises(ImportRejected, match="导入失败") as rejected:
        import_registry(csv_bytes(*GOOD), "registry.csv")
    assert "文件过大" in rejected.value.errors[0].message


def test_export_then_import_round_trips(db):
    import_registry(csv_bytes(*GOOD), "registry.csv")
    exported = export_csv(Unit.objects.all())
    report = import_registry(exported, "export.csv")
    assert report.units_created == report.units_updated == report.websites_updated == 0
    xlsx = export_xlsx(Unit.objects.all())
    rows = list(load_workbook(io.BytesIO(xlsx)).active.iter_rows(values_only=True))
    assert rows[0][0] == "单位编码" and len(rows) == 5
    assert import_registry(xlsx, "export.xlsx").units_updated == 0


def test_export_defuses_formula_injection_and_import_restores_it(db):
    evil = 'E1,=HYPERLINK("http://evil"),,other,,,+86 911 2345678,,,,,'
    import_registry(csv_bytes(evil), "registry.csv")
    exported = export_csv(Unit.objects.all()).decode("utf-8-sig")
    assert "'=HYPERLINK" in exported and "'+86" in exported
    assert import_registry(exported.encode(), "again.csv").units_updated == 0
    assert Unit.objects.get(code="E1").responsible_phone == "+86 911 2345678"
