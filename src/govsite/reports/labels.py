"""Chinese labels for everything a published report names.

Copied from the Django side (``evaluations.models.CODE_LABELS``, ``registry.categories``)
and from the findings contract (``demosites.contract``) so that the report writers import
no Django and no crawler. ``tests/reports/test_labels.py`` keeps the copies in step.
"""

from __future__ import annotations

#: Finding code → label (as ``govsite.evaluations.models.CODE_LABELS``).
CODE_LABELS: dict[str, str] = {
    "site_unreachable": "站点无法访问",
    "broken_link": "链接不可用",
    "homepage_stale": "首页长期未更新",
    "column_stale": "栏目更新不及时",
    "column_empty": "空白栏目",
    "missing_item": "缺少必设栏目或功能",
    "guide_incomplete": "办事指南要素不全",
    "messages_overdue": "留言超期未回复",
    "no_https": "未启用 HTTPS",
    "tls_invalid": "证书无效或即将过期",
    "mixed_content": "HTTPS 页面加载不安全资源",
    "server_error": "服务器错误",
    "slow_page": "页面响应过慢",
    "forbidden_expression": "严重表述错误",
    "footer_incomplete": "页脚标识不全",
}

#: ``missing_item`` item → the name a report uses (the first of contract.ITEM_LABELS).
ITEM_LABELS: dict[str, str] = {
    "functions": "机构职能",
    "leaders": "领导信息",
    "contact": "联系方式",
    "approval_items": "行政审批事项",
    "laws": "法律法规",
    "guides": "办事指南",
    "policy_interpretation": "政策解读",
    "annual_report": "政府信息公开年报",
    "budget": "财政预决算",
    "complaint": "监督投诉",
    "mailbox": "领导信箱",
    "message_board": "网上留言",
    "interview": "在线访谈",
    "solicitation": "意见征集",
    "survey": "网上调查",
    "forms": "表格下载",
    "online_accept": "在线受理",
    "status_query": "状态查询",
    "result_feedback": "结果反馈",
    "english": "English",
    "search": "站内搜索",
}

#: ``guide_incomplete.missing`` element → name (the first of contract.GUIDE_LABELS).
GUIDE_ELEMENT_LABELS: dict[str, str] = {
    "name": "事项名称",
    "basis": "办理依据",
    "conditions": "申请条件",
    "materials": "申请材料",
    "procedure": "办理流程",
    "department": "承办单位",
    "location": "办理地点",
    "time_limit": "办理时限",
    "phone": "联系电话",
    "fees": "收费依据及标准",
    "supervision": "监督方式",
}

#: ``footer_incomplete.missing`` part → name (contract.FOOTER_PARTS).
FOOTER_PART_LABELS: dict[str, str] = {
    "site_code": "网站标识码",
    "icp": "ICP备案编号",
    "police_record": "公安机关备案标识",
    "party_gov_badge": "党政机关标识",
}

#: Category code → name, in report order (as ``registry.categories.DEFAULT_CATEGORIES``).
CATEGORY_NAMES: dict[str, str] = {
    "city_portal": "市政府门户网站",
    "county_portal": "县区政府门户网站",
    "city_department": "市政府工作部门",
    "directly_affiliated": "市政府直属机构",
    "township": "乡镇（街道）",
    "county_department": "县区政府部门",
    "other": "其他",
}

#: Category code → (level, how a bulletin addresses its units). Addressees of one level are
#: joined with 、 and levels with ， (seed 001: 各县区人民政府，市政府各工作部门、各直属机构).
CATEGORY_ADDRESSEES: dict[str, tuple[str, str]] = {
    "county_portal": ("county", "各县区人民政府"),
    "county_department": ("county", "县区政府各部门"),
    "city_department": ("city", "市政府各工作部门"),
    "directly_affiliated": ("city", "各直属机构"),
    "township": ("township", "各乡镇人民政府（街道办事处）"),
    "other": ("other", "各有关单位"),
}


def code_label(code: str) -> str:
    return CODE_LABELS.get(code, code)


def item_label(item: str) -> str:
    return ITEM_LABELS.get(item, item)
