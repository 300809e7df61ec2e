"""The bulletin (通报) of a run: generated from its results by govsite.reports.bulletin,
stored for the evaluator to edit, published with the run."""

from __future__ import annotations

from govsite.evaluations.documents import run_document
from govsite.evaluations.models import Bulletin, EvaluationRun
from govsite.registry.models import Unit, UnitCategory
from govsite.reports.bulletin import Bulletin as Draft
from govsite.reports.bulletin import bulletin_to_text, draft_bulletin


def category_names() -> dict[str, str]:
    return dict(UnitCategory.objects.values_list("code", "name"))


def units_without_site() -> list[str]:
    """Active units that run no active website (seed 001 names them)."""
    return list(
        Unit.objects.filter(is_active=True, parent__isnull=False)
        .exclude(websites__is_active=True)
        .filter(category__has_public_services=True, depth__lte=1)
        .order_by("path")
        .values_list("name", flat=True)
    )


def generated(run: EvaluationRun, sites=None, document: dict | None = None) -> Draft:
    """The generated draft; pass ``document`` when the caller already built it."""
    if document is None:
        document = run_document(run, run.sites.all() if sites is None else sites)
    return draft_bulletin(document, units_without_site=units_without_site(), date=run.today)


def draft_for(run: EvaluationRun, actor=None) -> Bulletin:
    """The run's stored bulletin, generated from its results the first time."""
    stored = Bulletin.objects.filter(run=run).first()
    if stored is not None:
        return stored
    draft = generated(run)
    body = bulletin_to_text(draft).split("\n", 1)[1].lstrip("\n")  # the title is its own field
    stored, _ = Bulletin.objects.get_or_create(
        run=run, defaults={"title": draft.title, "body": body,
                           "updated_by": actor if getattr(actor, "is_authenticated", False) else None},
    )  # fmt: skip
    return stored


def edited(draft: Draft, stored: Bulletin) -> Draft:
    """The evaluator's text in place of the generated sections; the tables stay."""
    return draft.with_text(stored.title, stored.body)
