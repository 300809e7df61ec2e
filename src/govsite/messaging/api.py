"""REST API for public messages (B6): intake, the sender's status query and rating, the staff
workflow, published messages and per-unit statistics.

Everything goes through ``intake``, ``workflow`` and ``privacy``:

* what a staff member may open is ``privacy.openable_messages(user)``: ``staff_messages``
  plus, for unit roles, ``claimable_messages`` (published, not yet routed, never 举报: what
  a unit may claim, 认领). Anything else is 404;
* sender fields only come from ``privacy.sender_view``; reads of non-public messages are
  logged with ``privacy.log_private_read``;
* the public endpoints never carry contact fields at all.

The public intake is anonymous: throttled per address (DRF) and by intake's hourly limit,
idempotent with the ``Idempotency-Key`` header, and protected by a django-simple-captcha
key/value pair (``GET captcha/`` hands one out) unless the caller is staff (token).
"""

from __future__ import annotations

import functools
import re
from datetime import date

from django.conf import settings
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.dateparse import parse_date
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from govsite.accounts.access import access_for, visible_units
from govsite.accounts.roles import Scope
from govsite.messaging import intake, privacy, workflow
from govsite.messaging.models import Channel, Message, MessageType, Status, SupervisionOrder
from govsite.registry.models import Unit

# Statuses in which a routed message is being worked on (its deadline runs).
OPEN_HANDLING = (Status.ASSIGNED, Status.HANDLING)
ANSWERED = (Status.REPLIED, Status.CLOSED)
IDEMPOTENCY_MAX = 64
BAD_IDEMPOTENCY_KEY = f"Idempotency-Key 须为不超过 {IDEMPOTENCY_MAX} 个字符的 ASCII 字符串"
ACTION_TITLES = {"submit": "提交留言"} | {name: t.title for name, t in workflow.TRANSITIONS.items()}


# -- who is calling ------------------------------------------------------------------


def client_address(request) -> str:
    """The caller's address. X-Forwarded-For is trusted only when NUM_PROXIES says how many
    proxies stand in front (otherwise anyone could rotate it to dodge the limits)."""
    if api_settings.NUM_PROXIES:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [part.strip() for part in forwarded.split(",") if part.strip()]
        if hops:
            return hops[-min(api_settings.NUM_PROXIES, len(hops))]
    return request.META.get("REMOTE_ADDR", "")


def is_staff_caller(user) -> bool:
    """Authenticated and holding a govsite role (or Django staff): skips captcha and limits."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(access_for(user).roles) or user.is_staff


class StaffAuth:
    """Token first, so that an anonymous call gets 401 with ``WWW-Authenticate: Token``."""

    authentication_classes = [TokenAuthentication, SessionAuthentication]


class IsStaffMember(BasePermission):
    message = "需要工作人员账号（令牌或登录）"

    def has_permission(self, request, view) -> bool:
        return is_staff_caller(request.user)


class AddressThrottle(SimpleRateThrottle):
    """Per-address rate; the rate is read from settings at request time (tests change it).
    Staff callers are not throttled (the load benchmark submits with a staff token)."""

    setting = ""
    default_rate = "30/min"

    def get_rate(self):
        return getattr(settings, self.setting, self.default_rate)

    def get_cache_key(self, request, view):
        if is_staff_caller(request.user):
            return None
        return self.cache_format % {"scope": self.scope, "ident": client_address(request) or "-"}


class IntakeTokenAuthentication(TokenAuthentication):
    """DRF's token check, with "holds a govsite role" read in the same query: all the intake
    needs to know of a staff caller. One raw query: built with the ORM (``select_related`` +
    an ``Exists`` annotation) the same lookup cost half of a submission's CPU, measured
    with py-spy under load — compiling the query, not running it."""

    def authenticate_credentials(self, key):
        from django.contrib.auth import get_user_model

        users = get_user_model().objects.raw(_token_user_sql(), [key])
        user = next(iter(users), None)
        if user is None or not user.is_active:
            return super().authenticate_credentials(key)  # DRF's own refusal
        user._govsite_has_role = bool(user.has_role)
        return user, self.get_model()(key=key, user=user)


class IntakeTokenScheme(OpenApiAuthenticationExtension):
    """The same "Token <key>" header as DRF's token scheme, under its own name: the schema
    needs one name per authentication class."""

    target_class = IntakeTokenAuthentication
    name = "intakeTokenAuth"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object("Authorization", self.target.keyword)


@functools.cache
def _token_user_sql() -> str:
    """The token's user, every column, and whether any role is assigned to them."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from rest_framework.authtoken.models import Token

    from govsite.accounts.models import RoleAssignment, StaffProfile

    q = connection.ops.quote_name
    user = get_user_model()._meta
    columns = ", ".join(f"u.{q(f.column)}" for f in user.concrete_fields)
    token, profile, role = Token._meta, StaffProfile._meta, RoleAssignment._meta
    return (
        f"SELECT {columns}, EXISTS (SELECT 1 FROM {q(role.db_table)} r"
        f" JOIN {q(profile.db_table)} p ON p.{q(profile.pk.column)} = r.{q(role.get_field('profile').column)}"
        f" WHERE p.{q(profile.get_field('user').column)} = u.{q(user.pk.column)}) AS has_role"
        f" FROM {q(token.db_table)} t JOIN {q(user.db_table)} u"
        f" ON u.{q(user.pk.column)} = t.{q(token.get_field('user').column)}"
        f" WHERE t.{q(token.pk.column)} = %s"
    )


def submits_as_staff(request) -> bool:
    """``is_staff_caller`` for the intake, at most one query and once per request: any
    govsite role (or Django staff / superuser) skips the captcha and the limits. The full
    ``access_for`` (profile, roles, unit: three queries) is not needed to know that."""
    known = getattr(request, "_govsite_submits_as_staff", None)
    if known is None:
        user = request.user
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            known = False
        elif user.is_superuser or user.is_staff:
            known = True
        elif (has_role := getattr(user, "_govsite_has_role", None)) is not None:
            known = has_role
        elif (access := getattr(user, "_govsite_access", None)) is not None:
            known = bool(access.roles)
        else:
            from govsite.accounts.models import RoleAssignment

            known = RoleAssignment.objects.filter(profile__user_id=user.pk).exists()
        request._govsite_submits_as_staff = known
    return known


class IntakeThrottle(AddressThrottle):
    scope = "messages_intake"
    setting = "GOVSITE_API_INTAKE_THROTTLE"
    default_rate = "20/min"

    def get_cache_key(self, request, view):
        if submits_as_staff(request):
            return None
        return self.cache_format % {"scope": self.scope, "ident": client_address(request) or "-"}


class LookupThrottle(AddressThrottle):
    """Status queries, ratings and captcha keys: slows down guessing of query codes."""

    scope = "messages_lookup"
    setting = "GOVSITE_API_LOOKUP_THROTTLE"
    default_rate = "30/min"


class JsonAPIView(GenericAPIView):
    renderer_classes = [JSONRenderer]


def intake_errors(errors: dict[str, str], status_code=status.HTTP_400_BAD_REQUEST) -> Response:
    return Response(
        {"detail": "提交的内容有误，请按提示修改", "errors": errors}, status=status_code
    )


def flatten(errors) -> dict[str, str]:
    """DRF serializer errors -> {field: Chinese text}."""
    out = {}
    for field, messages in errors.items():
        if isinstance(messages, dict):
            messages = [str(m) for m in flatten(messages).values()]
        elif not isinstance(messages, list | tuple):
            messages = [messages]
        out[field] = "；".join(str(m) for m in messages)
    return out


def label(choices, value) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def iso(value) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def published_reply(message: Message) -> str:
    """The reply the sender and the public may read: only once it stands (replied / closed),
    never while the supervision office is still reviewing it."""
    return message.reply if message.status in ANSWERED else ""


def public_events(message: Message):
    """The steps shown outside the offices: public ones, without a reply still under review."""
    return (message.events.filter(public=True)
            .exclude(action="reply", to_status=Status.REPLY_REVIEW).select_related("unit"))  # fmt: skip


def is_overdue(message: Message, now=None) -> bool:
    now = now or timezone.now()
    return message.status in OPEN_HANDLING and message.due_at is not None and message.due_at < now


# -- intake -----------------------------------------------------------------------------


def _text(max_length: int, name: str, required: bool = False, shown: int | None = None, **extra):
    """A string field with Chinese messages; ``shown`` is the limit to name in the message when
    the field's own bound is only an outer guard (the exact rule lives in intake)."""
    return serializers.CharField(
        required=required, allow_blank=not required, max_length=max_length, trim_whitespace=True,
        error_messages={"max_length": f"{name}不能超过 {shown or max_length} 字",
                        "required": f"请填写{name}", "blank": f"请填写{name}",
                        "invalid": f"{name}格式不正确"},
        **extra,
    )  # fmt: skip


class IntakeSerializer(serializers.Serializer):
    """Shapes only; the rules (lengths, contact, anonymity) are intake.validate's."""

    channel = serializers.SlugField(required=False, default="board", max_length=50,
                                    help_text="留言渠道标识，默认 board（网上留言板）")  # fmt: skip
    message_type = serializers.ChoiceField(choices=MessageType.choices,
                                           error_messages={"invalid_choice": "请选择留言类型",
                                                           "required": "请选择留言类型"})  # fmt: skip
    # Generous outer bounds so that a huge body is refused before any work; the exact limits
    # (100 / 5000 characters) and their messages come from intake.validate.
    title = _text(1000, "标题", required=True, shown=intake.TITLE_MAX)
    content = _text(50000, "内容", required=True, shown=intake.CONTENT_MAX)
    name = _text(200, "姓名", shown=40)
    phone = _text(100, "电话")
    email = _text(300, "邮箱")
    anonymous = serializers.BooleanField(required=False, default=False)
    wants_public = serializers.BooleanField(required=False, default=True)
    captcha_key = _text(40, "验证码标识", help_text="GET /api/messages/captcha/ 返回的 captcha_key")
    captcha_value = _text(
        32, "验证码", help_text="图片中的字符（不区分大小写）；工作人员令牌可免填"
    )


_PLAIN_TEXT = {"title": (1000, True), "content": (50000, True), "name": (200, False),
               "phone": (100, False), "email": (300, False), "captcha_key": (40, False),
               "captcha_value": (32, False)}  # fmt: skip
_SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")
_NOT_TEXT = re.compile("[\x00\ud800-\udfff]")  # DRF refuses NUL and lone surrogates


def plain_intake_data(raw) -> dict | None:
    """What ``IntakeSerializer`` returns for an ordinary JSON body — strings and booleans,
    nothing missing, blank or too long — without building a serializer (DRF deep-copies
    every declared field per request: ~0.3 ms, the same order as a query). None: anything
    else; the serializer decides and words the errors."""
    if type(raw) is not dict:  # forms and multipart (QueryDict) go through the serializer
        return None
    out: dict = {}
    for name, (limit, required) in _PLAIN_TEXT.items():
        if name not in raw:
            if required:
                return None
            continue
        value = raw[name]
        if type(value) is not str:
            return None
        value = value.strip()
        if (required and not value) or len(value) > limit or _NOT_TEXT.search(value):
            return None
        out[name] = value
    channel = raw.get("channel", "board")
    if type(channel) is not str or len(channel := channel.strip()) > 50 or not _SLUG.match(channel):
        return None
    kind = raw.get("message_type")
    if type(kind) is not str or kind not in MessageType.values:
        return None
    out["channel"], out["message_type"] = channel, kind
    for name, default in (("anonymous", False), ("wants_public", True)):
        value = raw.get(name, default)
        if type(value) is not bool:
            return None
        out[name] = value
    return out


class IntakeResponseSerializer(serializers.Serializer):
    number = serializers.CharField(help_text="留言编号")
    query_code = serializers.CharField(allow_null=True,
                                       help_text="查询码，只在首次提交时返回一次；重复提交时为 null")  # fmt: skip
    created = serializers.BooleanField(help_text="false：同一 Idempotency-Key 已提交过")
    detail = serializers.CharField()


def check_captcha(data: dict) -> dict[str, str]:
    """django-simple-captcha's own DRF validator: the key is single-use (deleted even when the
    answer is wrong), expires after CAPTCHA_TIMEOUT minutes, the answer is case-insensitive."""
    from captcha.validators import captcha_validate
    from rest_framework.exceptions import ValidationError

    key, value = data.get("captcha_key", ""), data.get("captcha_value", "")
    if not key or not value:
        return {"captcha_value": "请填写验证码（先通过 GET /api/messages/captcha/ 获取）"}
    try:
        captcha_validate(key, value)
    except ValidationError:
        return {"captcha_value": "验证码错误或已过期，请重新获取验证码"}
    return {}


class IntakeView(JsonAPIView):
    """POST /api/messages/ — write a message (anonymous allowed)."""

    permission_classes = [AllowAny]
    authentication_classes = [SessionAuthentication, IntakeTokenAuthentication]
    throttle_classes = [IntakeThrottle]
    parser_classes = [JSONParser, FormParser, MultiPartParser]
    serializer_class = IntakeSerializer

    @extend_schema(
        summary="提交留言",
        description="匿名可用。非工作人员须提供验证码（captcha_key + captcha_value）。"
        "请求头 Idempotency-Key（≤64 字符）使重复提交返回同一留言编号（200，查询码不再返回）。",
        parameters=[OpenApiParameter("Idempotency-Key", OpenApiTypes.STR, OpenApiParameter.HEADER)],
        responses={201: IntakeResponseSerializer, 200: IntakeResponseSerializer},
    )
    def post(self, request):
        key = request.headers.get("Idempotency-Key", "").strip()
        if len(key) > IDEMPOTENCY_MAX or (key and not (key.isascii() and key.isprintable())):
            return intake_errors({"Idempotency-Key": BAD_IDEMPOTENCY_KEY})
        data = plain_intake_data(request.data)
        if data is None:
            serializer = IntakeSerializer(data=request.data)
            if not serializer.is_valid():
                return intake_errors(flatten(serializer.errors))
            data = serializer.validated_data
        channel = Channel.objects.filter(slug=data["channel"], is_active=True).first()
        if channel is None:
            return intake_errors({"channel": "留言渠道不存在或已停用"})
        fields = {name: data.get(name, "") for name in ("message_type", "title", "content", "name",
                                                     "phone", "email", "anonymous", "wants_public")}  # fmt: skip
        uploads = [
            intake.Upload(f.name, f.read()) for f in request.FILES.getlist("attachments")[:10]
        ]
        try:  # field errors first: a wrong form must not use up the captcha
            intake.validate(fields, channel, uploads)
        except intake.IntakeError as exc:
            return intake_errors(exc.errors)
        staff = submits_as_staff(request)
        if not staff and (errors := check_captcha(data)):
            # A double click racing the first request: that one used the captcha up, and may
            # have stored the message by now.
            previous = intake.previous_submission(key)
            return replay(previous, data) if previous is not None else intake_errors(errors)
        address = "" if staff else client_address(request)
        if address and intake.too_many_from(intake.keyed_hash("ip:" + address), timezone.now()):
            return too_many()
        try:
            done = intake.submit(channel, fields, address=address, uploads=uploads,
                                 idempotency_key=key, source="api", key_is_new=True)  # fmt: skip
        except intake.IntakeError as exc:
            return intake_errors(exc.errors)
        if not done.created:
            return replay(done.message, data)
        return Response({"number": done.message.number, "query_code": done.query_code,
                         "created": True,
                         "detail": "留言已提交。请牢记留言编号和查询码，凭此查询办理进度；查询码不会再次显示。"},
                        status=status.HTTP_201_CREATED)  # fmt: skip


def too_many() -> Response:
    return Response(
        {"detail": "提交过于频繁，请一小时后再试"}, status=status.HTTP_429_TOO_MANY_REQUESTS
    )


def replay(previous: Message, data: dict) -> Response:
    """The same Idempotency-Key again: the first message's number, never its query code. A key
    reused for a different message is an error (as in the IETF Idempotency-Key draft)."""
    same = (intake.clean_text(data.get("title", "")) == previous.title
            and intake.clean_text(data.get("content", "")) == previous.content)  # fmt: skip
    if not same:
        return Response({"detail": "该 Idempotency-Key 已用于另一条内容不同的留言，请换一个"},
                        status=status.HTTP_422_UNPROCESSABLE_ENTITY)  # fmt: skip
    return Response({"number": previous.number, "query_code": None, "created": False,
                     "detail": "该请求已提交过（Idempotency-Key 相同），返回原留言编号；"
                               "查询码只在首次提交时显示，不再提供。"})  # fmt: skip


class CaptchaView(JsonAPIView):
    """GET /api/messages/captcha/ — a new single-use captcha for API clients."""

    permission_classes = [AllowAny]
    throttle_classes = [LookupThrottle]

    @extend_schema(
        summary="获取验证码",
        responses=inline_serializer("CaptchaKey", {"captcha_key": serializers.CharField(),
                                                   "image_url": serializers.CharField(),
                                                   "expires_in_minutes": serializers.IntegerField()}),
    )  # fmt: skip
    def get(self, request):
        from captcha.conf import settings as captcha_settings
        from captcha.helpers import captcha_image_url
        from captcha.models import CaptchaStore

        key = CaptchaStore.pick()
        return Response({"captcha_key": key, "image_url": request.build_absolute_uri(captcha_image_url(key)),
                         "expires_in_minutes": int(captcha_settings.CAPTCHA_TIMEOUT)})  # fmt: skip


# -- the sender: status query and rating ----------------------------------------------------


class LookupSerializer(serializers.Serializer):
    number = _text(24, "留言编号", required=True)
    code = _text(16, "查询码", required=True)


class RateSerializer(serializers.Serializer):
    code = _text(16, "查询码", required=True)
    rating = serializers.ChoiceField(choices=list(workflow.SATISFACTION.items()),
                                     error_messages={"invalid_choice": "请选择 满意 / 基本满意 / 不满意",
                                                     "required": "请选择评价"})  # fmt: skip


class EventSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    action = serializers.CharField()
    title = serializers.SerializerMethodField()
    unit = serializers.CharField(source="unit.name", default=None)
    note = serializers.CharField()

    def get_title(self, event) -> str:
        return ACTION_TITLES.get(event.action, event.action)


class StatusSerializer(serializers.Serializer):
    """What the sender sees: no sender fields (they are the sender's own), public steps only."""

    number = serializers.CharField()
    title = serializers.CharField()
    message_type = serializers.CharField()
    message_type_label = serializers.CharField(source="get_message_type_display")
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    received_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField()
    events = serializers.SerializerMethodField()
    reply = serializers.SerializerMethodField()
    reply_unit = serializers.SerializerMethodField()
    replied_at = serializers.SerializerMethodField()
    satisfaction = serializers.CharField()
    can_rate = serializers.SerializerMethodField()

    def get_reply(self, message) -> str:
        return published_reply(message)

    def get_replied_at(self, message) -> str | None:
        return iso(message.replied_at) if published_reply(message) else None

    def get_reply_unit(self, message) -> str | None:
        return message.reply_unit.name if published_reply(message) and message.reply_unit else None

    @extend_schema_field(EventSerializer(many=True))
    def get_events(self, message) -> list[dict]:
        return EventSerializer(public_events(message), many=True).data

    def get_can_rate(self, message) -> bool:
        return message.status == Status.REPLIED


def find_for_sender(number: str, code: str) -> Message | None:
    """The message when number and code match; None otherwise, taking the same time whether
    or not the number exists."""
    message = Message.objects.filter(number=number.strip()).select_related("reply_unit").first()
    if message is None:
        intake.check_query_code(Message(query_code_hash="0" * 64), code)
        return None
    return message if intake.check_query_code(message, code) else None


NOT_FOUND_FOR_SENDER = {"detail": "留言编号或查询码不正确"}


class StatusView(JsonAPIView):
    """GET /api/messages/status/?number=…&code=… — the sender follows a message."""

    permission_classes = [AllowAny]
    throttle_classes = [LookupThrottle]
    serializer_class = StatusSerializer

    @extend_schema(summary="留言人查询办理进度", parameters=[
        OpenApiParameter("number", OpenApiTypes.STR, required=True, description="留言编号"),
        OpenApiParameter("code", OpenApiTypes.STR, required=True, description="查询码"),
    ], responses={200: StatusSerializer})  # fmt: skip
    def get(self, request):
        lookup = LookupSerializer(data=request.query_params)
        if not lookup.is_valid():
            return intake_errors(flatten(lookup.errors))
        message = find_for_sender(lookup.validated_data["number"], lookup.validated_data["code"])
        if message is None:
            return Response(NOT_FOUND_FOR_SENDER, status=status.HTTP_404_NOT_FOUND)
        return Response(StatusSerializer(message).data)


class RateView(JsonAPIView):
    """POST /api/messages/{number}/rate/ — the sender rates the reply."""

    permission_classes = [AllowAny]
    throttle_classes = [LookupThrottle]
    parser_classes = [JSONParser, FormParser]
    serializer_class = RateSerializer

    @extend_schema(
        summary="留言人评价答复", request=RateSerializer, responses={200: StatusSerializer}
    )
    def post(self, request, number: str):
        form = RateSerializer(data=request.data)
        if not form.is_valid():
            return intake_errors(flatten(form.errors))
        message = find_for_sender(number, form.validated_data["code"])
        if message is None:
            return Response(NOT_FOUND_FOR_SENDER, status=status.HTTP_404_NOT_FOUND)
        try:
            message = workflow.transition(message, "rate", workflow.SENDER,
                                          rating=form.validated_data["rating"])  # fmt: skip
        except workflow.WorkflowError as exc:
            return workflow_error(exc)
        return Response(StatusSerializer(message).data)


def workflow_error(exc: workflow.WorkflowError) -> Response:
    code = (
        status.HTTP_403_FORBIDDEN
        if isinstance(exc, workflow.NotAllowed)
        else status.HTTP_409_CONFLICT
    )
    return Response({"detail": str(exc)}, status=code)


# -- staff ---------------------------------------------------------------------------------


class StaffListSerializer(serializers.ModelSerializer):
    message_type_label = serializers.CharField(source="get_message_type_display")
    status_label = serializers.CharField(source="get_status_display")
    channel = serializers.CharField(source="channel.name")
    unit_name = serializers.CharField(source="unit.name", default=None)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Message
        fields = ["number", "message_type", "message_type_label", "title", "status",
                  "status_label", "channel", "unit", "unit_name", "received_at", "ack_due_at",
                  "due_at", "overdue", "replied_at", "is_public", "important", "extended"]  # fmt: skip

    def get_overdue(self, message) -> bool:
        return is_overdue(message)


class StaffEventSerializer(EventSerializer):
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    public = serializers.BooleanField()
    actor = serializers.CharField(source="actor.get_username", default=None)


class SenderSerializer(serializers.Serializer):
    name = serializers.CharField()
    phone = serializers.CharField()
    email = serializers.CharField()


class StaffDetailSerializer(StaffListSerializer):
    """One message for staff; the sender only as privacy.sender_view allows."""

    sender = serializers.SerializerMethodField()
    reply_unit = serializers.CharField(source="reply_unit.name", default=None)
    events = serializers.SerializerMethodField()
    attachments = serializers.SerializerMethodField()
    orders = serializers.SerializerMethodField()
    available = serializers.SerializerMethodField()

    class Meta(StaffListSerializer.Meta):
        fields = StaffListSerializer.Meta.fields + [
            "content", "sender", "anonymous", "wants_public", "hide_reason", "complex",
            "acknowledged_at", "assigned_at", "extension_reason", "reply", "reply_kind",
            "reply_unit", "on_time", "handling_workdays", "satisfaction", "reopened", "source",
            "events", "attachments", "orders", "available",
        ]  # fmt: skip

    @extend_schema_field(SenderSerializer)
    def get_sender(self, message) -> dict:
        return SenderSerializer(privacy.sender_view(self.context["user"], message)).data

    @extend_schema_field(StaffEventSerializer(many=True))
    def get_events(self, message) -> list[dict]:
        events = message.events.select_related("unit", "actor")
        return StaffEventSerializer(events, many=True).data

    def get_attachments(self, message) -> list[dict]:
        return list(message.attachments.values("name", "content_type", "size"))

    def get_orders(self, message) -> list[dict]:
        return [{"kind": o.kind, "kind_label": o.get_kind_display(), "instruction": o.instruction,
                 "created_at": iso(o.created_at), "due_at": iso(o.due_at),
                 "closed_at": iso(o.closed_at)} for o in message.orders.all()]  # fmt: skip

    def get_available(self, message) -> list[dict]:
        return [{"action": t.name, "title": t.title, "needs": list(t.needs)}
                for t in workflow.available(self.context["user"], message)]  # fmt: skip


def parse_bool(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "on")


class StaffListView(StaffAuth, JsonAPIView):
    """GET /api/messages/staff/ — the messages this staff member may open."""

    permission_classes = [IsAuthenticated, IsStaffMember]
    serializer_class = StaffListSerializer

    @extend_schema(summary="工作人员：留言列表", parameters=[
        OpenApiParameter("status", OpenApiTypes.STR, description="状态，可用逗号分隔多个"),
        OpenApiParameter("unit", OpenApiTypes.INT, description="承办单位 id（含其下级单位）"),
        OpenApiParameter("overdue", OpenApiTypes.BOOL, description="只看已超期未答复的"),
        OpenApiParameter("message_type", OpenApiTypes.STR),
        OpenApiParameter("claimable", OpenApiTypes.BOOL, description="单位：可认领的已公开留言"),
    ], responses=StaffListSerializer(many=True))  # fmt: skip
    def get(self, request):
        params = request.query_params
        user = request.user
        if parse_bool(params.get("claimable")):
            found = privacy.claimable_messages(user)
        else:
            found = privacy.staff_messages(user)
        errors = {}
        if params.get("status"):
            wanted = [s.strip() for s in params["status"].split(",") if s.strip()]
            if unknown := [s for s in wanted if s not in Status.values]:
                errors["status"] = f"未知的状态：{'、'.join(unknown)[:100]}"
            found = found.filter(status__in=wanted)
        if params.get("message_type"):
            if params["message_type"] not in MessageType.values:
                errors["message_type"] = "未知的留言类型"
            found = found.filter(message_type=params["message_type"])
        if params.get("unit"):
            unit = (
                Unit.objects.filter(pk=params["unit"]).first() if params["unit"].isdigit() else None
            )
            if unit is None:
                errors["unit"] = "单位不存在"
            else:
                found = found.filter(unit__path__startswith=unit.path)
        if parse_bool(params.get("overdue")):
            found = found.filter(status__in=OPEN_HANDLING, due_at__lt=timezone.now())
        if errors:
            return intake_errors(errors)
        found = found.select_related("channel", "unit").order_by("-received_at", "-id")
        page = self.paginate_queryset(found)
        return self.get_paginated_response(StaffListSerializer(page, many=True).data)


class StaffDetailView(StaffAuth, JsonAPIView):
    """GET /api/messages/staff/{number}/ — one message; a read of a private one is logged."""

    permission_classes = [IsAuthenticated, IsStaffMember]
    serializer_class = StaffDetailSerializer

    @extend_schema(summary="工作人员：留言详情", responses=StaffDetailSerializer)
    def get(self, request, number: str):
        message = get_object_or_404(privacy.openable_messages(request.user).select_related(
            "channel", "unit", "reply_unit"), number=number)  # fmt: skip
        privacy.log_private_read(request.user, message, "api:staff_detail")
        return Response(StaffDetailSerializer(message, context={"user": request.user}).data)


class TransitionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=[(n, t.title) for n, t in workflow.TRANSITIONS.items()
                                              if n != "rate"],
                                     error_messages={"invalid_choice": "未知的操作：{input}",
                                                     "required": "请指定操作"})  # fmt: skip
    unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.filter(is_active=True),
                                              required=False, help_text="转办 / 转下级单位：单位 id",
                                              error_messages={"does_not_exist": "单位不存在或已停用",
                                                              "incorrect_type": "单位应为 id"})  # fmt: skip
    reason = _text(500, "理由")
    instruction = _text(2000, "批示内容")
    text = _text(5000, "答复内容")
    competent = _text(100, "主管单位", help_text="答复类型 out_of_scope：有权处理的主管单位")
    kind = _text(
        20, "类型", help_text="答复：answer / out_of_scope / thanks；批示：supervise / transfer"
    )
    due_workdays = serializers.IntegerField(required=False, min_value=1, max_value=60,
                                            error_messages={"invalid": "督办时限应为工作日数",
                                                            "min_value": "督办时限至少 1 个工作日",
                                                            "max_value": "督办时限不能超过 60 个工作日"})  # fmt: skip

    def validate(self, attrs):
        kind = attrs.get("kind")
        if kind:
            allowed = (SupervisionOrder.Kind.values if attrs["action"] == "instruct"
                       else list(workflow.REPLY_KINDS) if attrs["action"] == "reply" else None)  # fmt: skip
            if allowed is None or kind not in allowed:
                raise serializers.ValidationError(
                    {"kind": f"类型应为：{' / '.join(allowed or [])}".rstrip("：")}
                )
        return attrs


class TransitionResponseSerializer(serializers.Serializer):
    number = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    unit = serializers.IntegerField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True)
    available = serializers.ListField(child=serializers.DictField())


class TransitionView(StaffAuth, JsonAPIView):
    """POST /api/messages/staff/{number}/transition/ — one workflow step."""

    permission_classes = [IsAuthenticated, IsStaffMember]
    parser_classes = [JSONParser, FormParser]
    serializer_class = TransitionSerializer

    @extend_schema(summary="工作人员：办理操作（审核、转办、认领、签收、答复……）",
                   description="状态不允许或已被他人处理：409；无权操作：403；看不到的留言：404。",
                   request=TransitionSerializer, responses={200: TransitionResponseSerializer})  # fmt: skip
    def post(self, request, number: str):
        message = get_object_or_404(privacy.openable_messages(request.user), number=number)
        form = TransitionSerializer(data=request.data)
        if not form.is_valid():
            return intake_errors(flatten(form.errors))
        params = {k: v for k, v in form.validated_data.items() if v not in ("", None)}
        action = params.pop("action")
        try:
            message = workflow.transition(message, action, request.user, **params)
        except workflow.WorkflowError as exc:
            return workflow_error(exc)
        return Response({
            "number": message.number, "status": message.status,
            "status_label": message.get_status_display(), "unit": message.unit_id,
            "due_at": iso(message.due_at),
            "available": [{"action": t.name, "title": t.title, "needs": list(t.needs)}
                          for t in workflow.available(request.user, message)],
        })  # fmt: skip


# -- published messages ---------------------------------------------------------------------


class PublicMessageSerializer(serializers.ModelSerializer):
    """A published message: never any sender field."""

    message_type_label = serializers.CharField(source="get_message_type_display")
    status_label = serializers.CharField(source="get_status_display")
    channel = serializers.CharField(source="channel.name")
    unit = serializers.CharField(source="unit.name", default=None)
    reply = serializers.SerializerMethodField()
    reply_unit = serializers.SerializerMethodField()
    replied_at = serializers.SerializerMethodField()

    class Meta:
        model = Message
        fields = ["number", "message_type", "message_type_label", "title", "content", "status",
                  "status_label", "channel", "unit", "received_at", "reply", "reply_unit",
                  "replied_at", "satisfaction"]  # fmt: skip

    def get_reply(self, message) -> str:
        return published_reply(message)

    def get_replied_at(self, message) -> str | None:
        return iso(message.replied_at) if published_reply(message) else None

    def get_reply_unit(self, message) -> str | None:
        return message.reply_unit.name if published_reply(message) and message.reply_unit else None


class PublicDetailSerializer(PublicMessageSerializer):
    events = serializers.SerializerMethodField()

    class Meta(PublicMessageSerializer.Meta):
        fields = PublicMessageSerializer.Meta.fields + ["events"]

    @extend_schema_field(EventSerializer(many=True))
    def get_events(self, message) -> list[dict]:
        return EventSerializer(public_events(message), many=True).data


class PublicListView(JsonAPIView):
    """GET /api/messages/public/ — published messages, paginated."""

    permission_classes = [AllowAny]
    serializer_class = PublicMessageSerializer

    @extend_schema(summary="已公开的留言", parameters=[
        OpenApiParameter("q", OpenApiTypes.STR, description="标题关键词或留言编号"),
        OpenApiParameter("message_type", OpenApiTypes.STR),
        OpenApiParameter("channel", OpenApiTypes.STR, description="渠道标识"),
    ], responses=PublicMessageSerializer(many=True))  # fmt: skip
    def get(self, request):
        found = privacy.public_messages().select_related("channel", "unit", "reply_unit")
        term = request.query_params.get("q", "").strip()[:50]
        if term:
            found = found.filter(Q(title__icontains=term) | Q(number=term))
        if kind := request.query_params.get("message_type"):
            found = found.filter(message_type=kind)
        if channel := request.query_params.get("channel"):
            found = found.filter(channel__slug=channel)
        page = self.paginate_queryset(found.order_by("-received_at", "-id"))
        return self.get_paginated_response(PublicMessageSerializer(page, many=True).data)


class PublicDetailView(JsonAPIView):
    permission_classes = [AllowAny]
    serializer_class = PublicDetailSerializer

    @extend_schema(summary="已公开的留言详情", responses=PublicDetailSerializer)
    def get(self, request, number: str):
        message = get_object_or_404(privacy.public_messages().select_related(
            "channel", "unit", "reply_unit"), number=number)  # fmt: skip
        return Response(PublicDetailSerializer(message).data)


# -- statistics -------------------------------------------------------------------------------


class UnitRatesSerializer(serializers.Serializer):
    unit = serializers.IntegerField(allow_null=True)
    unit_name = serializers.CharField(allow_null=True)
    received = serializers.IntegerField()
    replied = serializers.IntegerField()
    reply_rate = serializers.FloatField(allow_null=True)
    on_time_rate = serializers.FloatField(allow_null=True)
    avg_workdays = serializers.FloatField(allow_null=True)
    satisfaction = serializers.FloatField(allow_null=True)
    rated = serializers.IntegerField()
    repeats = serializers.IntegerField()
    level = serializers.CharField(allow_null=True)
    rank = serializers.IntegerField(allow_null=True)


RATE_FIELDS = ("received", "replied", "reply_rate", "on_time_rate", "avg_workdays",
               "satisfaction", "rated", "repeats", "level", "rank")  # fmt: skip


def rates_row(row) -> dict:
    unit = getattr(row, "unit", None)
    out = {"unit": getattr(unit, "pk", unit), "unit_name": getattr(unit, "name", None)}
    for name in RATE_FIELDS:
        value = getattr(row, name, None)
        out[name] = float(value) if hasattr(value, "as_tuple") else value  # Decimal -> float
    return out


LEVELS = {"city": "市级", "county": "县（区）级", "township": "乡镇（街道）级"}


def parse_day(value: str | None, default: date) -> date | None:
    if not value:
        return default
    try:
        return parse_date(value.strip()) if len(value) <= 10 else None
    except ValueError:  # well-formed but impossible, e.g. 2025-13-01
        return None


class StatsView(StaffAuth, JsonAPIView):
    """GET /api/messages/stats/ — reply, on-time and satisfaction rates per unit."""

    permission_classes = [IsAuthenticated, IsStaffMember]
    serializer_class = UnitRatesSerializer

    @extend_schema(summary="各单位留言办理统计", parameters=[
        OpenApiParameter("start", OpenApiTypes.DATE, description="起始日期（含），默认当年 1 月 1 日"),
        OpenApiParameter("end", OpenApiTypes.DATE, description="截止日期（含），默认今天"),
        OpenApiParameter("level", OpenApiTypes.STR, enum=list(LEVELS),
                         description="层级：city 市级 / county 县（区）级 / township 乡镇（街道）级"),
    ], responses=UnitRatesSerializer(many=True))  # fmt: skip
    def get(self, request):
        try:
            from govsite.messaging.stats import unit_rates
        except ImportError:
            return Response(
                {"detail": "统计模块尚未就绪"}, status=status.HTTP_503_SERVICE_UNAVAILABLE
            )
        today = timezone.localdate()
        start = parse_day(request.query_params.get("start"), today.replace(month=1, day=1))
        end = parse_day(request.query_params.get("end"), today)
        errors = {}
        if start is None:
            errors["start"] = "日期格式应为 YYYY-MM-DD"
        if end is None:
            errors["end"] = "日期格式应为 YYYY-MM-DD"
        if start and end and start > end:
            errors["end"] = "截止日期不能早于起始日期"
        level = request.query_params.get("level") or None
        if level is not None and level not in LEVELS:
            errors["level"] = "层级应为 city（市级）、county（县区级）或 township（乡镇级）"
        if errors:
            return intake_errors(errors)
        access = access_for(request.user)
        units = (
            None
            if access.scope is Scope.ALL
            else list(visible_units(request.user).values_list("pk", flat=True))
        )
        rows = unit_rates(start, end, level=level, units=units)
        return Response({"start": start.isoformat(), "end": end.isoformat(),
                         "results": [rates_row(r) for r in rows]})  # fmt: skip
