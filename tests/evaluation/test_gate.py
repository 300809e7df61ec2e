"""The CI quality gate: `govsite evaluate` on the bundled demo sites finds their known
defects with pinned precision and recall per check, on two different generations."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from govsite.checks import CheckConfig
from govsite.demosites import generate, serve
from govsite.demosites.ports import free_base_port
from govsite.evaluation.gate import report, score
from govsite.evaluation.run import EvaluateOptions, evaluate
from govsite.evaluation.sites import read_sites

TODAY = date(2025, 11, 20)
FLOORS = json.loads((Path(__file__).with_name("gate_floors.json")).read_text())["floors"]
MINIMUM_FLOOR = 0.9  # no floor may ever be pinned below this
SLOW_SECONDS = 1.5  # the demo's slow page, shortened for the test (limit below)


def evaluate_demo(tmp: Path, seed: int, processes: int) -> tuple[dict, dict]:
    manifest = generate(tmp / "sites", TODAY, seed=seed, base_port=free_base_port())
    options = EvaluateOptions(
        today=TODAY, job_dir=tmp / "job", delay=0.0, per_host=8, processes=processes,
        skip_hosts=frozenset({"bszs.conac.cn"}), check_tls=False,
        config=CheckConfig(slow_page_seconds=1.0),
    )  # fmt: skip
    with serve(manifest.out_dir, slow_seconds=SLOW_SECONDS):
        result = evaluate(read_sites(manifest.out_dir / "sites.csv"), options, stream=None)
    truth = json.loads((manifest.out_dir / "ground_truth.json").read_text(encoding="utf-8"))
    return result, truth


@pytest.mark.parametrize(("seed", "processes"), [(1, 2), (7, 1)])
def test_demo_sites_defects_are_found_with_pinned_precision_and_recall(tmp_path, seed, processes):
    result, truth = evaluate_demo(tmp_path, seed, processes)
    scores = score(result, truth)
    failures = [
        f"{code}: {kind} {getattr(scores[code], kind):.2f} < {floor[kind]}"
        for code, floor in FLOORS.items()
        for kind in ("precision", "recall")
        if getattr(scores[code], kind) < floor[kind]
    ]
    assert not failures, "\n".join(failures) + "\n" + report(scores)
    assert set(scores) <= set(FLOORS), f"codes without a pinned floor: {set(scores) - set(FLOORS)}"


def test_floors_are_never_pinned_low():
    for code, floor in FLOORS.items():
        assert floor["precision"] >= MINIMUM_FLOOR and floor["recall"] >= MINIMUM_FLOOR, code
