from captcha.fields import CaptchaField
from django import forms

from govsite.messaging.models import MessageType
from govsite.messaging.workflow import SATISFACTION


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented recipe); contents are checked by
    intake.check_uploads."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


class WriteForm(forms.Form):
    """The public form. Field checks beyond shape are intake.validate's (one place)."""

    message_type = forms.ChoiceField(label="留言类型", choices=MessageType.choices,
                                     widget=forms.RadioSelect)  # fmt: skip
    title = forms.CharField(label="标题", max_length=100)
    content = forms.CharField(label="内容", max_length=5000,
                              widget=forms.Textarea(attrs={"rows": 8}))  # fmt: skip
    name = forms.CharField(label="姓名", max_length=40, required=False)
    phone = forms.CharField(label="手机或电话", max_length=30, required=False)
    email = forms.EmailField(label="邮箱", required=False)
    anonymous = forms.BooleanField(
        label="匿名留言（不显示姓名，答复只能通过查询码查看）", required=False
    )
    wants_public = forms.BooleanField(label="同意公开留言内容和答复", required=False, initial=True)
    attachments = MultipleFileField(label="附件（jpg、png、pdf、doc、docx，每个不超过 5 MB）",
                                    required=False)  # fmt: skip
    contact_code = forms.CharField(label="手机或邮箱收到的验证码", max_length=6, required=False)
    captcha = CaptchaField(label="验证码")
    submission = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, verify_contact: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.verify_contact = verify_contact
        if not verify_contact:
            del self.fields["contact_code"]

    def clean(self):
        data = super().clean()
        if self.verify_contact and not data.get("anonymous"):
            from govsite.messaging.verification import check_code

            contact = data.get("phone") or data.get("email") or ""
            if not contact or not check_code(contact, data.get("contact_code", "")):
                self.add_error("contact_code", "验证码不正确或已过期，请重新获取")
        return data


class QueryForm(forms.Form):
    number = forms.CharField(label="留言编号", max_length=24)
    code = forms.CharField(label="查询码", max_length=16)


class RateForm(forms.Form):
    number = forms.CharField(widget=forms.HiddenInput, max_length=24)
    code = forms.CharField(widget=forms.HiddenInput, max_length=16)
    rating = forms.ChoiceField(label="您对答复的评价", choices=list(SATISFACTION.items()),
                               widget=forms.RadioSelect)  # fmt: skip
