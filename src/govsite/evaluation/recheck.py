"""Re-check a site for the findings a unit says it fixed (W7).

The site is crawled again with only the checks that produced those findings switched on,
and each finding is looked for among the new ones by what identifies it (code and URL or
item). A finding is *still there*, *gone*, or *unknown* when the re-check could not judge
it (the site did not answer: every page finding would vanish without being fixed).
"""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path

from govsite.evaluation.run import EvaluateOptions, evaluate
from govsite.evaluation.sites import SiteSpec

TLS_CODES = frozenset({"no_https", "tls_invalid"})


def finding_key(finding: dict) -> tuple[str, str, str]:
    """What makes two findings of two crawls the same defect."""
    return (finding.get("code", ""), finding.get("url") or "", finding.get("item") or "")


def recheck(
    spec: SiteSpec, findings: list[dict], options: EvaluateOptions
) -> tuple[list[bool | None], dict]:
    """For each finding: True still there, False gone, None undetermined; plus the site's
    new result (for the record)."""
    codes = frozenset(f["code"] for f in findings)
    with tempfile.TemporaryDirectory(prefix="govsite-recheck-") as job_dir:
        options = replace(
            options,
            job_dir=Path(job_dir),
            processes=1,
            check_tls=bool(codes & TLS_CODES),
            config=options.config.replace(enabled=codes | {"site_unreachable"}),
        )
        site = evaluate([spec], options, stream=None)["sites"][0]
    unreachable = site["crawl"]["state"] == "failed" or any(
        f["code"] == "site_unreachable" for f in site["findings"]
    )
    present = {finding_key(f) for f in site["findings"]}
    verdicts: list[bool | None] = []
    for finding in findings:
        if finding["code"] == "site_unreachable":
            verdicts.append(unreachable)
        elif unreachable:
            verdicts.append(None)
        else:
            verdicts.append(finding_key(finding) in present)
    return verdicts, site
