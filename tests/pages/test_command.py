"""``govsite page FILE_OR_URL``: JSON on stdout, clear messages and exit 2 on failure."""

from __future__ import annotations

import json
import sys
import types

from pages_corpus import PAGES, RESOURCES

from govsite.pages.command import main


def test_file_is_analysed_and_printed_as_json(capsys):
    path = RESOURCES / PAGES["nmpa_notices"]
    code = main([str(path), "--url", "https://www.nmpa.gov.cn/yaopin/ypggtg/index.html"])
    out = capsys.readouterr().out
    assert code == 0
    result = json.loads(out)
    assert result["kind"] == "list"
    assert result["url"] == "https://www.nmpa.gov.cn/yaopin/ypggtg/index.html"
    assert "国家药监局" in out  # ensure_ascii=False: Chinese printed as is
    assert out.startswith("{\n  ")  # indent=2


def test_file_without_url_uses_a_file_url(capsys):
    path = RESOURCES / PAGES["cmse_2012"]
    assert main([str(path)]) == 0
    assert json.loads(capsys.readouterr().out)["url"] == path.resolve().as_uri()


def test_missing_file_is_a_clear_error_with_exit_2(capsys, tmp_path):
    code = main([str(tmp_path / "nope.html")])
    captured = capsys.readouterr()
    assert code == 2
    assert "no such file" in captured.err and captured.out == ""


def test_directory_instead_of_file_is_an_error_with_exit_2(capsys, tmp_path):
    assert main([str(tmp_path)]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_url_without_the_crawler_says_fetching_is_not_available(capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "govsite.crawler.http", None)  # import now fails
    code = main(["https://www.example.gov.cn/"])
    captured = capsys.readouterr()
    assert code == 2
    assert "fetching URLs is not available" in captured.err


def fake_http(result):
    module = types.ModuleType("govsite.crawler.http")
    module.fetch_sync = lambda url, timeout=15.0: result
    return module


def test_url_is_fetched_with_the_crawler_and_analysed(capsys, monkeypatch):
    body = (RESOURCES / PAGES["zj_fgw"]).read_bytes()
    result = types.SimpleNamespace(
        status=200,
        headers={"content-type": "text/html; charset=utf-8"},
        body=body,
        final_url="http://fgw.zj.gov.cn/art/2016/11/22/art_1621004_30332664.html",
        error=None,
    )
    monkeypatch.setitem(sys.modules, "govsite.crawler.http", fake_http(result))
    assert main(["http://fgw.zj.gov.cn/art/2016/11/22/art_1621004_30332664.html"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["publication_date"] == "2016-11-22"
    assert out["url"] == result.final_url


def test_fetch_error_is_reported_with_exit_2(capsys, monkeypatch):
    failed = types.SimpleNamespace(status=0, headers={}, body=b"", final_url="", error="timeout")
    monkeypatch.setitem(sys.modules, "govsite.crawler.http", fake_http(failed))
    assert main(["https://www.example.gov.cn/"]) == 2
    assert "timeout" in capsys.readouterr().err
