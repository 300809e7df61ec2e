"""Each check, on the case it exists for and on the case it must leave alone."""

from govsite.checks.server_errors import SlowPages

from .conftest import HOME, page, run


def test_slow_page_uses_the_configured_limit(site):
    slow = page(f"{HOME}slow.html", elapsed=3.5)
    assert len(run(SlowPages(), site(), pages=[slow])) == 1
    assert run(SlowPages(), site(slow_page_seconds=5.0), pages=[slow]) == []
