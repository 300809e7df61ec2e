"""The Django-free label copies stay in step with their sources, and reports import no Django."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from govsite.demosites import contract
from govsite.registry.categories import DEFAULT_CATEGORIES
from govsite.reports import labels

SRC = Path(__file__).resolve().parents[2] / "src" / "govsite"


def model_code_labels() -> dict[str, str]:
    """CODE_LABELS from evaluations/models.py, read without importing Django."""
    tree = ast.parse((SRC / "evaluations" / "models.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "CODE_LABELS":
            return {
                k.value: v.args[0].value
                for k, v in zip(node.value.keys, node.value.values, strict=True)
            }
    raise AssertionError("CODE_LABELS not found")


def test_code_labels_match_the_models():
    assert labels.CODE_LABELS == model_code_labels()


def test_items_guide_elements_and_footer_parts_match_the_contract():
    assert list(labels.ITEM_LABELS) == list(contract.ITEMS)
    assert all(labels.ITEM_LABELS[i] == contract.ITEM_LABELS[i][0] for i in contract.ITEMS)
    assert list(labels.GUIDE_ELEMENT_LABELS) == list(contract.GUIDE_ELEMENTS)
    assert list(labels.FOOTER_PART_LABELS) == list(contract.FOOTER_PARTS)


def test_categories_match_the_registry_defaults():
    assert labels.CATEGORY_NAMES == {code: name for code, name, _ in DEFAULT_CATEGORIES}


def test_every_finding_code_belongs_to_a_problem_group_or_is_known_to_stay_out():
    from govsite.reports.bulletin import PROBLEM_GROUPS

    grouped = {c for g in PROBLEM_GROUPS for c in g.codes} | {"missing_item"}
    assert grouped == set(labels.CODE_LABELS)
    items = [i for g in PROBLEM_GROUPS for i in g.items]
    assert sorted(items) == sorted(contract.ITEMS)


def test_the_reports_import_no_django():
    code = (
        "import sys, govsite.reports.command, govsite.reports.xlsx, govsite.reports.docx, "
        "govsite.reports.pdf; print(sorted(m for m in sys.modules if m.startswith('django')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
