"""The bulletin draft says what seed 001 says, with the numbers of the scored document."""

from __future__ import annotations

from datetime import date

import pytest

from govsite.reports import ReportError, bulletin_to_text, draft_bulletin
from govsite.reports.bulletin import group_of, problem_counts


def section(bulletin, heading):
    return "\n".join(dict(bulletin.sections)[heading])


def test_overall_situation_counts_sites_per_category_and_names_vetoes(points_document):
    overall = section(draft_bulletin(points_document), "总体情况")
    assert "此次共检查评估政府网站6个" in overall
    assert "县区政府门户网站参评3个，合格2个，不合格1个" in overall
    assert "市政府工作部门网站参评2个，合格1个，不合格1个（其中单项否决1个）" in overall
    assert "市政府直属机构网站参评1个，全部合格" in overall
    assert "1个网站被单项否决：市财政局因站点无法访问（连续一周首页无法访问）" in overall


def test_categories_follow_the_report_order_not_the_file_order(points_document):
    names = [name for name, _ in draft_bulletin(points_document).attachments]
    assert names == ["县区政府门户网站", "市政府工作部门", "市政府直属机构"]


def test_attachments_keep_the_ranking(points_document):
    (_, county), (_, departments), _ = draft_bulletin(points_document).attachments
    assert [(r.rank, r.unit) for r in county] == [
        (1, "青山县人民政府"),
        (2, "石桥县人民政府"),
        (3, "河口县人民政府"),
    ]
    assert departments[1].score is None and departments[1].veto_text.startswith("站点无法访问")
    assert county[1].deduction_text == "首页更新 15分；办事服务功能 8分；安全防护 4分"


def test_deduction_total_style_states_lowest_and_highest_deduction_as_001(deduction_document):
    bulletin = draft_bulletin(deduction_document)
    assert "此次参评网站最低扣分8.5分，最高扣分266.5分。" in section(bulletin, "总体情况")
    assert bulletin.score_heading == "扣分"


def test_points_style_states_scores_too_and_leaves_vetoed_sites_out(points_document):
    bulletin = draft_bulletin(points_document)
    assert (
        "除单项否决的网站外，此次参评网站最高得分96分，最低得分55分；最低扣分4分，最高扣分45分。"
        in section(bulletin, "总体情况")
    )
    assert bulletin.score_heading == "得分"


def test_units_over_the_threshold_are_named_most_deducted_first(deduction_document):
    overall = section(draft_bulletin(deduction_document), "总体情况")
    assert "市发改委、洛川县、市规划局的评分结果扣分均超过100分。" in overall
    assert "扣分超过100分的单位要作为整改重点" in bulletin_to_text(
        draft_bulletin(deduction_document)
    )


def test_the_threshold_is_a_parameter(deduction_document):
    overall = section(draft_bulletin(deduction_document, threshold=200), "总体情况")
    assert "市发改委的评分结果扣分超过200分。" in overall
    assert "洛川县" not in overall


def test_no_unit_over_the_threshold_means_no_such_sentence(points_document):
    text = bulletin_to_text(draft_bulletin(points_document))
    assert "超过100分" not in text


def test_units_without_a_website_are_listed(deduction_document):
    bulletin = draft_bulletin(deduction_document, units_without_site=["市城改办", "市盐务局"])
    assert "截至目前，市城改办、市盐务局仍没有建立网站。" in section(bulletin, "总体情况")


def test_problem_groups_count_sites_not_findings(points_document):
    counts = problem_counts(points_document)
    assert {key: len(c.sites) for key, c in counts.items()} == {
        "不及时": 3,
        "不全面": 2,
        "不实用": 5,
    }
    assert len(counts["不实用"].problems["链接不可用"]) == 3  # 4 broken links on 3 sites
    problems = section(draft_bulletin(points_document), "存在的主要问题")
    assert "网站“不及时、不全面、不实用”的问题不同程度存在" in problems
    assert "（一）信息更新不及时。共有3个网站存在此类问题" in problems
    assert "（三）网站功能不实用。共有5个网站存在此类问题，其中链接不可用3个" in problems
    assert "未启用 HTTPS 1个" in problems


def test_groups_without_problems_are_left_out(points_document):
    text = bulletin_to_text(draft_bulletin(points_document))
    assert "不回应" not in text and "留言" not in text


def test_missing_items_count_in_the_group_their_item_belongs_to(deduction_document):
    problems = section(draft_bulletin(deduction_document), "存在的主要问题")
    assert "（二）互动交流不回应。共有2个网站存在此类问题" in problems
    assert "缺少领导信箱1个" in problems and "留言超期未回复1个" in problems
    assert group_of({"code": "missing_item", "item": "budget"}).key == "不全面"
    assert group_of({"code": "missing_item", "item": "online_accept"}).key == "不实用"
    assert group_of({"code": "missing_item", "item": "survey"}).key == "不回应"


def test_one_numbered_requirement_per_problem_group(deduction_document):
    requirements = dict(draft_bulletin(deduction_document).sections)["工作要求"]
    numbered = [p.split("。")[0] for p in requirements if p[0] in "一二三四五"]
    assert numbered == [
        "一、加强网站信息内容更新发布",
        "二、做好社会关切回应和网民留言办理工作",
        "三、严格落实信息发布审核制度",
    ]
    assert "5个工作日内必须反馈处理意见" in requirements[2]  # messages_overdue occurred
    assert requirements[-1].startswith("请各单位对照附件中的评估结果和扣分项逐项整改")


def test_requirement_sentences_follow_the_problems_seen(points_document):
    requirements = "\n".join(dict(draft_bulletin(points_document).sections)["工作要求"])
    assert "坚决杜绝空白栏目" in requirements  # column_empty occurred
    assert "数字证书" not in requirements  # tls_invalid did not


def test_a_document_without_problems_has_no_problem_sections(points_document):
    for site in points_document["sites"]:
        site["findings"] = []
    headings = [h for h, _ in draft_bulletin(points_document).sections]
    assert "存在的主要问题" not in headings and "工作要求" not in headings


def test_salutation_addresses_the_categories_evaluated(points_document, deduction_document):
    assert draft_bulletin(points_document).salutation == (
        "各县区人民政府，市政府各工作部门、各直属机构："
    )
    assert draft_bulletin(deduction_document).salutation == "各县区人民政府，市政府各工作部门："


def test_text_is_what_the_evaluator_edits(points_document):
    bulletin = draft_bulletin(
        points_document, issuer="示范市人民政府办公室", date=date(2025, 12, 1)
    )
    text = bulletin_to_text(bulletin)
    lines = text.splitlines()
    assert lines[0] == "示范市人民政府办公室关于2025年全市政府网站检查评估情况的通报"
    assert lines[2] == "各县区人民政府，市政府各工作部门、各直属机构："
    assert (
        "依据《政府网站与政务新媒体检查指标》（国办秘函〔2019〕19号），示范市人民政府办公室对全市6个"
        in text
    )
    assert "附件1：县区政府门户网站检查评估结果\n附件2：市政府工作部门网站检查评估结果" in text
    assert lines[-2:] == ["示范市人民政府办公室", "2025年12月1日"]


def test_title_can_be_given(points_document):
    assert draft_bulletin(points_document, title="关于网站普查的通报").title == "关于网站普查的通报"


def test_an_unscored_document_is_refused_with_the_command_to_run(points_document):
    del points_document["ruleset"]
    with pytest.raises(
        ReportError, match="请先用 govsite score 或 govsite evaluate --ruleset 评分"
    ):
        draft_bulletin(points_document)


def test_edited_text_reads_back_into_the_same_structure(points_document):
    draft = draft_bulletin(points_document, issuer="示范市人民政府办公室", date=date(2025, 12, 1))
    again = draft.with_text(draft.title, bulletin_to_text(draft))
    assert (again.salutation, again.sections) == (draft.salutation, draft.sections)
    assert again.signature_lines == ["示范市人民政府办公室", "2025年12月1日"]
    assert bulletin_to_text(again) == bulletin_to_text(draft)


def test_an_edit_is_kept_and_the_tables_stay(points_document):
    draft = draft_bulletin(points_document, date=date(2025, 12, 1))
    text = bulletin_to_text(draft).replace("总体情况\n", "总体情况\n\n评估工作得到各单位支持。\n")
    body = text.split("\n", 1)[1]  # the web app stores the title in its own field
    edited = draft.with_text("关于网站检查的通报", body)
    assert edited.title == "关于网站检查的通报"
    assert dict(edited.sections)["总体情况"][0] == "评估工作得到各单位支持。"
    assert edited.attachments == draft.attachments
    assert bulletin_to_text(edited).count("附件1：") == 1


def test_when_every_unit_is_over_the_threshold_the_bulletin_says_so(deduction_document):
    overall = section(draft_bulletin(deduction_document, threshold=5), "总体情况")
    assert "全部参评单位的评分结果扣分均超过5分。" in overall
    assert "县区政府门户网站参评2个，合格1个，不合格1个" in overall
    assert "市政府工作部门网站参评3个，合格1个，不合格2个" in overall


def test_a_category_where_no_site_passed_says_so(deduction_document):
    for site in deduction_document["ranking"]["county_portal"]:
        site["passed"] = False
    overall = section(draft_bulletin(deduction_document), "总体情况")
    assert "县区政府门户网站参评2个，全部不合格" in overall


def test_vetoes_are_grouped_by_reason(points_document):
    veto = {"indicator": "veto.homepage_stale", "name": "首页不更新", "reason": "超过 14 天未更新"}
    for site in points_document["sites"][:2]:
        site["vetoes"] = [veto]
    overall = section(draft_bulletin(points_document), "总体情况")
    assert (
        "3个网站被单项否决：青山县人民政府、石桥县人民政府因首页不更新；"
        "市财政局因站点无法访问（连续一周首页无法访问）。"
    ) in overall
