"""Each check, on the case it exists for and on the case it must leave alone."""

from govsite.checks.broken_links import BrokenLinks
from govsite.checks.server_errors import ServerErrors

from .conftest import HOME, page, run, target


def test_broken_targets_are_reported_once_with_every_page_they_are_on(site):
    findings = run(BrokenLinks(), site(), pages=[
        page(HOME),
        page(f"{HOME}gone.html", status=404, error="http_404", referrers=[f"{HOME}b", HOME]),
    ], targets=[
        target(f"{HOME}logo.png", status=404, error="http_404", found_on=[HOME, f"{HOME}a"]),
        target("http://dead.example/", error="connect", kind="page", internal=False),
        target(f"{HOME}ok.png", status=200),
        target(f"{HOME}admin/", error="robots"),
    ])  # fmt: skip
    by_url = {f["url"]: f for f in findings}
    assert set(by_url) == {f"{HOME}gone.html", f"{HOME}logo.png", "http://dead.example/"}
    assert by_url[f"{HOME}logo.png"]["pages"] == [HOME, f"{HOME}a"]
    assert by_url[f"{HOME}gone.html"]["page"] == HOME
    assert by_url["http://dead.example/"]["evidence"]["error"] == "connect"


def test_a_5xx_page_is_a_server_error_not_a_broken_link(site):
    broken = page(f"{HOME}apply.jsp", status=500, error="http_500", referrers=[HOME])
    assert run(BrokenLinks(), site(), pages=[page(HOME), broken]) == []
    errors = run(ServerErrors(), site(), pages=[page(HOME), broken])
    assert [f["url"] for f in errors] == [f"{HOME}apply.jsp"]
