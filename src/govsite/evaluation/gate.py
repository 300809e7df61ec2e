"""Accuracy of the checks against a ground truth (the demo sites' ``ground_truth.json``):
precision and recall per finding code, with the misses and false alarms listed so a
failing gate says what went wrong. CI pins floors in ``tests/checks/gate_floors.json``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field


def finding_key(site_url: str, finding: dict) -> tuple:
    """What makes two findings the same finding, per code."""
    code = finding["code"]
    if code in ("broken_link", "column_stale", "column_empty", "server_error", "slow_page"):
        return (code, site_url, finding["url"])
    if code == "missing_item":
        return (code, site_url, finding["item"])
    if code == "guide_incomplete":
        return (code, site_url, finding["url"], tuple(finding["missing"]))
    if code == "messages_overdue":
        return (code, site_url, finding["url"], finding["count"])
    if code == "forbidden_expression":
        return (code, site_url, finding["url"], finding["text"])
    if code == "footer_incomplete":
        return (code, site_url, tuple(finding["missing"]))
    if code == "homepage_stale":
        return (code, site_url, finding.get("last_update"))
    return (code, site_url)


@dataclass
class CodeScore:
    code: str
    expected: int = 0
    reported: int = 0
    correct: int = 0
    missed: list[tuple] = field(default_factory=list)
    false_alarms: list[tuple] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.correct / self.reported if self.reported else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.expected if self.expected else 1.0


def score(result: dict, truth: dict) -> dict[str, CodeScore]:
    """Scores for every code the ground truth covers (others are not judged)."""
    expected: dict[str, set] = defaultdict(set)
    reported: dict[str, set] = defaultdict(set)
    for site in truth["sites"]:
        for finding in site["findings"]:
            expected[finding["code"]].add(finding_key(site["url"], finding))
    judged = set(expected) | {nf["code"] for site in truth["sites"] for nf in site["not_findings"]}
    truth_urls = {site["url"] for site in truth["sites"]}
    for site in result["sites"]:
        if site["url"] not in truth_urls:
            continue
        for finding in site["findings"]:
            if finding["code"] in judged:
                reported[finding["code"]].add(finding_key(site["url"], finding))
    scores = {}
    for code in sorted(judged):
        exp, rep = expected[code], reported[code]
        scores[code] = CodeScore(
            code, len(exp), len(rep), len(exp & rep), sorted(exp - rep), sorted(rep - exp)
        )
    return scores


def report(scores: dict[str, CodeScore]) -> str:
    lines = [f"{'code':<22}{'expected':>9}{'reported':>9}{'precision':>10}{'recall':>8}"]
    for s in scores.values():
        lines.append(
            f"{s.code:<22}{s.expected:>9}{s.reported:>9}{s.precision:>10.2f}{s.recall:>8.2f}"
        )
        lines += [f"    missed: {m}" for m in s.missed[:10]]
        lines += [f"    false alarm: {f}" for f in s.false_alarms[:10]]
    return "\n".join(lines)
