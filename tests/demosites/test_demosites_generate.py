"""Generation: determinism, encodings, the contract, labels, hard cases and scale."""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections import Counter
from pathlib import Path

import pytest

from govsite.demosites import generate
from govsite.demosites.contract import (
    CODES,
    FORBIDDEN_EXPRESSIONS,
    GUIDE_ELEMENTS,
    GUIDE_LABELS,
    ITEM_LABELS,
    ITEMS,
    validate_ground_truth,
)
from govsite.demosites.generate import Manifest, SiteInfo

_HTML = (".html", ".htm", ".asp", ".jsp", ".do")


def _tree_digest(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _html_files(site: SiteInfo) -> list[Path]:
    return [
        p
        for p in site.docroot.rglob("*")
        if p.is_file() and p.name.split("@", 1)[0].endswith(_HTML)
    ]


def _texts(site: SiteInfo, h) -> dict[Path, str]:
    return {p: p.read_bytes().decode(h.codec(site)) for p in _html_files(site)}


def test_deterministic_for_a_seed(demo, tmp_path, h):
    again = generate(tmp_path / "a", h.today, seed=1, base_port=demo.base_port)
    assert _tree_digest(again.out_dir) == _tree_digest(demo.out_dir)
    other = generate(tmp_path / "b", h.today, seed=2, base_port=demo.base_port)
    assert _tree_digest(other.out_dir) != _tree_digest(demo.out_dir)


def test_refuses_to_overwrite_a_foreign_directory(tmp_path, h):
    (tmp_path / "mine.txt").write_text("keep me")
    with pytest.raises(FileExistsError):
        generate(tmp_path, h.today)
    assert (tmp_path / "mine.txt").read_text() == "keep me"


def test_at_least_twelve_sites_and_categories(demo: Manifest):
    assert len(demo.sites) >= 12
    categories = Counter(s.category for s in demo.sites)
    assert set(categories) == {
        "county_portal",
        "city_department",
        "directly_affiliated",
        "township",
        "other",
    }
    assert len({s.port for s in demo.sites}) == len(demo.sites)
    assert [s.port for s in demo.sites] == list(
        range(demo.base_port, demo.base_port + len(demo.sites))
    )
    assert {s.cms for s in demo.sites} == {"trs", "hanweb", "plain", "frames"}


def test_sites_csv_matches_ground_truth(demo: Manifest):
    with demo.sites_csv_path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["name", "url", "unit", "category"]
    gt = json.loads(demo.ground_truth_path.read_text("utf-8"))
    assert rows[1:] == [[s["name"], s["url"], s["unit"], s["category"]] for s in gt["sites"]]
    assert all(re.fullmatch(r"http://127\.0\.0\.1:\d+/", r[1]) for r in rows[1:])


def test_ground_truth_validates_against_the_contract(demo: Manifest, h):
    gt = json.loads(demo.ground_truth_path.read_text("utf-8"))
    assert gt["today"] == h.today.isoformat()
    assert validate_ground_truth(gt) == []
    codes = Counter(f["code"] for s in gt["sites"] for f in s["findings"])
    assert set(codes) == set(CODES), "every finding code is exercised"
    assert codes["slow_page"] == 1 and codes["site_unreachable"] == 1
    for site in gt["sites"]:
        for f in site["findings"]:
            if f["code"] == "missing_item":
                assert f["item"] in ITEMS
        items = [f["item"] for f in site["findings"] if f["code"] == "missing_item"]
        assert items == sorted(items, key=ITEMS.index)
    assert validate_ground_truth({"sites": [{"findings": [{"code": "nope"}]}]})


def test_rankings_spread(demo: Manifest):
    counts = sorted(len(s.findings) for s in demo.sites if s.reachable)
    assert counts[:2] == [0, 0], "near-perfect sites"
    assert counts[-3] >= 10, "poor sites"


def test_three_encodings_are_really_used(demo: Manifest):
    for site in demo.sites:
        if not site.reachable:
            continue
        blobs = [p.read_bytes() for p in _html_files(site)]
        home = (site.docroot / "index.html").read_bytes()
        if site.charset == "utf-8":
            for b in blobs:
                b.decode("utf-8")
        elif site.charset == "gbk":
            assert re.search(rb"charset=[\"']?GBK\b", home)
            for b in blobs:
                b.decode("gbk")
            assert any(_fails(b, "gb2312") for b in blobs), "uses characters outside GB2312"
            assert all(_fails(b, "utf-8") for b in blobs if re.search(rb"[\x80-\xff]", b))
        elif site.charset == "gb2312":
            assert re.search(rb"charset=[\"']?gb2312\b", home)
            for b in blobs:
                b.decode("gb2312")
            assert all(_fails(b, "utf-8") for b in blobs if re.search(rb"[\x80-\xff]", b))
        else:  # the trap: meta says gb2312, the bytes are UTF-8
            assert re.search(rb"charset=[\"']?gb2312\b", home)
            for b in blobs:
                b.decode("utf-8")
            assert _fails(home, "gb2312")


def _fails(blob: bytes, encoding: str) -> bool:
    try:
        blob.decode(encoding)
    except UnicodeDecodeError:
        return True
    return False


def test_missing_items_leave_no_trace_and_present_ones_are_linked(demo: Manifest, h):
    for site in demo.sites:
        if not site.reachable:
            continue
        texts = _texts(site, h)
        everything = "\n".join(texts.values())
        home = "\n".join(
            t
            for p, t in texts.items()
            if p.name in ("index.html", "top.htm", "main.htm") and p.parent == site.docroot
        )
        missing = {f["item"] for f in site.findings if f["code"] == "missing_item"}
        for item in ITEMS:
            labels = ITEM_LABELS[item]
            if item in missing:
                for label in labels:
                    assert label not in everything, (site.key, item, label)
                if item == "search":
                    assert "<form" not in home
            else:
                assert any(label in home for label in labels), (site.key, item)


def test_hard_cases_are_in_place(demo: Manifest, h):
    dongcheng = "\n".join(_texts(demo.site("dongcheng"), h).values())
    assert "政策解读" not in dongcheng and "解读回应" in dongcheng
    qingshan = _texts(demo.site("qingshan"), h)
    assert "领导信箱" not in "\n".join(qingshan.values())
    assert "县长信箱" in (demo.site("qingshan").docroot / "index.html").read_bytes().decode(
        "gb2312"
    )
    column = demo.site("qingshan").columns[0]
    first = h.url_to_file(demo.site("qingshan"), column.url).read_bytes().decode("gb2312")
    assert column.newest.strftime("%Y年%m月%d日") in first
    home = (demo.site("shifan").docroot / "index.html").read_text("utf-8")
    assert "onclick=\"window.open('/bsfw/index.html')\"" in home
    not_codes = {(s.key, n["code"]) for s in demo.sites for n in s.not_findings}
    assert ("qingshan", "column_stale") in not_codes
    assert ("dongcheng", "missing_item") in not_codes
    assert ("shifan", "column_stale") in not_codes
    robots = (demo.site("tjj").docroot / "robots.txt").read_text()
    assert "Disallow: /admin/" in robots


def test_guides(demo: Manifest, h):
    for site in demo.sites:
        incomplete = {
            f["url"]: f["missing"] for f in site.findings if f["code"] == "guide_incomplete"
        }
        assert set(incomplete) <= set(site.guide_urls)
        for url in site.guide_urls:
            text = h.url_to_file(site, url).read_bytes().decode(h.codec(site))
            body = text.split('<div class="article">', 1)[1].split('<div class="footer">', 1)[0]
            headings = re.findall(r"<th>([^<]+)</th>|<h4>[^、]+、([^<]+)</h4>", body)
            headings = {a or b for a, b in headings}
            found = [
                el for el in GUIDE_ELEMENTS if any(lbl in headings for lbl in GUIDE_LABELS[el])
            ]
            missing = [el for el in GUIDE_ELEMENTS if el not in found]
            assert missing == incomplete.get(url, []), (site.key, url)
            if "phone" in missing:
                assert "电话" not in body


def test_forbidden_expressions_only_where_recorded(demo: Manifest, h):
    for site in demo.sites:
        if not site.reachable:
            continue
        recorded = {
            (f["url"], f["text"]) for f in site.findings if f["code"] == "forbidden_expression"
        }
        found = set()
        for url in site.page_urls:
            text = h.url_to_file(site, url).read_bytes().decode(h.codec(site))
            for wrong in FORBIDDEN_EXPRESSIONS:
                if wrong in text:
                    found.add((url, wrong))
        assert found == recorded, site.key


def test_footer_parts(demo: Manifest, h):
    markers = {
        "site_code": "网站标识码",
        "icp": "ICP备",
        "police_record": "公网安备",
        "party_gov_badge": "bszs.conac.cn/sitename",
    }
    for site in demo.sites:
        if not site.reachable:
            continue
        name = "bottom.htm" if site.cms == "frames" else "index.html"
        footer = (site.docroot / name).read_bytes().decode(h.codec(site))
        missing = [p for p, m in markers.items() if m not in footer]
        recorded = [f["missing"] for f in site.findings if f["code"] == "footer_incomplete"]
        assert recorded == ([missing] if missing else []), site.key


def test_scale_multiplies_pages_not_defect_kinds(demo: Manifest, tmp_path, h):
    big = generate(tmp_path, h.today, scale=2, base_port=demo.base_port)
    for small, large in zip(demo.sites, big.sites, strict=True):
        if not small.reachable:
            assert large.pages == 0
            continue
        assert large.pages > 1.7 * small.pages, small.key
        kinds = lambda s: sorted((f["code"], f.get("item", "")) for f in s.findings)  # noqa: E731
        assert kinds(small) == kinds(large), small.key
