"""The main job's evaluation step: demo sites registered under their units, evaluated,
stored; running it twice adds nothing to the registry."""

from contextlib import ExitStack
from datetime import date

from govsite.evaluations.demo import evaluate_demo
from govsite.registry.models import Website


def test_demo_sites_are_registered_evaluated_and_stored(db, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    from govsite.registry.demo import demo_csv
    from govsite.registry.tabular import import_registry

    import_registry(demo_csv(), "demo.csv")
    with ExitStack() as stack:
        done = evaluate_demo(stack, today=date(2025, 11, 20), processes=1, stream=None)
    sites = done.run.sites.all()
    assert sites.count() == 14
    edu = sites.get(name="示范市教育局")
    assert edu.website.unit.name == "示范市教育局" and edu.pages_crawled > 100
    assert {f.code for f in edu.findings.all()} >= {
        "column_stale",
        "messages_overdue",
        "broken_link",
    }
    assert sites.get(name="南湖街道办事处").crawl_state == "failed"
    before = Website.objects.count()
    with ExitStack() as stack:
        evaluate_demo(stack, today=date(2025, 11, 20), processes=1, stream=None)
    assert Website.objects.count() == before
