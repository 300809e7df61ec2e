"""govsite probe: one stored access per active website per round."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from govsite.monitoring.models import ProbeResult
from govsite.registry.models import Website


@pytest.fixture
def sites(tree, web_server):
    """The tree's four websites pointed at the local server: two healthy (one inactive),
    one failing, one on a closed port; plus a healthy site of a deactivated unit."""
    base = web_server.base
    urls = {
        tree.city: f"{base}/ok",
        tree.edu: f"{base}/500",
        tree.fin: web_server.closed,
        tree.county: f"{base}/moved",
    }
    for unit, url in urls.items():
        Website.objects.filter(unit=unit).update(url=url)
    Website.objects.filter(unit=tree.county).update(is_active=False)
    tree.town1.is_active = False
    tree.town1.save()
    Website.objects.create(unit=tree.town1, name="城关镇", url=f"{base}/ok?town")
    return {unit.code: Website.objects.get(unit=unit) for unit in urls}


def probe(*args: str) -> str:
    out = io.StringIO()
    call_command("probe", *args, "--timeout", "2", stdout=out, stderr=out)
    return out.getvalue()


def test_probe_once_stores_one_result_per_active_website(sites):
    output = probe("--once")
    assert ProbeResult.objects.count() == 3
    results = {r.website.unit.code: r for r in ProbeResult.objects.select_related("website__unit")}
    assert set(results) == {"C0", "D1", "D2"}  # not the inactive site, not the inactive unit's
    assert results["C0"].ok and results["C0"].status == 200
    assert (results["D1"].ok, results["D1"].error) == (False, "http_500")
    assert (results["D2"].ok, results["D2"].error) == (False, "connect")
    assert results["C0"].url == sites["C0"].url
    assert "第 1 轮：探测 3 个网站首页" in output
    assert "完成：3 个，可访问 1 个，失败 2 个" in output
    assert "✗ 示范市教育局" in output and "失败（http_500）" in output


def test_without_options_probe_runs_once(sites):
    probe()
    assert ProbeResult.objects.count() == 3


def test_loop_runs_rounds_until_max_loops(sites):
    output = probe("--loop", "--interval", "0", "--max-loops", "2")
    assert ProbeResult.objects.count() == 6
    assert "第 2 轮" in output and "第 3 轮" not in output


def test_url_probes_one_registered_site_even_if_inactive(sites):
    output = probe("--url", sites["X1"].url)
    [result] = ProbeResult.objects.all()
    assert result.website == sites["X1"] and result.ok
    assert result.final_url.endswith("/ok")
    assert "✓ 青山县人民政府" in output


def test_url_of_an_unregistered_site_is_probed_but_not_stored(web_server, db):
    output = probe("--url", f"{web_server.base}/ok?adhoc")
    assert not ProbeResult.objects.exists()
    assert "可访问" in output and "该网址未登记，结果不保存" in output


def test_nothing_to_probe_says_so(db):
    assert "没有在用的网站" in probe()


def test_bad_options_are_refused_in_chinese(db):
    with pytest.raises(CommandError, match="不能为负数"):
        probe("--loop", "--interval", "-1")
    with pytest.raises(CommandError, match="必须大于 0"):
        call_command("probe", "--concurrency", "0")
