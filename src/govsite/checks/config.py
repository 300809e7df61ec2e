"""Thresholds of the checks. Defaults are the national 2019 indicators (国办秘函〔2019〕19号);
the rulebook overrides them. No check hard-codes a number."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from govsite.checks.dictionaries import DATA_DIR


@dataclass(frozen=True)
class CheckConfig:
    # 首页不更新: the newest dated item on the home page may be this many days old.
    homepage_window_days: int = 14
    # 互动回应差: look back this far for consultation messages …
    message_lookback_days: int = 365
    # … and count those unanswered for longer than this ("3 months").
    message_unanswered_days: int = 92
    # A page that takes longer than this to answer is a slow_page (seconds).
    slow_page_seconds: float = 3.0
    # TLS certificates expiring within this many days are reported (tls_invalid, expiring_soon).
    tls_warn_days: int = 30
    # Editable dictionaries (items.yaml, columns.yaml, forbidden.txt).
    data_dir: Path = DATA_DIR
    # Checks to run (all by default); names as in govsite.checks.CHECKS.
    enabled: frozenset[str] = field(default_factory=frozenset)

    def replace(self, **changes) -> CheckConfig:
        return replace(self, **changes)
