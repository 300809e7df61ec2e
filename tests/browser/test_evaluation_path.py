"""The evaluator's and the unit's path through issue 4, in a real browser: the demo sites are
evaluated and scored, the ranking shows vetoes and deductions, a site's finding opens its
stored evidence, the three exports open with their Chinese text, the run is published, and
a unit marks a finding fixed after fixing its site and watches the re-check close it."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from contextlib import ExitStack
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from govsite.accounts.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TODAY = date(2025, 11, 20)


@pytest.fixture
def demo(settings, tmp_path, user_factory):
    """The main job's data: demo registry, demo sites served, evaluated, scored."""
    from django.core.management import call_command

    from govsite.evaluations.demo import evaluate_demo
    from govsite.registry.models import Unit

    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()
    call_command("load_demo", stdout=io.StringIO())
    with ExitStack() as stack:
        done = evaluate_demo(stack, today=TODAY, processes=1, stream=None)
        edu = Unit.objects.get(name="示范市教育局")
        user_factory("e2e_evaluator", Role.EVALUATOR, Unit.objects.get(parent=None))
        user_factory("e2e_edu", Role.UNIT_STAFF, edu)
        yield done


def demo_file_for(result_path: Path, url: str) -> Path:
    """Where the demo server serves ``url`` from (its site's docroot + path)."""
    root = next((result_path.parent.parent / "demosites").glob("*/demosites.json"))
    config = json.loads(root.read_text("utf-8"))
    parts = urlsplit(url)
    site = next(s for s in config["sites"] if s["port"] == parts.port)
    return root.parent / site["docroot"] / parts.path.lstrip("/")


def test_evaluator_ranks_opens_evidence_exports_and_unit_rectifies(
    demo, live_server, login, screenshots, tmp_path
):
    from govsite.evaluations.models import Finding

    run = demo.run
    page = login(live_server.url, "e2e_evaluator")

    # The ranking of the demo sites, with their vetoes and deductions.
    page.goto(f"{live_server.url}/evaluations/{run.pk}/")
    ranking = page.locator("table.ranking")
    assert ranking.count() >= 3  # one table per category
    assert page.get_by_text("示范市教育局").first.is_visible()
    assert page.locator("td .error").count() >= 1  # vetoes shown
    page.screenshot(path=screenshots / "1-ranking.png", full_page=True)

    # The dashboard draws its charts from our own static ECharts.
    page.goto(f"{live_server.url}/evaluations/{run.pk}/dashboard/")
    page.wait_for_selector("[data-chart][data-ready='1'] svg")
    page.screenshot(path=screenshots / "2-dashboard.png", full_page=True)

    # A site: every finding with its points, and its stored evidence.
    page.goto(f"{live_server.url}/evaluations/{run.pk}/")
    page.get_by_role("link", name="示范市教育局", exact=True).click()
    page.wait_for_selector("table.findings")
    assert page.locator("table.deductions tbody tr").count() >= 1
    page.screenshot(path=screenshots / "3-site.png", full_page=True)
    with page.context.expect_page() as opened:
        page.locator("a.evidence").first.click()
    evidence = opened.value
    evidence.wait_for_load_state()
    assert evidence.url.endswith("/snapshot/")
    assert "示范市教育局" in evidence.content()
    evidence.screenshot(path=screenshots / "4-evidence.png")
    evidence.close()

    # The three exports open, with the Chinese text in them.
    page.goto(f"{live_server.url}/evaluations/{run.pk}/")
    files = {}
    for fmt in ("xlsx", "docx", "pdf"):
        with page.expect_download() as download:
            page.locator(f"a[href$='export.{fmt}']").click()
        files[fmt] = tmp_path / f"export.{fmt}"
        download.value.save_as(files[fmt])
    from docx import Document
    from openpyxl import load_workbook
    from pypdf import PdfReader

    cells = {str(c.value) for ws in load_workbook(files["xlsx"]).worksheets
             for row in ws.iter_rows() for c in row}  # fmt: skip
    assert "示范市教育局" in cells
    docx_text = "\n".join(p.text for p in Document(files["docx"]).paragraphs)
    assert "通报" in docx_text
    pdf_text = "".join(p.extract_text() for p in PdfReader(files["pdf"]).pages)
    assert "示范市教育局" in pdf_text and "通报" in pdf_text
    if shutil.which("pdftoppm"):  # the first PDF page as a picture: the glyphs render
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", files["pdf"],
                        screenshots / "5-pdf"], check=True)  # fmt: skip

    # The bulletin draft, then publication.
    page.goto(f"{live_server.url}/evaluations/{run.pk}/bulletin/")
    assert "通报" in page.locator("input[name=title]").input_value()
    page.screenshot(path=screenshots / "6-bulletin.png", full_page=True)
    page.goto(f"{live_server.url}/evaluations/{run.pk}/")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="发布结果").click()
    page.wait_for_selector("text=已发布")

    # The unit fixes its site, marks the finding fixed, and the re-check closes it.
    broken = Finding.objects.filter(site__run=run, code="broken_link",
                                    site__unit_name="示范市教育局").first()  # fmt: skip
    target = demo_file_for(demo.result, broken.url)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(b"restored attachment")
    unit = login(live_server.url, "e2e_edu")
    unit.goto(f"{live_server.url}/rectification/")
    row = unit.locator(f"#item-{broken.rectification.pk}")
    assert row.get_attribute("data-status") == "open"
    row.locator("input[name=note]").fill("已恢复该附件")
    row.get_by_role("button", name="已整改，申请复核").click()
    unit.wait_for_selector(f"#item-{broken.rectification.pk}[data-status='closed']")
    assert "销号" in unit.locator(f"#item-{broken.rectification.pk} .status").inner_text()
    unit.screenshot(path=screenshots / "7-rectified.png", full_page=True)
