"""Specifications of the demo websites of 示范市 (see the package docstring for the overview).

Each :class:`SiteSpec` says what a site looks like (CMS style, encoding, list markup, date format,
labels) and which defects it carries. :mod:`govsite.demosites.generate` turns a spec into files
and derives the ground truth from what it actually wrote.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: Date formats used in list pages (the ``date_fmt`` of a site).
DATE_FORMATS: dict[str, str] = {
    "iso": "%Y-%m-%d",
    "cn": "%Y年%m月%d日",
    "slash": "%Y/%m/%d",
    "bracket": "[%Y-%m-%d]",
    "dot": "%Y.%m.%d",
}

SECTIONS: dict[str, str] = {
    "xwzx": "新闻中心",
    "xxgk": "政府信息公开",
    "bsfw": "办事服务",
    "hdjl": "互动交流",
}


@dataclass(frozen=True)
class ColumnSpec:
    """A list column.

    ``kind`` decides the update window (news 14 d, notice 6 months, plan 1 year, other none).
    ``newest`` fixes the age in days of the newest item (``None``: a fresh, random age).
    ``count`` is the number of items at scale 1 (0 makes an empty column).
    """

    key: str
    name: str
    kind: str
    section: str
    count: int
    pool: str
    item: str | None = None
    newest: int | None = None
    home: bool = False
    flags: frozenset[str] = frozenset()


def col(
    key: str,
    name: str,
    kind: str,
    section: str,
    count: int,
    pool: str,
    *,
    item: str | None = None,
    newest: int | None = None,
    home: bool = False,
    flags: tuple[str, ...] = (),
) -> ColumnSpec:
    return ColumnSpec(key, name, kind, section, count, pool, item, newest, home, frozenset(flags))


@dataclass(frozen=True)
class SiteSpec:
    key: str
    name: str
    english: str
    unit: str
    category: str
    cms: str  # trs | hanweb | plain | frames
    charset: str  # utf-8 | gbk | gb2312 | utf-8-meta-gb2312
    list_style: str  # ul | table | dl
    date_fmt: str
    org: str  # short name used in titles
    place: str
    topics: tuple[str, ...]
    guide_names: tuple[str, ...]
    leaders: tuple[tuple[str, str], ...]  # (name or "", title); "" → random name
    columns: tuple[ColumnSpec, ...]
    labels: dict[str, str] = field(default_factory=dict)
    missing_items: frozenset[str] = frozenset()
    footer_missing: tuple[str, ...] = ()
    guides_missing: tuple[tuple[str, ...], ...] = ()  # one entry per incomplete guide
    guide_count: int = 5
    guide_layout: str = "table"  # table | sections
    #: (answered, recent unanswered, overdue unanswered, unanswered older than a year)
    messages: tuple[int, int, int, int] = (12, 0, 0, 0)
    defects: tuple[tuple[str, ...], ...] = ()
    hard_cases: tuple[tuple[str, ...], ...] = ()
    unreachable: bool = False
    links_to: tuple[str, ...] = ()  # keys of other demo sites linked from the home page
    region_code: str = "990100"


def _std_columns(
    news: tuple[tuple[str, str], ...],
    *,
    notice_newest: int | None = None,
    policy_newest: int | None = None,
    personnel_newest: int | None = None,
    plan_newest: int | None = None,
    interp_name: str = "政策解读",
    laws_name: str = "法律法规",
    annual_name: str = "政府信息公开年报",
    budget_name: str = "财政预决算",
    survey_name: str = "网上调查",
    news_newest: dict[str, int] | None = None,
    empty: tuple[str, ...] = (),
    skip: tuple[str, ...] = (),
    notice_flags: tuple[str, ...] = (),
    news_count: int = 30,
) -> tuple[ColumnSpec, ...]:
    news_newest = news_newest or {}
    cols = [
        col(
            key,
            name,
            "news",
            "xwzx",
            news_count if i == 0 else news_count - 6,
            "news",
            newest=news_newest.get(key),
            home=i < 2,
        )
        for i, (key, name) in enumerate(news)
    ]
    cols += [
        col(
            "tzgg",
            "通知公告",
            "notice",
            "xxgk",
            26,
            "notice",
            newest=notice_newest,
            home=True,
            flags=notice_flags,
        ),
        col("zcwj", "政策文件", "notice", "xxgk", 20, "policy", newest=policy_newest, home=True),
        col("rsxx", "人事信息", "plan", "xxgk", 8, "personnel", newest=personnel_newest),
        col("ghjh", "规划计划", "plan", "xxgk", 6, "plan", newest=plan_newest),
        col("zcjd", interp_name, "other", "xxgk", 12, "interp", item="policy_interpretation"),
        col("flfg", laws_name, "other", "xxgk", 8, "laws", item="laws"),
        col("ndbg", annual_name, "other", "xxgk", 5, "annual", item="annual_report"),
        col("czyjs", budget_name, "other", "xxgk", 6, "budget", item="budget"),
        col("zxft", "在线访谈", "other", "hdjl", 4, "interview", item="interview"),
        col("yjzj", "意见征集", "other", "hdjl", 5, "solicitation", item="solicitation"),
        col("wsdc", survey_name, "other", "hdjl", 3, "survey", item="survey"),
    ]
    out = []
    for c in cols:
        if c.key in skip:
            continue
        if c.key in empty:
            c = ColumnSpec(
                c.key, c.name, c.kind, c.section, 0, c.pool, c.item, None, False, c.flags
            )
        out.append(c)
    return tuple(out)


def _skip_for(missing: frozenset[str]) -> tuple[str, ...]:
    by_item = {
        "policy_interpretation": "zcjd",
        "laws": "flfg",
        "annual_report": "ndbg",
        "budget": "czyjs",
        "interview": "zxft",
        "solicitation": "yjzj",
        "survey": "wsdc",
    }
    return tuple(by_item[i] for i in missing if i in by_item)


_GJJ_MISSING = frozenset({"interview", "survey", "english", "result_feedback"})
_ZRZY_MISSING = frozenset({"english", "survey"})
_JGSWJ_MISSING = frozenset(
    {"english", "survey", "online_accept", "status_query", "result_feedback", "forms"}
)
_BAISHA_MISSING = frozenset(
    {
        "approval_items",
        "interview",
        "solicitation",
        "survey",
        "status_query",
        "result_feedback",
        "english",
        "search",
    }
)

SITE_SPECS: tuple[SiteSpec, ...] = (
    SiteSpec(
        key="shifan",
        name="示范市人民政府",
        english="Shifan Municipal People's Government",
        unit="示范市人民政府办公室",
        category="other",
        cms="trs",
        charset="utf-8",
        list_style="ul",
        date_fmt="iso",
        org="示范市",
        place="示范市",
        topics=(
            "营商环境",
            "乡村振兴",
            "城市更新",
            "安全生产",
            "民生实事",
            "生态环境保护",
            "数字政府建设",
            "招商引资",
            "文明城市创建",
            "重点项目建设",
        ),  # fmt: skip
        guide_names=(
            "企业开办",
            "不动产登记",
            "社会保障卡申领",
            "居住证办理",
            "出生医学证明",
            "残疾人证办理",
        ),  # fmt: skip
        leaders=(("", "市长"), ("", "常务副市长"), ("", "副市长"), ("", "副市长"), ("", "秘书长")),
        columns=_std_columns(
            (("ywdt", "政务要闻"), ("bmdt", "部门动态"), ("qxdt", "区县动态")),
            notice_flags=("pinned",),
            news_count=30,
        ),
        labels={"mailbox": "市长信箱", "leaders": "领导之窗", "approval_items": "权责清单"},
        guide_count=6,
        messages=(14, 1, 0, 0),
        hard_cases=(("window_open",), ("paged_column",), ("pinned",), ("recent_unanswered",)),
        links_to=(
            "fgw",
            "jyj",
            "wjw",
            "zrzy",
            "gjj",
            "jgswj",
            "tjj",
            "scjg",
            "dongcheng",
            "qingshan",
            "xiling",
        ),  # fmt: skip
        region_code="990100",
    ),
    SiteSpec(
        key="fgw",
        name="示范市发展和改革委员会",
        english="Shifan Development and Reform Commission",
        unit="示范市发展和改革委员会",
        category="city_department",
        cms="hanweb",
        charset="utf-8",
        list_style="ul",
        date_fmt="bracket",
        org="市发展改革委",
        place="示范市",
        topics=(
            "重点项目建设",
            "价格监测",
            "营商环境",
            "节能降碳",
            "粮食安全",
            "社会信用体系建设",
            "招投标管理",
            "服务业发展",
        ),  # fmt: skip
        guide_names=(
            "企业投资项目备案",
            "企业投资项目核准",
            "节能审查",
            "固定资产投资项目招标核准",
            "政府定价成本监审",
        ),  # fmt: skip
        leaders=(("", "主任"), ("", "副主任"), ("", "副主任"), ("", "二级巡视员")),
        columns=_std_columns((("gzdt", "工作动态"), ("xmdt", "项目动态")), notice_newest=231),
        labels={"mailbox": "领导信箱", "functions": "机构设置"},
        guides_missing=(("fees", "supervision"),),
        guide_layout="sections",
        messages=(10, 0, 0, 0),
        defects=(("broken_page", "gzdt"),),
        region_code="990100",
    ),
    SiteSpec(
        key="jyj",
        name="示范市教育局",
        english="Shifan Municipal Bureau of Education",
        unit="示范市教育局",
        category="city_department",
        cms="trs",
        charset="gbk",
        list_style="table",
        date_fmt="slash",
        org="市教育局",
        place="示范市",
        topics=(
            "义务教育招生",
            "校园安全",
            "教师资格认定",
            "学前教育",
            "职业教育",
            "课后服务",
            "学生资助",
            "中考招生",
        ),  # fmt: skip
        guide_names=(
            "教师资格认定",
            "民办学校设立审批",
            "学历证明书办理",
            "校外培训机构审批",
            "中小学生转学",
        ),  # fmt: skip
        leaders=(("王喆", "党组书记、局长"), ("", "副局长"), ("", "副局长"), ("", "总督学")),
        columns=_std_columns((("jydt", "教育动态"), ("xxdt", "学校动态")), personnel_newest=433),
        labels={"mailbox": "局长信箱", "message_board": "咨询投诉", "forms": "下载中心"},
        messages=(12, 1, 3, 1),
        defects=(("broken_image", "xxdt"), ("missing_attachment", "forms")),
        hard_cases=(("ancient_unanswered",), ("recent_unanswered",)),
        region_code="990100",
    ),
    SiteSpec(
        key="dongcheng",
        name="东城区人民政府",
        english="Dongcheng District People's Government",
        unit="东城区人民政府办公室",
        category="county_portal",
        cms="hanweb",
        charset="utf-8",
        list_style="ul",
        date_fmt="iso",
        org="东城区",
        place="东城区",
        topics=(
            "老旧小区改造",
            "基层治理",
            "营商环境",
            "社区养老",
            "背街小巷整治",
            "文旅融合",
            "就业服务",
            "垃圾分类",
        ),  # fmt: skip
        guide_names=(
            "个体工商户登记",
            "城乡居民养老保险参保登记",
            "最低生活保障审核",
            "临时救助申请",
            "门前三包责任书签订",
        ),  # fmt: skip
        leaders=(("", "区长"), ("", "常务副区长"), ("", "副区长"), ("", "副区长")),
        columns=_std_columns((("zwyw", "政务要闻"), ("jddt", "街道动态")), interp_name="解读回应"),
        labels={"mailbox": "区长信箱", "policy_interpretation": "解读回应"},
        messages=(12, 0, 0, 0),
        hard_cases=(("label_interp",), ("label_mailbox",)),
        region_code="990102",
    ),
    SiteSpec(
        key="qingshan",
        name="青山县人民政府",
        english="Qingshan County People's Government",
        unit="青山县人民政府办公室",
        category="county_portal",
        cms="trs",
        charset="gb2312",
        list_style="ul",
        date_fmt="cn",
        org="青山县",
        place="青山县",
        topics=(
            "乡村振兴",
            "高标准农田建设",
            "森林防火",
            "防汛抗旱",
            "农村人居环境整治",
            "特色产业发展",
            "义务教育",
            "医疗保障",
        ),  # fmt: skip
        guide_names=(
            "农村宅基地审批",
            "种畜禽生产经营许可",
            "林木采伐许可",
            "取水许可",
            "农民专业合作社登记",
        ),  # fmt: skip
        leaders=(("", "县长"), ("", "常务副县长"), ("", "副县长"), ("", "副县长")),
        columns=_std_columns((("xnyw", "县内要闻"), ("xzdt", "乡镇动态"))),
        labels={"mailbox": "县长信箱", "contact": "联系我们"},
        guides_missing=(("time_limit",),),
        messages=(12, 0, 0, 0),
        hard_cases=(("cn_dates",), ("label_mailbox",), ("window_open",)),
        links_to=("baisha",),
        region_code="990121",
    ),
    SiteSpec(
        key="wjw",
        name="示范市卫生健康委员会",
        english="Shifan Municipal Health Commission",
        unit="示范市卫生健康委员会",
        category="city_department",
        cms="plain",
        charset="utf-8-meta-gb2312",
        list_style="table",
        date_fmt="dot",
        org="市卫生健康委",
        place="示范市",
        topics=(
            "家庭医生签约",
            "疾病预防控制",
            "医疗机构监管",
            "爱国卫生运动",
            "妇幼健康",
            "基层医疗服务",
            "健康促进",
            "中医药发展",
        ),  # fmt: skip
        guide_names=(
            "医疗机构执业登记",
            "医师执业注册",
            "护士执业注册",
            "公共场所卫生许可",
            "母婴保健技术服务许可",
        ),  # fmt: skip
        leaders=(("", "主任"), ("", "副主任"), ("", "副主任"), ("", "副主任")),
        columns=_std_columns(
            (("wjdt", "卫健动态"), ("jcdt", "基层动态")), news_newest={"wjdt": 27}
        ),
        labels={"mailbox": "领导信箱", "online_accept": "在线申报", "status_query": "办件查询"},
        messages=(10, 0, 0, 0),
        defects=(("server_error", "online_accept"),),
        hard_cases=(("meta_trap",),),
        region_code="990100",
    ),
    SiteSpec(
        key="zrzy",
        name="示范市自然资源和规划局",
        english="Shifan Municipal Bureau of Natural Resources and Planning",
        unit="示范市自然资源和规划局",
        category="city_department",
        cms="frames",
        charset="gbk",
        list_style="dl",
        date_fmt="iso",
        org="市自然资源和规划局",
        place="示范市",
        topics=(
            "国土空间规划",
            "耕地保护",
            "不动产登记",
            "地质灾害防治",
            "测绘地理信息",
            "矿产资源管理",
            "土地供应",
            "生态修复",
        ),  # fmt: skip
        guide_names=(
            "建设用地规划许可证核发",
            "建设工程规划许可证核发",
            "不动产首次登记",
            "采矿权延续登记",
            "测绘资质审批",
        ),  # fmt: skip
        leaders=(("李堃", "局长"), ("", "副局长"), ("", "副局长"), ("", "总规划师")),
        columns=_std_columns(
            (("zrdt", "工作动态"), ("ghdt", "规划动态")), skip=_skip_for(_ZRZY_MISSING)
        )
        + (col("ztzl", "专题专栏", "other", "xwzx", 0, "news"),),
        labels={"mailbox": "局长信箱", "leaders": "领导分工"},
        missing_items=_ZRZY_MISSING,
        messages=(10, 0, 0, 0),
        defects=(("dead_port", "home"),),
        region_code="990100",
    ),
    SiteSpec(
        key="gjj",
        name="示范市住房公积金管理中心",
        english="Shifan Housing Provident Fund Management Center",
        unit="示范市住房公积金管理中心",
        category="directly_affiliated",
        cms="plain",
        charset="utf-8",
        list_style="ul",
        date_fmt="iso",
        org="市住房公积金管理中心",
        place="示范市",
        topics=(
            "公积金缴存",
            "公积金提取",
            "公积金贷款",
            "灵活就业人员缴存",
            "租房提取",
            "异地转移接续",
        ),  # fmt: skip
        guide_names=(
            "住房公积金缴存登记",
            "住房公积金提取",
            "住房公积金个人贷款",
            "异地转移接续",
            "缴存基数调整",
        ),  # fmt: skip
        leaders=(("", "主任"), ("", "副主任"), ("", "副主任")),
        columns=_std_columns(
            (("gzdt", "工作动态"), ("hydt", "行业动态")),
            news_newest={"gzdt": 41, "hydt": 63},
            notice_newest=252,
            policy_newest=95,
            plan_newest=521,
            skip=_skip_for(_GJJ_MISSING),
            news_count=18,
        ),
        labels={"mailbox": "主任信箱"},
        missing_items=_GJJ_MISSING,
        footer_missing=("site_code", "party_gov_badge"),
        messages=(8, 1, 5, 0),
        defects=(("broken_page", "home"),),
        region_code="990100",
    ),
    SiteSpec(
        key="jgswj",
        name="示范市机关事务管理局",
        english="Shifan Municipal Government Offices Administration",
        unit="示范市机关事务管理局",
        category="directly_affiliated",
        cms="trs",
        charset="utf-8",
        list_style="table",
        date_fmt="iso",
        org="市机关事务管理局",
        place="示范市",
        topics=(
            "公共机构节能",
            "公务用车管理",
            "办公用房管理",
            "机关后勤服务",
            "节约型机关创建",
            "垃圾分类",
        ),  # fmt: skip
        guide_names=("公务用车配备审批", "办公用房调剂", "公共机构节能考核", "机关会议场所预订"),
        leaders=(("", "局长"), ("", "副局长"), ("", "副局长")),
        columns=_std_columns(
            (("gzdt", "工作动态"), ("jndt", "节能动态")),
            empty=("zxft", "yjzj"),
            skip=_skip_for(_JGSWJ_MISSING),
            news_count=20,
        ),
        labels={"mailbox": "局长信箱"},
        missing_items=_JGSWJ_MISSING,
        guides_missing=(("basis", "materials"), ("location", "time_limit", "phone")),
        guide_count=4,
        messages=(8, 0, 0, 0),
        defects=(
            ("forbidden", "gzdt", "中华人名共和国"),
            ("broken_image", "home"),
            ("broken_page", "jndt"),
            ("missing_attachment", "tzgg"),
        ),
        region_code="990100",
    ),
    SiteSpec(
        key="baisha",
        name="白沙镇人民政府",
        english="Baisha Town People's Government",
        unit="白沙镇人民政府",
        category="township",
        cms="plain",
        charset="utf-8",
        list_style="dl",
        date_fmt="iso",
        org="白沙镇",
        place="白沙镇",
        topics=("人居环境整治", "秸秆禁烧", "防汛", "村级换届", "农业生产", "民生保障"),
        guide_names=("农村低保申请", "残疾人两项补贴申请", "计划生育奖励扶助", "建房审批"),
        leaders=(("", "镇长"), ("", "副镇长"), ("", "副镇长")),
        columns=_std_columns(
            (("zwdt", "镇务动态"), ("cjdt", "村居动态")),
            news_newest={"zwdt": 58, "cjdt": 71},
            notice_newest=5,
            plan_newest=702,
            empty=("zcjd",),
            skip=_skip_for(_BAISHA_MISSING),
            news_count=14,
        ),
        labels={"mailbox": "镇长信箱"},
        missing_items=_BAISHA_MISSING,
        footer_missing=("party_gov_badge",),
        guide_count=4,
        messages=(6, 0, 2, 0),
        region_code="990121",
    ),
    SiteSpec(
        key="tjj",
        name="示范市统计局",
        english="Shifan Municipal Bureau of Statistics",
        unit="示范市统计局",
        category="city_department",
        cms="hanweb",
        charset="utf-8",
        list_style="ul",
        date_fmt="slash",
        org="市统计局",
        place="示范市",
        topics=("经济运行", "统计执法", "经济普查", "人口抽样调查", "统计监测", "农业统计"),
        guide_names=(
            "统计调查项目审批",
            "涉外调查机构资格认定",
            "统计执法检查证办理",
            "统计资料提供",
        ),  # fmt: skip
        leaders=(("", "局长"), ("", "副局长"), ("", "副局长")),
        columns=_std_columns((("tjdt", "统计动态"), ("tjyw", "统计要闻")))
        + (col("tjsj", "统计数据", "other", "xxgk", 10, "stats", home=True),),
        labels={"mailbox": "局长信箱", "message_board": "留言咨询"},
        guide_count=4,
        messages=(10, 1, 0, 0),
        defects=(("slow", "tjsj"), ("dead_port", "tjyw")),
        hard_cases=(("robots_admin",), ("recent_unanswered",)),
        region_code="990100",
    ),
    SiteSpec(
        key="nanhu",
        name="南湖街道办事处",
        english="Nanhu Subdistrict Office",
        unit="东城区南湖街道办事处",
        category="township",
        cms="plain",
        charset="utf-8",
        list_style="ul",
        date_fmt="iso",
        org="南湖街道",
        place="南湖街道",
        topics=("社区治理",),
        guide_names=(),
        leaders=(),
        columns=(),
        unreachable=True,
        region_code="990102",
    ),
    SiteSpec(
        key="xiling",
        name="西岭县人民政府",
        english="Xiling County People's Government",
        unit="西岭县人民政府办公室",
        category="county_portal",
        cms="trs",
        charset="utf-8",
        list_style="ul",
        date_fmt="dot",
        org="西岭县",
        place="西岭县",
        topics=(
            "全域旅游",
            "生态保护",
            "乡村振兴",
            "交通建设",
            "招商引资",
            "民族团结进步",
            "特色农业",
        ),  # fmt: skip
        guide_names=(
            "食品经营许可",
            "建筑工程施工许可",
            "道路运输经营许可",
            "药品零售许可",
            "医疗器械经营备案",
        ),  # fmt: skip
        leaders=(("", "县长"), ("", "常务副县长"), ("", "副县长"), ("", "副县长")),
        columns=_std_columns(
            (("xwyw", "西岭要闻"), ("bmdt", "部门动态")),
            personnel_newest=412,
            interp_name="图解政策",
            laws_name="政策法规",
        ),
        labels={
            "mailbox": "县长信箱",
            "policy_interpretation": "图解政策",
            "laws": "政策法规",
            "complaint": "投诉举报",
        },
        missing_items=frozenset({"english"}),
        guides_missing=(("conditions",),),
        messages=(12, 0, 0, 0),
        defects=(("forbidden", "bmdt", "国务院总里"), ("missing_attachment", "forms")),
        region_code="990122",
    ),
    SiteSpec(
        key="scjg",
        name="示范市市场监督管理局",
        english="Shifan Municipal Administration for Market Regulation",
        unit="示范市市场监督管理局",
        category="city_department",
        cms="hanweb",
        charset="gbk",
        list_style="table",
        date_fmt="bracket",
        org="市市场监管局",
        place="示范市",
        topics=(
            "食品安全",
            "特种设备安全",
            "知识产权保护",
            "价格监督检查",
            "质量强市",
            "消费维权",
            "个体工商户发展",
        ),  # fmt: skip
        guide_names=(
            "企业设立登记",
            "食品生产许可",
            "特种设备使用登记",
            "计量器具型式批准",
            "广告发布登记",
        ),  # fmt: skip
        leaders=(("赵玥", "局长"), ("", "副局长"), ("", "副局长"), ("", "副局长")),
        columns=_std_columns((("scdt", "监管动态"), ("xqdt", "县区动态")), policy_newest=262),
        labels={"mailbox": "局长信箱", "approval_items": "行政许可事项", "budget": "预决算公开"},
        footer_missing=("police_record",),
        guides_missing=(("procedure", "fees"),),
        messages=(10, 0, 2, 0),
        defects=(("broken_image", "home"),),
        region_code="990100",
    ),
)
