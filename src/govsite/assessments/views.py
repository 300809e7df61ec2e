"""Entry pages for the human sources: experts and inspectors score their indicators; the
public rates sites during the yearly window."""

import secrets

from captcha.fields import CaptchaField
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from govsite.accounts.access import has_role
from govsite.accounts.roles import Role
from govsite.assessments.service import (
    EntryError,
    assigned_websites,
    current_survey,
    enter_scores,
    is_assigned,
    latest_scores,
    submit_rating,
)
from govsite.registry.models import Website
from govsite.scoring import RulesetError, load_ruleset

INSPECTOR_ROLES = (Role.EVALUATOR, Role.SUPERVISION, Role.ADMINISTRATOR)
RESPONDENT_COOKIE = "govsite_rater"


def _ruleset(request):
    try:
        return load_ruleset(request.GET.get("ruleset") or settings.GOVSITE_DEFAULT_RULESET)
    except RulesetError:
        raise Http404("未知的指标体系") from None


def _may_score(user, website, source: str) -> bool:
    if source == "expert":
        return is_assigned(user, website, timezone.localdate().year) or has_role(
            user, Role.ADMINISTRATOR
        )
    return has_role(user, *INSPECTOR_ROLES)


@login_required
def worklist(request, source: str):
    ruleset = _ruleset(request)
    if source == "expert":
        if not has_role(request.user, Role.EXPERT, Role.ADMINISTRATOR):
            raise PermissionDenied
        websites = assigned_websites(request.user, timezone.localdate().year)
    else:
        if not has_role(request.user, *INSPECTOR_ROLES):
            raise PermissionDenied
        websites = Website.objects.select_related("unit").filter(is_active=True)
    return render(request, "assessments/worklist.html", {
        "source": source, "websites": websites, "ruleset": ruleset,
        "title": "特邀专家跟踪考核" if source == "expert" else "人工检查指标评分",
    })  # fmt: skip


@login_required
def score_form(request, source: str, website_pk: int):
    ruleset = _ruleset(request)
    website = get_object_or_404(Website, pk=website_pk)
    if not _may_score(request.user, website, source):
        raise PermissionDenied("您没有被分配评价这个网站")
    indicators = [i for i in ruleset.indicators if i.source == source]
    current = latest_scores(website, ruleset.id, source)
    if request.method == "POST":
        values, errors = {}, []
        for indicator in indicators:
            raw = request.POST.get(indicator.id, "").strip()
            if raw == "":
                continue
            try:
                values[indicator.id] = float(raw)
            except ValueError:
                errors.append(f"「{indicator.name}」须为数字")
        try:
            if errors:
                raise EntryError("；".join(errors))
            rows = enter_scores(request.user, website, ruleset, source, values,
                                request.POST.get("comment", "").strip()[:2000])  # fmt: skip
            messages.success(request, f"已保存 {len(rows)} 项评分")
            return redirect(request.path)
        except EntryError as exc:
            messages.error(request, str(exc))
    return render(request, "assessments/score_form.html", {
        "source": source, "website": website, "ruleset": ruleset,
        "rows": [(i, current.get(i.id)) for i in indicators],
    })  # fmt: skip


class RatingForm(forms.Form):
    comment = forms.CharField(label="意见建议（选填）", required=False, max_length=1000,
                              widget=forms.Textarea(attrs={"rows": 3}))  # fmt: skip
    captcha = CaptchaField(label="验证码")

    def __init__(self, *args, questions=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(5, "很满意"), (4, "满意"), (3, "一般"), (2, "不满意"), (1, "很不满意")]
        for indicator in questions:
            self.fields[f"q_{indicator.id}"] = forms.TypedChoiceField(
                label=indicator.name, choices=choices, coerce=int, widget=forms.RadioSelect
            )
        self.order_fields([f"q_{i.id}" for i in questions] + ["comment", "captcha"])


def public_index(request):
    survey = current_survey()
    websites = Website.objects.filter(is_active=True).select_related("unit") if survey else []
    return render(
        request, "assessments/public_index.html", {"survey": survey, "websites": websites}
    )


def public_rate(request, website_pk: int):
    survey = current_survey()
    if survey is None:
        return render(request, "assessments/public_index.html", {"survey": None}, status=404)
    website = get_object_or_404(Website, pk=website_pk, is_active=True)
    try:
        questions = [i for i in load_ruleset(survey.ruleset).indicators if i.source == "public"]
    except RulesetError:
        raise Http404 from None
    form = RatingForm(request.POST or None, questions=questions)
    respondent = request.COOKIES.get(RESPONDENT_COOKIE) or secrets.token_hex(16)
    if request.method == "POST" and form.is_valid():
        answers = {i.id: form.cleaned_data[f"q_{i.id}"] for i in questions}
        try:
            submit_rating(survey, website, respondent, request.META.get("REMOTE_ADDR", ""),
                          answers, form.cleaned_data["comment"])  # fmt: skip
            messages.success(request, "感谢您的评价！")
            response = redirect("assessments:public")
            response.set_cookie(RESPONDENT_COOKIE, respondent, max_age=400 * 86400,
                                httponly=True, samesite="Lax")  # fmt: skip
            return response
        except EntryError as exc:
            messages.error(request, str(exc))
    response = render(request, "assessments/public_rate.html",
                      {"survey": survey, "website": website, "form": form})  # fmt: skip
    response.set_cookie(RESPONDENT_COOKIE, respondent, max_age=400 * 86400, httponly=True,
                        samesite="Lax")  # fmt: skip
    return response
