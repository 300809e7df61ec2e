"""Public messages (网民留言, seed 004) and everything that happens to them.

A message moves through an explicit state machine (``workflow.py``); every transition is a
``MessageEvent`` row (who, when, from, to, note), so the message page shows its full history
and nothing is ever deleted: hiding is a state with a reason.

Confidentiality (004 art.18): the sender's identity and contact live only on the message row;
views and APIs go through ``privacy.py``, which blanks them for anyone who may not see them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class MessageType(models.TextChoices):
    CONSULT = "consult", _("咨询")
    COMPLAINT = "complaint", _("投诉")
    SUGGESTION = "suggestion", _("建议")
    REPORT = "report", _("举报")
    OTHER = "other", _("其他")


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("待审核")
    COLLECTED = "collected", _("待转办")
    WITH_LEADER = "with_leader", _("已呈报领导")
    INSTRUCTED = "instructed", _("领导已批示，待督办转办")
    ASSIGNED = "assigned", _("已转办，待签收")
    HANDLING = "handling", _("办理中")
    REPLY_REVIEW = "reply_review", _("答复待督查室审核")
    REPLIED = "replied", _("已答复")
    CLOSED = "closed", _("已办结")
    HIDDEN = "hidden", _("已屏蔽")


class Channel(models.Model):
    """Where a message is written: the portal board, a leader's mailbox (市长信箱), a unit's
    mailbox, a complaint or consultation column. Boards exist at city, county and township
    level (three-level linkage, 004 art.17) through their unit."""

    class Kind(models.TextChoices):
        BOARD = "board", _("留言板")
        LEADER = "leader", _("领导信箱")
        UNIT = "unit", _("单位信箱")
        COMPLAINT = "complaint", _("投诉栏目")
        CONSULT = "consult", _("咨询栏目")

    slug = models.SlugField(_("标识"), unique=True)
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类别"), max_length=12, choices=Kind.choices)
    unit = models.ForeignKey("registry.Unit", verbose_name=_("所属单位"),
                             on_delete=models.PROTECT, related_name="channels")  # fmt: skip
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("领导"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    allows_anonymous = models.BooleanField(_("允许匿名"), default=True)
    is_active = models.BooleanField(_("启用"), default=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("留言渠道")
        verbose_name_plural = _("留言渠道")

    def __str__(self) -> str:
        return self.name


class DeadlinePolicy(models.Model):
    """Time limits per message type (004 art.11; 001 三), editable in the admin."""

    message_type = models.CharField(_("留言类型"), max_length=12, choices=MessageType.choices,
                                    unique=True)  # fmt: skip
    ack_hours = models.PositiveSmallIntegerField(_("受理告知时限（小时）"), default=24)
    simple_workdays = models.PositiveSmallIntegerField(_("简单事项办结（工作日）"), default=5)
    complex_workdays = models.PositiveSmallIntegerField(_("复杂事项办结（工作日）"), default=15)
    extension_workdays = models.PositiveSmallIntegerField(_("延期（工作日）"), default=5)
    remind_workdays = models.PositiveSmallIntegerField(_("到期前提醒（工作日）"), default=1)

    class Meta:
        verbose_name = _("办理时限")
        verbose_name_plural = _("办理时限")

    def __str__(self) -> str:
        return self.get_message_type_display()


class Message(models.Model):
    number = models.CharField(_("留言编号"), max_length=24, unique=True)
    query_code_hash = models.CharField(max_length=64)  # the sender's query code, hashed
    channel = models.ForeignKey(Channel, verbose_name=_("渠道"), on_delete=models.PROTECT,
                                related_name="messages")  # fmt: skip
    message_type = models.CharField(_("类型"), max_length=12, choices=MessageType.choices,
                                    db_index=True)  # fmt: skip
    title = models.CharField(_("标题"), max_length=100)
    content = models.TextField(_("内容"), max_length=5000)
    # The sender (shown only to whom privacy.py allows).
    sender_name = models.CharField(_("姓名"), max_length=40, blank=True)
    sender_phone = models.CharField(_("电话"), max_length=30, blank=True)
    sender_email = models.EmailField(_("邮箱"), blank=True)
    sender_key = models.CharField(max_length=64, blank=True, db_index=True)  # hashed contact
    contact_verified = models.BooleanField(_("联系方式已验证"), default=False)
    anonymous = models.BooleanField(_("匿名"), default=False)
    wants_public = models.BooleanField(_("同意公开"), default=True)
    is_public = models.BooleanField(_("已公开"), default=False, db_index=True)
    status = models.CharField(_("状态"), max_length=14, choices=Status.choices,
                              default=Status.SUBMITTED, db_index=True)  # fmt: skip
    hide_reason = models.CharField(_("屏蔽原因"), max_length=200, blank=True)
    important = models.BooleanField(_("重要"), default=False)
    complex = models.BooleanField(_("复杂事项"), default=False)
    unit = models.ForeignKey(
        "registry.Unit", verbose_name=_("承办单位"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="messages",
    )  # fmt: skip
    received_at = models.DateTimeField(_("留言时间"), db_index=True)
    acknowledged_at = models.DateTimeField(_("受理告知时间"), null=True, blank=True)
    ack_due_at = models.DateTimeField(_("受理告知时限"), null=True, blank=True)
    assigned_at = models.DateTimeField(_("转办时间"), null=True, blank=True)
    due_at = models.DateTimeField(_("办理时限"), null=True, blank=True, db_index=True)
    extended = models.BooleanField(_("已延期"), default=False)
    extension_reason = models.CharField(_("延期申请理由"), max_length=500, blank=True)
    replied_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    reply = models.TextField(_("答复内容"), blank=True)
    reply_kind = models.CharField(_("答复类型"), max_length=12, blank=True)
    reply_unit = models.ForeignKey(
        "registry.Unit", verbose_name=_("答复单位"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    on_time = models.BooleanField(_("按时答复"), null=True, blank=True)
    handling_workdays = models.PositiveSmallIntegerField(
        _("办理用时（工作日）"), null=True, blank=True
    )
    satisfaction = models.CharField(_("满意度"), max_length=12, blank=True)
    reopened = models.PositiveSmallIntegerField(_("重新办理次数"), default=0)
    repeat_of = models.ForeignKey(
        "self", verbose_name=_("重复于"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="repeats",
    )  # fmt: skip
    source = models.CharField(_("来源"), max_length=20, default="web")
    external_id = models.CharField(_("原编号"), max_length=60, blank=True)
    idempotency_key = models.CharField(max_length=64, blank=True)
    sender_address = models.CharField(max_length=64, blank=True)  # keyed hash of the IP
    # The repeat check (repeats.py) has looked at this message. Intake stores False and the
    # check runs after commit, off the request; ``govsite link_repeats`` sweeps whatever is
    # still False. The database default True covers rows written before the field existed
    # and raw COPY loads (``messages_bulkload``): those were checked when they arrived.
    repeat_checked = models.BooleanField(_("已查重"), default=False, db_default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("留言")
        verbose_name_plural = _("留言")
        indexes = [
            models.Index(fields=["unit", "status"]),
            models.Index(fields=["unit", "received_at"]),
            models.Index(fields=["is_public", "received_at"]),
            # intake's hourly limit per address (anonymous senders only)
            models.Index(
                fields=["sender_address", "received_at"],
                condition=~models.Q(sender_address=""),
                name="message_address_received",
            ),  # fmt: skip
            # the repeat sweep: unchecked messages, oldest first (a handful at any time)
            models.Index(
                fields=["received_at", "id"],
                condition=models.Q(repeat_checked=False),
                name="message_repeat_unchecked",
            ),  # fmt: skip
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"],
                condition=~models.Q(external_id=""),
                name="one_message_per_external_id",
            ),  # fmt: skip
            models.UniqueConstraint(
                fields=["idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="one_message_per_submission",
            ),  # fmt: skip
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def is_report(self) -> bool:
        return self.message_type == MessageType.REPORT

    @property
    def satisfaction_label(self) -> str:
        return {"satisfied": "满意", "basic": "基本满意", "unsatisfied": "不满意"}.get(
            self.satisfaction, ""
        )


# Steps that are not workflow transitions (those are named in workflow.TRANSITIONS).
EVENT_LABELS = {
    "submit": "提交留言", "import": "导入", "repeat": "重复留言", "remind": "到期提醒",
    "overdue": "逾期告警", "ack_overdue": "超时未受理", "close": "办结",
}  # fmt: skip


class MessageEvent(models.Model):
    """One step of a message's history. ``public`` events are shown to the sender (e.g.
    "已转至某单位办理", 000 annex 四(五))."""

    message = models.ForeignKey(Message, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField(_("时间"), db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True,
                              blank=True, on_delete=models.PROTECT, related_name="+")  # fmt: skip
    action = models.CharField(_("操作"), max_length=30)
    from_status = models.CharField(max_length=14, blank=True)
    to_status = models.CharField(max_length=14, blank=True)
    unit = models.ForeignKey("registry.Unit", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")  # fmt: skip
    note = models.TextField(_("说明"), blank=True)
    public = models.BooleanField(_("告知留言人"), default=False)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")

    def __str__(self) -> str:
        return f"{self.message.number} {self.action}"

    @property
    def action_label(self) -> str:
        from govsite.messaging.workflow import TRANSITIONS

        if self.action in TRANSITIONS:
            return TRANSITIONS[self.action].title
        return EVENT_LABELS.get(self.action, self.action)


class SupervisionOrder(models.Model):
    """A leader's instruction (批示) turned into a 督办件 / 转办通知 (004 art.10, 12)."""

    class Kind(models.TextChoices):
        SUPERVISE = "supervise", _("督办件")
        TRANSFER = "transfer", _("转办通知")

    message = models.ForeignKey(Message, on_delete=models.PROTECT, related_name="orders")
    kind = models.CharField(_("类别"), max_length=10, choices=Kind.choices)
    instruction = models.TextField(_("领导批示"))
    leader = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("批示领导"),
                               on_delete=models.PROTECT, related_name="+")  # fmt: skip
    created_at = models.DateTimeField(_("批示时间"))
    due_at = models.DateTimeField(_("督办时限"))
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("督办件")
        verbose_name_plural = _("督办件")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.message.number}"


class Attachment(models.Model):
    message = models.ForeignKey(Message, on_delete=models.PROTECT, related_name="attachments")
    name = models.CharField(_("文件名"), max_length=120)
    content_type = models.CharField(max_length=80)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    body = models.BinaryField()  # stored in the database: no path the public can reach

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")

    def __str__(self) -> str:
        return self.name


class PrivateRead(models.Model):
    """Every read of a private message by staff (M6)."""

    message = models.ForeignKey(Message, on_delete=models.PROTECT, related_name="reads")
    reader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="+")  # fmt: skip
    at = models.DateTimeField(auto_now_add=True)
    where = models.CharField(max_length=40)

    class Meta:
        verbose_name = _("非公开留言查阅记录")
        verbose_name_plural = _("非公开留言查阅记录")

    def __str__(self) -> str:
        return f"{self.reader} {self.message.number} {self.at:%Y-%m-%d %H:%M}"


class ContactCode(models.Model):
    """A one-time code sent to verify a sender's contact (see verification.py)."""

    contact_key = models.CharField(max_length=64, db_index=True)
    code_hash = models.CharField(max_length=64)
    address = models.CharField(max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(db_index=True)
    used_at = models.DateTimeField(null=True, blank=True)
    tries = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("联系方式验证码")
        verbose_name_plural = _("联系方式验证码")

    def __str__(self) -> str:
        return f"{self.contact_key[:8]} {self.created_at:%Y-%m-%d %H:%M}"
