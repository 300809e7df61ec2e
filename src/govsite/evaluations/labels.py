"""Chinese names of the mandated items and guide elements, for pages and reports."""

from django.utils.translation import gettext_lazy as _

ITEM_LABELS = {
    "functions": _("机构职能"), "leaders": _("领导信息"), "contact": _("联系方式"),
    "approval_items": _("行政审批事项"), "laws": _("法律法规"), "guides": _("办事指南"),
    "policy_interpretation": _("政策解读"), "annual_report": _("政府信息公开年报"),
    "budget": _("财政预决算"), "complaint": _("监督投诉"), "mailbox": _("领导信箱"),
    "message_board": _("网上留言"), "interview": _("在线访谈"), "solicitation": _("意见征集"),
    "survey": _("网上调查"), "forms": _("表格下载"), "online_accept": _("在线受理"),
    "status_query": _("状态查询"), "result_feedback": _("结果反馈"), "english": _("英文版"),
    "search": _("站内搜索"),
}  # fmt: skip
GUIDE_LABELS = {
    "name": _("事项名称"), "basis": _("办理依据"), "conditions": _("申请条件"),
    "materials": _("申请材料"), "procedure": _("办理流程"), "department": _("承办单位"),
    "location": _("办理地点"), "time_limit": _("办理时限"), "phone": _("联系电话"),
    "fees": _("收费依据及标准"), "supervision": _("监督方式"),
}  # fmt: skip
FOOTER_LABELS = {
    "site_code": _("网站标识码"), "icp": _("ICP备案号"), "police_record": _("公安备案号"),
    "party_gov_badge": _("党政机关标识"),
}  # fmt: skip


def describe(finding) -> str:
    """One line a person can read: what is wrong, in Chinese."""
    d = finding.detail
    if finding.code == "missing_item":
        return str(ITEM_LABELS.get(finding.item, finding.item))
    if finding.code == "guide_incomplete":
        return "缺少：" + "、".join(str(GUIDE_LABELS.get(m, m)) for m in d.get("missing", []))
    if finding.code == "footer_incomplete":
        return "缺少：" + "、".join(str(FOOTER_LABELS.get(m, m)) for m in d.get("missing", []))
    if finding.code in ("column_stale", "homepage_stale"):
        last = d.get("last_update") or "无日期（视为未更新）"
        column = (d.get("evidence") or {}).get("column")
        return (f"「{column}」" if column else "") + f"最近更新：{last}"
    if finding.code == "messages_overdue":
        return f"{d.get('count')} 条留言超过 3 个月未回复"
    if finding.code == "forbidden_expression":
        correct = d.get("correct")
        return f"“{d.get('text')}”" + (f"，应为“{correct}”" if correct else "")
    if finding.code == "broken_link":
        ev = d.get("evidence") or {}
        where = len(d.get("pages", []))
        return f"{ev.get('status') or ev.get('error')}，出现在 {where} 个页面"
    if finding.code == "slow_page":
        return f"{(d.get('evidence') or {}).get('seconds')} 秒"
    if finding.code == "tls_invalid":
        return f"{d.get('reason')}，到期 {d.get('expires') or '未知'}"
    return ""
