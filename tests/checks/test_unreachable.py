"""Each check, on the case it exists for and on the case it must leave alone."""

from govsite.checks.unreachable import Unreachable


def test_unreachable_site_is_one_finding_with_the_reason(site):
    ctx = site()
    ctx.state, ctx.probe_error = "failed", "timeout"
    assert Unreachable().findings(ctx) == [
        {"code": "site_unreachable", "evidence": {"error": "timeout"}}
    ]
