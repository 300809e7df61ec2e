"""The rulebook and scoring engine, free of Django.

A ruleset (``rulesets/<id>.yaml``) says which findings and inputs cost how many points; the
engine applies it to the sites of a RESULT.json. See docs/scoring-contract.md.
"""

from __future__ import annotations

from govsite.scoring.engine import SiteInputs, rank, score_document, score_site
from govsite.scoring.rulebook import (
    DEFAULT_RULESET,
    Indicator,
    Ruleset,
    RulesetError,
    UnknownRuleset,
    list_rulesets,
    load_ruleset,
    validate_file,
)

__all__ = [
    "DEFAULT_RULESET",
    "Indicator",
    "Ruleset",
    "RulesetError",
    "SiteInputs",
    "UnknownRuleset",
    "list_rulesets",
    "load_ruleset",
    "rank",
    "score_document",
    "score_site",
    "validate_file",
]
