"""Service-guide elements: labels found by synonym, supervision phones kept apart."""

from __future__ import annotations

import pytest

from govsite.pages.document import Document
from govsite.pages.guide import guide_elements, load_guide_spec

ALL = [
    "name",
    "basis",
    "conditions",
    "materials",
    "procedure",
    "department",
    "location",
    "time_limit",
    "phone",
    "fees",
    "supervision",
]

FULL_GUIDE = """
<table>
<tr><td>事项名称</td><td>建筑工程施工许可证核发</td></tr>
<tr><td>设定依据</td><td>《中华人民共和国建筑法》第七条</td></tr>
<tr><td>受理条件</td><td>已经办理用地批准手续</td></tr>
<tr><td>申请材料</td><td>1. 申请表</td></tr>
<tr><td>办理流程</td><td>申请、受理、审查、决定</td></tr>
<tr><td>实施主体</td><td>市住房和城乡建设局</td></tr>
<tr><td>办理地点</td><td>市政务服务中心三楼</td></tr>
<tr><td>承诺时限</td><td>3个工作日</td></tr>
<tr><td>咨询电话</td><td>0791-12345678</td></tr>
<tr><td>收费标准</td><td>不收费</td></tr>
<tr><td>监督电话</td><td>0791-12345</td></tr>
</table>
"""


def doc(body: str, title: str = "建筑工程施工许可") -> Document:
    return Document.parse(f"<html><head><title>{title}</title></head><body>{body}</body></html>")


def test_a_complete_guide_finds_every_element():
    result = guide_elements(doc(FULL_GUIDE))
    assert result["found"] == ALL
    assert result["missing"] == []
    assert result["is_guide"] is True


@pytest.mark.parametrize(
    ("label", "element"),
    [
        ("项目名称：", "name"),
        ("办理依据：", "basis"),
        ("法律依据", "basis"),
        ("准予批准的条件：", "conditions"),
        ("申报材料：", "materials"),
        ("提交材料", "materials"),
        ("审批流程：", "procedure"),
        ("办理程序", "procedure"),
        ("受理机关：", "department"),
        ("办理机构", "department"),
        ("办公地址：", "location"),
        ("法定时限：", "time_limit"),
        ("办结时限", "time_limit"),
        ("咨询方式：", "phone"),
        ("联系电话：", "phone"),
        ("收费依据及标准：", "fees"),
        ("是否收费：否", "fees"),
        ("监督投诉：", "supervision"),
        ("投诉电话：12345", "supervision"),
    ],
)
def test_synonyms_name_their_element(label, element):
    assert guide_elements(f"{label}\n内容")["found"] == [element]


def test_supervision_phone_is_supervision_not_the_enquiry_phone():
    result = guide_elements("监督电话：0791-12345\n监督投诉电话：12345")
    assert result["found"] == ["supervision"]
    assert "phone" in result["missing"]


def test_numbered_labels_count():
    result = guide_elements(
        "一、办理依据\n（二）申请材料：\n3.办理时限：5个工作日\n【收费标准】不收费"
    )
    assert result["found"] == ["basis", "materials", "time_limit", "fees"]


def test_words_inside_prose_are_not_labels():
    text = "申请人应当按照要求提交申请材料，并关注办理流程和办理时限的有关规定。"
    assert guide_elements(text)["found"] == []


def test_four_elements_make_a_guide_three_do_not():
    four = "设定依据：a\n申请材料：b\n办理时限：c\n咨询电话：d"
    three = "设定依据：a\n申请材料：b\n办理时限：c"
    assert guide_elements(four)["is_guide"] is True
    assert guide_elements(three)["is_guide"] is False


def test_title_with_banshi_zhinan_makes_a_guide():
    assert guide_elements(doc("<p>详见附件</p>", title="不动产登记办事指南"))["is_guide"] is True
    assert guide_elements("详见附件", title="不动产登记办事指南")["is_guide"] is True


def test_matched_reports_the_label_seen():
    assert guide_elements("承诺时限：1个工作日")["matched"] == {"time_limit": "承诺时限"}


def test_synonym_file_is_editable_data(tmp_path):
    custom = tmp_path / "guide.yaml"
    custom.write_text(
        "min_elements: 1\nelements:\n  window:\n    label: 服务窗口\n    synonyms: [进驻窗口]\n",
        encoding="utf-8",
    )
    spec = load_guide_spec(custom)
    result = guide_elements("进驻窗口：3号", spec=spec)
    assert result == {
        "found": ["window"],
        "missing": [],
        "is_guide": True,
        "matched": {"window": "进驻窗口"},
    }


def test_packaged_synonym_file_covers_the_required_elements():
    spec = load_guide_spec()
    assert list(spec.order) == ALL
    assert spec.min_elements == 4
