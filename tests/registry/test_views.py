"""The registry pages, exports and API show each user only what they may see."""

import csv
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from govsite.core.models import AuditEntry
from govsite.registry.models import Unit

HEADER = "单位编码,单位名称,上级单位编码,单位类别,负责人,负责人职务,负责人电话,负责人邮箱,网站名称,网站地址,网站标识码,ICP备案号"


def test_tree_page_lists_only_visible_units_in_chinese(client, personas):
    client.force_login(personas.edu_officer)
    page = client.get(reverse("registry:tree")).content.decode()
    assert "单位名录" in page and "示范市教育局" in page
    assert "示范市财政局" not in page and "青山县" not in page


def test_tree_page_flags_units_without_a_website(client, personas):
    client.force_login(personas.county_head)
    page = client.get(reverse("registry:tree")).content.decode()
    assert "青山县城关镇" in page and "无网站" in page


def test_anonymous_visitor_is_sent_to_login(client, tree):
    response = client.get(reverse("registry:tree"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_export_contains_only_visible_units(client, personas):
    client.force_login(personas.county_head)
    body = client.get(reverse("registry:export", args=["csv"])).content.decode("utf-8-sig")
    codes = {row[0] for row in list(csv.reader(io.StringIO(body)))[1:]}
    assert codes == {"X1", "X1T1", "X1T2"}


def test_xlsx_export_downloads(client, personas):
    client.force_login(personas.evaluator)
    response = client.get(reverse("registry:export", args=["xlsx"]))
    assert response.status_code == 200 and response.content.startswith(b"PK")


def test_only_administrators_may_import(client, personas):
    client.force_login(personas.county_head)
    assert client.get(reverse("registry:import")).status_code == 403


def test_import_page_shows_the_bad_row_and_changes_nothing(client, personas):
    client.force_login(personas.admin)
    before = Unit.objects.count()
    data = f"{HEADER}\nN1,新单位,C0,other,,,,,,,,\nN2,坏单位,NOPE,other,,,,,,,,\n".encode()
    response = client.post(
        reverse("registry:import"), {"file": SimpleUploadedFile("units.csv", data)}
    )
    page = response.content.decode()
    assert "导入失败" in page and "找不到编码为“NOPE”的上级单位" in page
    assert "<td>3</td><td>上级单位编码</td>" in page
    assert Unit.objects.count() == before


def test_import_page_imports_a_good_file_and_audits_it(client, personas):
    client.force_login(personas.admin)
    data = f"{HEADER}\nN1,新单位,C0,other,,,,,,,,\n".encode()
    response = client.post(
        reverse("registry:import"), {"file": SimpleUploadedFile("units.csv", data)}
    )
    assert "导入成功" in response.content.decode()
    assert Unit.objects.get(code="N1").parent.code == "C0"
    entry = AuditEntry.objects.get(action="registry.import")
    assert entry.actor == personas.admin


def test_api_lists_only_visible_units(client, personas):
    client.force_login(personas.town_officer)
    data = client.get("/api/registry/units/").json()
    assert [u["code"] for u in data["results"]] == ["X1T1"]
    client.force_login(personas.edu_officer)
    sites = client.get("/api/registry/websites/").json()["results"]
    assert [s["url"] for s in sites] == ["https://jyj.shifan.example/"]


def test_api_hides_other_units_by_id_too(client, personas, tree):
    client.force_login(personas.edu_officer)
    assert client.get(f"/api/registry/units/{tree.fin.pk}/").status_code == 404


def test_api_token_auth_works_and_anonymous_is_refused(client, personas):
    from rest_framework.authtoken.models import Token

    assert client.get("/api/registry/units/").status_code in (401, 403)
    token = Token.objects.create(user=personas.evaluator)
    response = client.get("/api/registry/units/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200 and response.json()["count"] == 6


def test_openapi_schema_is_served(client, db):
    response = client.get("/api/schema/")
    assert response.status_code == 200 and b"/api/registry/units/" in response.content


def test_admin_is_in_chinese_and_unit_head_sees_subtree_in_admin(client, personas):
    personas.county_head.is_staff = True
    personas.county_head.save()
    from django.contrib.auth.models import Permission

    personas.county_head.user_permissions.add(Permission.objects.get(codename="view_unit"))
    client.force_login(personas.county_head)
    page = client.get("/admin/registry/unit/").content.decode()
    assert "青山县城关镇" in page and "示范市教育局" not in page
    client.force_login(personas.admin)
    page = client.get("/admin/").content.decode()
    assert "单位与网站名录" in page and "工作日历" in page


def test_admin_never_offers_to_delete_a_unit(client, personas, tree):
    client.force_login(personas.superuser)
    response = client.get(f"/admin/registry/unit/{tree.edu.pk}/delete/")
    assert response.status_code == 403


def test_home_page_in_chinese_and_english(client, personas):
    assert "政府网站监管与网民留言平台" in client.get("/").content.decode()
    client.force_login(personas.edu_officer)
    page = client.get("/").content.decode()
    assert "个单位" in page
    assert client.get("/healthz").json()["status"] == "ok"


def test_english_is_available_on_request(client, personas):
    client.force_login(personas.edu_officer)
    page = client.get("/registry/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Registry" in page and "Export CSV" in page
