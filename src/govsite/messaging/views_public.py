"""The public side (M1, M4): the board, writing a message, following it with the query code,
rating the reply. No login; nothing private is ever rendered here."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib import messages as flash
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from govsite.messaging.forms import QueryForm, RateForm, WriteForm
from govsite.messaging.intake import IntakeError, Upload, check_query_code, submit
from govsite.messaging.models import Channel, Message
from govsite.messaging.privacy import public_messages, sender_view
from govsite.messaging.workflow import SENDER, WorkflowError, transition


def board(request):
    found = public_messages().select_related("reply_unit", "unit", "channel")
    term = request.GET.get("q", "").strip()[:50]
    if term:
        found = found.filter(Q(title__icontains=term) | Q(number=term))
    channel = request.GET.get("channel")
    if channel:
        found = found.filter(channel__slug=channel)
    page = Paginator(found.order_by("-received_at", "-id"), 20).get_page(request.GET.get("page"))
    return render(request, "messaging/board.html", {
        "page": page, "channels": Channel.objects.filter(is_active=True).select_related("unit"),
        "term": term, "query_form": QueryForm(),
    })  # fmt: skip


def detail(request, number: str):
    message = get_object_or_404(public_messages().select_related("reply_unit", "channel"),
                                number=number)  # fmt: skip
    return render(request, "messaging/detail.html", {
        "message": message, "sender": sender_view(None, message),
        "events": message.events.filter(public=True),
    })  # fmt: skip


def write(request, slug: str):
    channel = get_object_or_404(Channel, slug=slug, is_active=True)
    verify = settings.GOVSITE_MESSAGE_VERIFY_CONTACT
    form = WriteForm(request.POST or None, request.FILES or None, verify_contact=verify,
                     initial={"submission": secrets.token_hex(16)})  # fmt: skip
    if request.method == "POST" and form.is_valid():
        files = form.cleaned_data.pop("attachments") or []
        uploads = [Upload(f.name, f.read(settings.GOVSITE_MESSAGE_MAX_ATTACHMENT_BYTES + 1))
                   for f in files[:10]]  # fmt: skip
        try:
            done = submit(channel, form.cleaned_data, address=request.META.get("REMOTE_ADDR", ""),
                          uploads=uploads, idempotency_key=form.cleaned_data["submission"])  # fmt: skip
        except IntakeError as exc:
            for field, text in exc.errors.items():
                form.add_error(
                    None if field == "__all__" or field not in form.fields else field, text
                )
        else:
            if verify and done.created and not form.cleaned_data.get("anonymous"):
                Message.objects.filter(pk=done.message.pk).update(contact_verified=True)
            return render(request, "messaging/submitted.html", {
                "message": done.message, "code": done.query_code, "repeat": not done.created,
            })  # fmt: skip
    return render(request, "messaging/write.html",
                  {"channel": channel, "form": form, "verify": verify})  # fmt: skip


@require_POST
def send_contact_code(request):
    """Send the one-time code to the phone or e-mail typed in the form (JSON answer)."""
    from govsite.messaging.verification import VerificationError, send_code

    if not settings.GOVSITE_MESSAGE_VERIFY_CONTACT:
        raise Http404
    try:
        send_code(request.POST.get("contact", "")[:254], request.META.get("REMOTE_ADDR", ""))
    except VerificationError as exc:
        return JsonResponse({"sent": False, "detail": str(exc)}, status=400)
    return JsonResponse({"sent": True, "detail": "验证码已发送"})


def query(request):
    form = QueryForm(request.POST or request.GET or None)
    message = None
    if form.is_bound and form.is_valid():
        message = Message.objects.filter(number=form.cleaned_data["number"].strip()).first()
        if message is None or not check_query_code(message, form.cleaned_data["code"]):
            message = None
            form.add_error(None, "留言编号或查询码不正确")
    context = {"form": form, "message": message}
    if message is not None:
        context |= {
            "events": message.events.filter(public=True),
            "rate_form": RateForm(
                initial={"number": message.number, "code": form.cleaned_data["code"]}
            ),  # fmt: skip
        }
    return render(request, "messaging/query.html", context)


def rate(request):
    if request.method != "POST":
        raise Http404
    form = RateForm(request.POST)
    if not form.is_valid():
        flash.error(request, "请选择评价")
        return redirect("messaging:query")
    message = Message.objects.filter(number=form.cleaned_data["number"]).first()
    if message is None or not check_query_code(message, form.cleaned_data["code"]):
        raise Http404
    try:
        transition(message, "rate", SENDER, rating=form.cleaned_data["rating"])
        flash.success(request, "感谢您的评价")
    except WorkflowError as exc:
        flash.error(request, str(exc))
    return redirect(f"/messages/query/?number={message.number}&code={form.cleaned_data['code']}")
