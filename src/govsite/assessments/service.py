"""What the scoring of a run reads from the human sources, and how entries are made."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from govsite.assessments.models import (
    ExpertAssignment,
    IndicatorScore,
    PublicRating,
    PublicSurvey,
)
from govsite.core.audit import record
from govsite.core.pseudonyms import keyed_hash

SCALE = 5  # public answers are 1 (很不满意) … 5 (很满意)


class EntryError(ValueError):
    """A score entry that cannot be accepted (the message is for the user)."""


def latest_scores(website, ruleset: str, source: str, until=None) -> dict[str, float]:
    """indicator id -> the latest value entered for this site (before ``until`` if given)."""
    rows = IndicatorScore.objects.filter(website=website, ruleset=ruleset, source=source)
    if until is not None:
        rows = rows.filter(entered_at__lte=until)
    latest: dict[str, float] = {}
    for indicator, value in rows.order_by("entered_at", "id").values_list("indicator", "value"):
        latest[indicator] = value
    return latest


def assigned_websites(expert, year: int):
    from govsite.registry.models import Website

    return Website.objects.filter(
        expert_assignments__expert=expert,
        expert_assignments__year=year,
        expert_assignments__is_active=True,
    ).select_related("unit")


def is_assigned(expert, website, year: int) -> bool:
    return ExpertAssignment.objects.filter(
        expert=expert, website=website, year=year, is_active=True
    ).exists()


def enter_scores(actor, website, ruleset, source: str, values: dict[str, float], comment=""):
    """Store one entry per indicator whose value changed. Values are checked against the
    indicator's points; nothing is stored if any is out of range."""
    indicators = {i.id: i for i in ruleset.indicators if i.source == source}
    current = latest_scores(website, ruleset.id, source)
    rows = []
    for indicator_id, value in values.items():
        indicator = indicators.get(indicator_id)
        if indicator is None:
            raise EntryError(f"指标 {indicator_id} 不是本指标体系的{source}指标")
        if indicator.kind == "veto":  # a manual veto is a yes/no judgement
            if value not in (0, 1):
                raise EntryError(
                    f"「{indicator.name}」是单项否决项，只能填 1（否决）或 0（不否决）"
                )
        elif not 0 <= value <= indicator.points:
            raise EntryError(f"「{indicator.name}」的分值须在 0 到 {indicator.points:g} 之间")
        if current.get(indicator_id) != value or comment:
            rows.append(IndicatorScore(
                website=website, ruleset=ruleset.id, indicator=indicator_id, source=source,
                value=value, comment=comment, entered_by=actor,
            ))  # fmt: skip
    with transaction.atomic():
        IndicatorScore.objects.bulk_create(rows)
        if rows:
            record(actor, f"assessments.{source}", website, ruleset=ruleset.id,
                   values={r.indicator: r.value for r in rows})  # fmt: skip
    return rows


# Public evaluation -----------------------------------------------------------------------


def current_survey(today: date | None = None) -> PublicSurvey | None:
    today = today or timezone.localdate()
    return PublicSurvey.objects.filter(opens__lte=today, closes__gte=today).first()


def submit_rating(survey, website, respondent: str, address: str, answers, comment="", now=None):
    """Store one response. Refused when the window is closed, the same person already rated
    this site, or the address sent too many responses in the last hour."""
    now = now or timezone.now()
    if not survey.is_open(timezone.localdate(now)):
        raise EntryError("公众评议不在开放时间内")
    address_key = keyed_hash("ip:" + address)
    recent = PublicRating.objects.filter(
        address=address_key, created_at__gte=now - timedelta(hours=1)
    ).count()
    if recent >= settings.GOVSITE_PUBLIC_RATINGS_PER_HOUR:
        raise EntryError("提交过于频繁，请稍后再试")
    for key, value in answers.items():
        if not isinstance(value, int) or not 1 <= value <= SCALE:
            raise EntryError(f"评价 {key} 须为 1 到 {SCALE} 的整数")
    try:
        with transaction.atomic():
            return PublicRating.objects.create(
                survey=survey, website=website, respondent=keyed_hash("who:" + respondent),
                address=address_key, answers=answers, comment=comment[:1000],
            )  # fmt: skip
    except IntegrityError:
        raise EntryError("您已经评价过这个网站，每人每个网站只能评价一次") from None


def public_deductions(website, ruleset, year: int) -> dict[str, float] | None:
    """indicator id -> points deducted from the public's answers: an indicator answered
    on average ``m`` (1–5) loses ``points × (5 − m) / 4``. None when nobody answered."""
    survey = PublicSurvey.objects.filter(year=year).first()
    if survey is None:
        return None
    sums: dict[str, list[int]] = defaultdict(list)
    for answers in PublicRating.objects.filter(survey=survey, website=website).values_list(
        "answers", flat=True
    ):
        for key, value in answers.items():
            sums[key].append(value)
    if not sums:
        return None
    out = {}
    for indicator in ruleset.indicators:
        if indicator.source == "public" and sums.get(indicator.id):
            mean = sum(sums[indicator.id]) / len(sums[indicator.id])
            out[indicator.id] = round(indicator.points * (SCALE - mean) / (SCALE - 1), 2)
    return out or None
