"""Open311 GeoReport v2 (JSON) over public messages.

* ``GET services.json``: one service per message type (consult / complaint / suggestion /
  report / other), ``metadata`` false, ``type`` realtime.
* ``GET requests.json`` and ``GET requests/{id}.json``: published messages only
  (``privacy.public_messages``); ``status`` open / closed (replied and closed count as closed),
  ``status_notes`` the published reply (or the Chinese status while there is none),
  ``agency_responsible`` the handling unit. The requester's fields are write-only, as in
  the spec: no GET ever carries a name, phone or e-mail.
* ``POST requests.json`` (form-encoded): needs ``api_key`` — a staff member's API token or a
  key in ``GOVSITE_OPEN311_API_KEYS``; the message goes through ``intake.submit`` on the
  channel ``board`` with source ``open311``; ``Idempotency-Key`` makes a retry return the same
  ``service_request_id``.

Only JSON is served: ``.xml`` answers 400 with a message saying so. Errors use the spec's
shape, ``[{"code": …, "description": …}]``.
"""

from __future__ import annotations

import hmac
import re
from datetime import datetime, time, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from govsite.messaging import intake, privacy
from govsite.messaging.api import AddressThrottle, is_staff_caller, iso, published_reply
from govsite.messaging.models import Channel, Message, MessageType, Status

BOARD = "board"
SOURCE = "open311"
WINDOW = timedelta(days=90)  # the spec's default window and longest span
MAX_RESULTS = 1000
MAX_IDS = 100
CLOSED = (Status.REPLIED, Status.CLOSED)
DESCRIPTIONS = {
    MessageType.CONSULT: "咨询政策规定、办事流程等",
    MessageType.COMPLAINT: "投诉政府部门及其工作人员的作风、效能等问题",
    MessageType.SUGGESTION: "对政府工作提出意见建议",
    MessageType.REPORT: "举报违法违规行为（举报人信息严格保密，办理情况不公开）",
    MessageType.OTHER: "其他事项",
}
# intake's field names -> the Open311 parameter the caller sent
PARAMS = {"content": "description", "message_type": "service_code", "title": "attribute[title]",
          "name": "first_name / last_name", "phone": "phone", "email": "email"}  # fmt: skip
TITLE_FROM_DESCRIPTION = 30


class Open311Error(exceptions.APIException):
    def __init__(self, description: str, code: int = status.HTTP_400_BAD_REQUEST):
        super().__init__(description)
        self.status_code = code


class Open311Throttle(AddressThrottle):
    scope = "open311_post"
    setting = "GOVSITE_OPEN311_THROTTLE"
    default_rate = "60/min"


def errors_response(errors: list[tuple[int, str]], code: int) -> Response:
    return Response([{"code": c, "description": d} for c, d in errors], status=code)


class Open311View(APIView):
    """JSON only, no session (no CSRF): the API key is the credential for POST."""

    authentication_classes = []
    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer]
    parser_classes = [FormParser, MultiPartParser, JSONParser]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        fmt = kwargs.get("fmt", "json").lower()
        if fmt != "json":
            raise Open311Error(f"不支持 .{fmt[:10]} 格式：本接口只提供 JSON，请使用 .json"
                               "（only the JSON format is supported）")  # fmt: skip

    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        detail = response.data.get("detail") if isinstance(response.data, dict) else None
        if detail is not None:
            response.data = [{"code": response.status_code, "description": str(detail)}]
        return response


def service(kind: MessageType) -> dict:
    return {"service_code": kind.value, "service_name": str(kind.label),
            "description": DESCRIPTIONS[kind], "metadata": False, "type": "realtime",
            "keywords": str(kind.label), "group": "网民留言"}  # fmt: skip


class ServicesView(Open311View):
    @extend_schema(summary="Open311：服务类型（留言类型）", tags=["open311"],
                   responses={200: OpenApiTypes.OBJECT})  # fmt: skip
    def get(self, request, fmt="json"):
        return Response([service(kind) for kind in MessageType])


def request_object(message: Message) -> dict:
    unit = (message.reply_unit if published_reply(message) else None) or message.unit
    reply = published_reply(message)
    return {
        "service_request_id": message.number,
        "status": "closed" if message.status in CLOSED else "open",
        "status_notes": reply or message.get_status_display(),
        "service_name": message.get_message_type_display(),
        "service_code": message.message_type,
        "description": message.content,
        "title": message.title,  # extension: the spec has no title
        "agency_responsible": unit.name if unit else None,
        "service_notice": None,
        "requested_datetime": iso(message.received_at),
        "updated_datetime": iso(message.updated_at),
        "expected_datetime": iso(message.due_at) if message.status not in CLOSED else None,
        "address": None, "address_id": None, "zipcode": None, "lat": None, "long": None,
        "media_url": None,
    }  # fmt: skip


OFFSET_AFTER_SPACE = re.compile(r"^(.*\d)\s(\d{2}(?::?\d{2})?)$")


def parse_when(value: str, name: str, end: bool = False) -> datetime:
    """ISO 8601 date or date-time; a '+' offset turned into a space by form-encoding is
    repaired; a time without offset is local (Asia/Shanghai)."""
    text = value.strip()
    repaired = OFFSET_AFTER_SPACE.match(text)
    if repaired:
        text = f"{repaired.group(1)}+{repaired.group(2)}"
    try:
        moment = parse_datetime(text)
        if moment is None and (day := parse_date(text)) is not None:
            moment = datetime.combine(day, time.max if end else time.min)
    except ValueError:
        moment = None
    if moment is None:
        raise Open311Error(f"{name} 不是 ISO 8601 日期时间（例：2025-10-01T00:00:00+08:00）")
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def split(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


class RequestsView(Open311View):
    def get_throttles(self):
        return [Open311Throttle()] if self.request.method == "POST" else []

    @extend_schema(summary="Open311：已公开的留言", tags=["open311"], parameters=[
        OpenApiParameter("service_request_id", OpenApiTypes.STR, description="留言编号，可逗号分隔；给出时忽略其他条件"),
        OpenApiParameter("service_code", OpenApiTypes.STR),
        OpenApiParameter("start_date", OpenApiTypes.DATETIME),
        OpenApiParameter("end_date", OpenApiTypes.DATETIME),
        OpenApiParameter("status", OpenApiTypes.STR, description="open / closed"),
    ], responses={200: OpenApiTypes.OBJECT})  # fmt: skip
    def get(self, request, fmt="json"):
        params = request.query_params
        found = privacy.public_messages().select_related("unit", "reply_unit")
        if ids := split(params.get("service_request_id", "")):
            if len(ids) > MAX_IDS:
                raise Open311Error(f"service_request_id 一次最多 {MAX_IDS} 个")
            found = found.filter(number__in=ids)
        else:
            found = self.filtered(found, params)
        return Response(
            [request_object(m) for m in found.order_by("-received_at", "-id")[:MAX_RESULTS]]
        )

    def filtered(self, found, params):
        if codes := split(params.get("service_code", "")):
            if unknown := [c for c in codes if c not in MessageType.values]:
                raise Open311Error(f"未知的 service_code：{', '.join(unknown)[:100]}")
            found = found.filter(message_type__in=codes)
        if states := split(params.get("status", "")):
            if unknown := [s for s in states if s not in ("open", "closed")]:
                raise Open311Error(
                    f"status 只能是 open 或 closed，收到：{', '.join(unknown)[:100]}"
                )
            if states == ["open"]:
                found = found.exclude(status__in=CLOSED)
            elif states == ["closed"]:
                found = found.filter(status__in=CLOSED)
        start = parse_when(params["start_date"], "start_date") if params.get("start_date") else None
        end = (
            parse_when(params["end_date"], "end_date", end=True) if params.get("end_date") else None
        )
        if start and end and end < start:
            raise Open311Error("end_date 不能早于 start_date")
        if start and end and end - start > WINDOW:
            raise Open311Error("start_date 与 end_date 相隔不能超过 90 天")
        if start is None and end is None:
            start = timezone.now() - WINDOW
        elif start is None:
            start = end - WINDOW
        found = found.filter(received_at__gte=start)
        if end is not None:
            found = found.filter(received_at__lte=end)
        return found

    @extend_schema(summary="Open311：提交留言（需 api_key）", tags=["open311"], parameters=[
        OpenApiParameter("Idempotency-Key", OpenApiTypes.STR, OpenApiParameter.HEADER),
    ], request={"application/x-www-form-urlencoded": OpenApiTypes.OBJECT},
        responses={201: OpenApiTypes.OBJECT})  # fmt: skip
    def post(self, request, fmt="json"):
        data = request.data
        if not api_key_valid(str(data.get("api_key") or request.query_params.get("api_key") or "")):
            raise Open311Error("api_key 缺失或无效", status.HTTP_403_FORBIDDEN)
        key = request.headers.get("Idempotency-Key", "").strip()
        if len(key) > 64 or (key and not (key.isascii() and key.isprintable())):
            raise Open311Error("Idempotency-Key 须为不超过 64 个字符的 ASCII 字符串")
        code = str(data.get("service_code") or "").strip()
        if code not in MessageType.values:
            raise Open311Error(
                "service_code 缺失或未知（可用：" + "、".join(MessageType.values) + "）"
            )
        channel = Channel.objects.filter(slug=BOARD, is_active=True).first()
        if channel is None:
            raise Open311Error("未配置网上留言板渠道（board），暂不能受理")
        description = str(data.get("description") or "")
        if len(description) > 50000:
            raise Open311Error(f"description：内容不能超过 {intake.CONTENT_MAX} 字")
        fields = {"message_type": code, "content": description,
                  "title": str(data.get("attribute[title]") or "").strip() or title_from(description),
                  "name": full_name(str(data.get("first_name") or ""), str(data.get("last_name") or "")),
                  "phone": normalise_phone(str(data.get("phone") or "")),
                  "email": str(data.get("email") or "")[:300], "anonymous": False,
                  "wants_public": True}  # fmt: skip
        try:
            done = intake.submit(channel, fields, idempotency_key=key, source=SOURCE)
        except intake.IntakeError as exc:
            return errors_response([(400, f"{PARAMS.get(f, f)}：{text}") for f, text in exc.errors.items()],
                                   status.HTTP_400_BAD_REQUEST)  # fmt: skip
        if done.created:
            notice = (f"留言已受理，编号 {done.message.number}，查询码 {done.query_code}。"
                      "请转告留言人妥善保存，凭编号和查询码查询办理进度。")  # fmt: skip
            code_ = status.HTTP_201_CREATED
        else:
            notice = "重复提交（Idempotency-Key 相同）：返回原留言编号，查询码只在首次提交时提供。"
            code_ = status.HTTP_200_OK
        return Response([{"service_request_id": done.message.number, "token": None,
                          "service_notice": notice, "account_id": None}], status=code_)  # fmt: skip


def api_key_valid(key: str) -> bool:
    """A configured partner key, or the API token of an active staff member."""
    key = key.strip()
    if not key or len(key) > 200:
        return False
    configured = getattr(settings, "GOVSITE_OPEN311_API_KEYS", [])
    if any(hmac.compare_digest(key.encode(), k.encode()) for k in configured if k):
        return True
    from rest_framework.authtoken.models import Token

    token = Token.objects.filter(key=key).select_related("user").first()
    return token is not None and is_staff_caller(token.user)


def title_from(description: str) -> str:
    first = intake.clean_text(description).split("\n", 1)[0].strip()
    return first if len(first) <= TITLE_FROM_DESCRIPTION else first[:TITLE_FROM_DESCRIPTION] + "…"


def full_name(first: str, last: str) -> str:
    first, last = first.strip(), last.strip()
    if (first + last).isascii():
        return f"{first} {last}".strip()
    return last + first  # 姓 + 名


def normalise_phone(phone: str) -> str:
    phone = re.sub(r"[\s()]", "", phone)[:40]
    return phone[3:] if phone.startswith("+86") else phone


class RequestDetailView(Open311View):
    @extend_schema(summary="Open311：单条已公开的留言", tags=["open311"],
                   responses={200: OpenApiTypes.OBJECT})  # fmt: skip
    def get(self, request, service_request_id: str, fmt="json"):
        message = privacy.public_messages().select_related("unit", "reply_unit").filter(
            number=service_request_id).first()  # fmt: skip
        if message is None:
            raise Open311Error("没有这条已公开的留言", status.HTTP_404_NOT_FOUND)
        return Response([request_object(message)])
