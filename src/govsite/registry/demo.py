"""A realistic demo city (示范市) for the registry: the city government, 26 working
departments, 8 directly affiliated agencies (two without a website, as 001 found for
城改办 and 盐务局), 9 counties and districts with their townships and streets, and a
few county departments.

The demo goes through the same CSV import as a real registry file, so the demo
exercises the import path. Host names end in ``.example`` (reserved, never resolvable)
so nothing can ever reach a real site by mistake.
"""

from __future__ import annotations

import csv
import io
import random

from govsite.registry.tabular import COLUMNS

CITY = "示范市"

DEPARTMENTS = [
    ("fgw", "发展和改革委员会"),
    ("jyj", "教育局"),
    ("kjj", "科学技术局"),
    ("gxj", "工业和信息化局"),
    ("gaj", "公安局"),
    ("mzj", "民政局"),
    ("sfj", "司法局"),
    ("czj", "财政局"),
    ("rsj", "人力资源和社会保障局"),
    ("zrzyj", "自然资源和规划局"),
    ("sthjj", "生态环境局"),
    ("zjj", "住房和城乡建设局"),
    ("jtj", "交通运输局"),
    ("slj", "水利局"),
    ("nyncj", "农业农村局"),
    ("swj", "商务局"),
    ("wglj", "文化广电和旅游局"),
    ("wjw", "卫生健康委员会"),
    ("tyjrj", "退役军人事务局"),
    ("yjglj", "应急管理局"),
    ("sjj", "审计局"),
    ("scjgj", "市场监督管理局"),
    ("tjj", "统计局"),
    ("ybj", "医疗保障局"),
    ("cgj", "城市管理局"),
    ("xfj", "信访局"),
]

AGENCIES = [
    ("jgswj", "机关事务管理局", True),
    ("gjj", "住房公积金管理中心", True),
    ("tzps", "政府投资项目评审中心", True),
    ("ggzy", "公共资源交易中心", True),
    ("zwfw", "政务服务管理局", True),
    ("jrj", "地方金融管理局", True),
    ("cgb", "城市改造办公室", False),
    ("ywj", "盐务局", False),
]

COUNTIES = [
    ("dc", "东城区", ["东华街道", "文昌街道", "朝阳街道", "建设街道"]),
    ("xc", "西城区", ["西关街道", "新华街道", "长乐街道", "枣园镇"]),
    ("nh", "南湖区", ["南湖街道", "湖滨街道", "七里镇", "柳林镇", "河庄坪镇"]),
    ("bs", "北山区", ["北山街道", "桥儿沟街道", "姚店镇"]),
    ("qs", "青山县", ["城关镇", "青山镇", "石桥镇", "杨家岭乡", "马家湾乡"]),
    ("lj", "临江县", ["临江镇", "江口镇", "黄河乡", "白马乡"]),
    ("bsx", "白水县", ["城关镇", "尧禾镇", "杜康镇", "西固镇", "林皋镇", "史官镇"]),
    ("sm", "石门县", ["石门镇", "永乐镇", "寺河乡"]),
    ("yl", "云岭县", ["云岭镇", "高桥镇", "南泥湾镇", "麻洞川乡"]),
]

COUNTY_DEPARTMENTS = [("jyj", "教育局"), ("wjw", "卫生健康局"), ("rsj", "人力资源和社会保障局")]

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红文斌海峰晓东宁"
TITLES = ["办公室主任", "分管副局长", "信息中心主任", "副主任", "政务公开办主任"]


def demo_rows(seed: int = 2025) -> list[dict[str, str]]:
    rng = random.Random(seed)
    site_serial = iter(range(1, 10_000))

    def person() -> dict[str, str]:
        name = rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice([1, 2])))
        return {
            "responsible_person": name,
            "responsible_title": rng.choice(TITLES),
            "responsible_phone": f"0911-{rng.randint(2100000, 8999999)}",
            "responsible_email": f"gov{rng.randint(1000, 99999)}@shifan.example",
        }

    def website(name: str, host: str) -> dict[str, str]:
        serial = next(site_serial)
        return {
            "website_name": name,
            "website_url": f"https://{host}.shifan.example/",
            "site_code": f"9900{serial:06d}",
            "icp_number": f"陕ICP备{rng.randint(10000000, 99999999)}号-{rng.randint(1, 9)}",
        }

    rows = [
        {
            "code": "SF000",
            "name": f"{CITY}人民政府",
            "parent_code": "",
            "category": "city_portal",
            **person(),
            **website(f"{CITY}人民政府门户网站", "www"),
        },
    ]
    for index, (host, name) in enumerate(DEPARTMENTS, start=1):
        rows.append(
            {
                "code": f"SF1{index:02d}",
                "name": f"{CITY}{name}",
                "parent_code": "SF000",
                "category": "city_department",
                **person(),
                **website(f"{CITY}{name}", host),
            }
        )
    for index, (host, name, has_site) in enumerate(AGENCIES, start=1):
        row = {
            "code": f"SF2{index:02d}",
            "name": f"{CITY}{name}",
            "parent_code": "SF000",
            "category": "directly_affiliated",
            **person(),
        }
        if has_site:
            row |= website(f"{CITY}{name}", host)
        rows.append(row)
    for c_index, (host, county, towns) in enumerate(COUNTIES, start=1):
        county_code = f"SF3{c_index:02d}"
        rows.append(
            {
                "code": county_code,
                "name": f"{county}人民政府",
                "parent_code": "SF000",
                "category": "county_portal",
                **person(),
                **website(f"{county}人民政府门户网站", f"www.{host}"),
            }
        )
        for t_index, town in enumerate(towns, start=1):
            suffix = "办事处" if town.endswith("街道") else "人民政府"
            row = {
                "code": f"{county_code}T{t_index:02d}",
                "name": f"{county}{town}{suffix}",
                "parent_code": county_code,
                "category": "township",
                **person(),
            }
            rows.append(row)
        if host in {"dc", "nh", "qs"}:  # three counties list their own departments
            for d_index, (dept_host, dept) in enumerate(COUNTY_DEPARTMENTS, start=1):
                rows.append(
                    {
                        "code": f"{county_code}D{d_index:02d}",
                        "name": f"{county}{dept}",
                        "parent_code": county_code,
                        "category": "county_department",
                        **person(),
                        **website(f"{county}{dept}", f"{dept_host}.{host}"),
                    }
                )
    return rows


def demo_csv(seed: int = 2025) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([c.header for c in COLUMNS])
    for row in demo_rows(seed):
        writer.writerow([row.get(c.key, "") for c in COLUMNS])
    return buffer.getvalue().encode("utf-8-sig")
