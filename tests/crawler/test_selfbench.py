"""The self-benchmark runs end to end and finds exactly the broken links it planted."""

from __future__ import annotations

import argparse

from govsite.crawler.selfbench import make_web, run_bench


def test_generated_web_has_the_planted_shape():
    webs, truth = make_web(2, 40, [8001, 8002], [9])
    assert len(webs) == 2 and truth["html_pages"] == 2 * 41  # "/" and "/index.html" both
    assert truth["broken_internal"] > 0 and truth["dead_external"] > 0
    assert all("/static/logo.png" in web for web in webs)


def test_selfbench_crawls_the_local_web_and_reports_its_cost():
    args = argparse.Namespace(
        sites=2, pages=30, concurrency=16, max_seconds=60.0, profile=None, keep=False
    )
    report = run_bench(args)
    assert report["html_pages_ok"] == report["expected_html_pages"]
    assert report["broken_found"] == report["broken_expected"]
    assert report["pages_per_s"] > 0 and report["cpu_s"] > 0 and report["peak_rss_mb"] > 0
