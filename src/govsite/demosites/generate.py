"""Write the demo websites, ``ground_truth.json``, ``sites.csv`` and the server config.

The ground truth is derived from what is actually written: every broken link is recorded when
it is planted, column freshness is computed from the dates of the items written into the
column, and so on. See the package docstring for the list of sites and their defects.
"""

from __future__ import annotations

import csv
import io
import json
import random
import shutil
import struct
import zlib
from dataclasses import dataclass, field
from datetime import date, timedelta
from html import escape
from pathlib import Path
from typing import Any

from . import content as C
from .contract import (
    COLUMN_WINDOWS,
    FOOTER_PARTS,
    GUIDE_ELEMENTS,
    GUIDE_LABELS,
    HOMEPAGE_WINDOW_DAYS,
    ITEMS,
    MESSAGE_LOOKBACK_DAYS,
    MESSAGE_UNANSWERED_DAYS,
)
from .sites import DATE_FORMATS, SECTIONS, SITE_SPECS, ColumnSpec, SiteSpec

CONFIG_NAME = "demosites.json"
DEFAULT_BASE_PORT = 18101
DEAD_PORT_OFFSET = 99  # the "dead external link" port is base_port + 99
SLOW_SECONDS = 4.0
HOST = "127.0.0.1"

#: Python codec, ``<meta>`` charset and HTTP header charset for each site charset.
CHARSETS: dict[str, tuple[str, str, str | None]] = {
    "utf-8": ("utf-8", "utf-8", "utf-8"),
    "gbk": ("gbk", "GBK", "GBK"),
    "gb2312": ("gb2312", "gb2312", "gb2312"),
    "utf-8-meta-gb2312": ("utf-8", "gb2312", None),
}

_DEFAULT_LABELS: dict[str, str] = {
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

#: Static (non-list) item pages: item → (key, section).
_STATIC_ITEMS: dict[str, tuple[str, str]] = {
    "functions": ("jgzn", "xxgk"),
    "leaders": ("ldzc", "xxgk"),
    "contact": ("lxfs", "xxgk"),
    "approval_items": ("xzsp", "xxgk"),
    "complaint": ("jdts", "xxgk"),
    "guides": ("bszn", "bsfw"),
    "forms": ("bgxz", "bsfw"),
    "online_accept": ("zxsl", "bsfw"),
    "status_query": ("ztcx", "bsfw"),
    "result_feedback": ("jgfk", "bsfw"),
    "mailbox": ("ldxx", "hdjl"),
    "message_board": ("wsly", "hdjl"),
}

_FRESH_NEWEST: dict[str, tuple[int, int]] = {
    "news": (0, 2),
    "notice": (1, 20),
    "policy": (3, 40),
    "personnel": (20, 150),
    "plan": (30, 200),
    "interp": (2, 30),
    "laws": (20, 120),
    "budget": (10, 90),
    "interview": (10, 60),
    "solicitation": (5, 40),
    "survey": (15, 60),
    "stats": (1, 10),
}
_GAPS: dict[str, tuple[int, int]] = {
    "news": (1, 4),
    "notice": (4, 14),
    "policy": (6, 20),
    "personnel": (20, 60),
    "plan": (40, 120),
    "interp": (7, 25),
    "laws": (30, 150),
    "budget": (60, 180),
    "interview": (30, 90),
    "solicitation": (15, 45),
    "survey": (30, 90),
    "stats": (7, 20),
}
_PER_PAGE = {"trs": 15, "plain": 20, "frames": 15, "hanweb": 10_000}
_BOARD_PER_PAGE = 15
_HOME_ITEMS = 7


def _png(width: int = 1, height: int = 1, rgb: tuple[int, int, int] = (200, 16, 46)) -> bytes:
    def chunk(tag: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + tag
            + data
            + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)
        )

    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


_PAGE_JS = """\
function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt) {
  if (_nPageCount == null || _nPageCount <= 1) { return; }
  var nCurrIndex = _nCurrIndex || 0;
  for (var i = 0; i < _nPageCount; i++) {
    var sPageName = (i == 0 ? _sPageName : (_sPageName + "_" + i)) + "." + _sPageExt;
    if (nCurrIndex == i) {
      document.write("<span class='current'>" + (i + 1) + "</span>&nbsp;");
    } else {
      document.write("<a href='" + sPageName + "'>" + (i + 1) + "</a>&nbsp;");
    }
  }
  document.write("<span>共" + _nPageCount + "页</span>");
}
"""
_JPAGE_JS = """\
/* jpage: renders the <record> entries of <script type="text/xml"> into the unit div. */
function jpageRender(unitid, perpage) {
  var box = document.getElementById(unitid);
  var xml = box.getElementsByTagName('script')[0].text;
  var recs = xml.split('<record><![CDATA[');
  var html = '';
  for (var i = 1; i < recs.length && i <= perpage; i++) {
    html += recs[i].split(']]></record>')[0];
  }
  box.innerHTML += html;
}
"""
_COMMON_JS = "function setFont(size){document.getElementById('zoom').style.fontSize=size+'px';}\n"
_JQUERY_STUB = "/*! jQuery stub for the demo sites */ window.jQuery = window.$ = function(){};\n"
_CSS = (
    "body{margin:0;font:14px/1.8 'Microsoft YaHei',SimSun,sans-serif;color:#333}"
    ".header{background:#c8102e;color:#fff}.nav a{color:#fff;margin:0 12px}"
    ".list li{list-style:none;border-bottom:1px dashed #ddd}.date{float:right;color:#999}"
    ".footer{text-align:center;background:#f2f2f2;padding:12px;font-size:12px}\n"
)


# --------------------------------------------------------------------------- model


@dataclass
class _Article:
    id: int
    title: str
    day: date
    time: str
    paragraphs: list[str]
    path: str = ""
    pinned: bool = False
    image: str | None = None
    attachments: list[tuple[str, str]] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)


@dataclass
class _Column:
    spec: ColumnSpec
    articles: list[_Article]
    pages: list[str] = field(default_factory=list)

    @property
    def newest(self) -> date | None:
        return max((a.day for a in self.articles), default=None)

    @property
    def window(self) -> int | None:
        return COLUMN_WINDOWS.get(self.spec.kind)


@dataclass
class _Message:
    id: int
    title: str
    asker: str
    day: date
    question: str
    reply_day: date | None
    reply: str
    path: str = ""


@dataclass
class _Guide:
    id: int
    name: str
    missing: tuple[str, ...]
    labels: dict[str, str]
    values: dict[str, str]
    path: str = ""


@dataclass(frozen=True)
class ColumnInfo:
    """A list column as written: its first page, kind, window and newest item date."""

    name: str
    kind: str
    url: str
    window_days: int | None
    newest: date | None
    items: int
    pages: tuple[str, ...]


@dataclass(frozen=True)
class SiteInfo:
    key: str
    name: str
    english: str
    url: str
    port: int
    unit: str
    category: str
    cms: str
    charset: str
    docroot: Path
    pages: int
    reachable: bool
    columns: tuple[ColumnInfo, ...]
    findings: tuple[dict[str, Any], ...]
    not_findings: tuple[dict[str, Any], ...]
    page_urls: tuple[str, ...]
    guide_urls: tuple[str, ...] = ()

    def ground_truth(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "url": self.url,
            "unit": self.unit,
            "category": self.category,
            "pages": self.pages,
            "findings": list(self.findings),
            "not_findings": list(self.not_findings),
            "key": self.key,
            "port": self.port,
            "cms": self.cms,
            "charset": self.charset,
            "columns": [
                {
                    "name": c.name,
                    "url": c.url,
                    "kind": c.kind,
                    "window_days": c.window_days,
                    "newest": c.newest.isoformat() if c.newest else None,
                    "items": c.items,
                }
                for c in self.columns
            ],
        }


@dataclass(frozen=True)
class Manifest:
    """What :func:`generate` wrote."""

    out_dir: Path
    today: date
    seed: int
    scale: int
    base_port: int
    dead_port: int
    sites: tuple[SiteInfo, ...]

    @property
    def ground_truth_path(self) -> Path:
        return self.out_dir / "ground_truth.json"

    @property
    def sites_csv_path(self) -> Path:
        return self.out_dir / "sites.csv"

    @property
    def config_path(self) -> Path:
        return self.out_dir / CONFIG_NAME

    def site(self, key: str) -> SiteInfo:
        return next(s for s in self.sites if s.key == key)

    def ground_truth(self) -> dict[str, Any]:
        return {
            "today": self.today.isoformat(),
            "generated_by": "govsite.demosites",
            "seed": self.seed,
            "scale": self.scale,
            "sites": [s.ground_truth() for s in self.sites],
        }


@dataclass(frozen=True)
class _Ctx:
    today: date
    seed: int
    scale: int
    base_port: int
    dead_port: int
    ports: dict[str, int]
    names: dict[str, str]


# --------------------------------------------------------------------------- site builder


class _Site:
    def __init__(self, spec: SiteSpec, index: int, ctx: _Ctx) -> None:
        self.spec = spec
        self.index = index
        self.ctx = ctx
        self.today = ctx.today
        self.rnd = random.Random(f"govsite.demosites:{ctx.seed}:{spec.key}")
        self.port = ctx.ports[spec.key]
        self.origin = f"http://{HOST}:{self.port}"
        self.codec, self.meta_charset, self.header_charset = CHARSETS[spec.charset]
        self.files: dict[str, bytes] = {}
        self.pages: list[str] = []
        self.broken: dict[str, set[str]] = {}
        self.findings: list[dict[str, Any]] = []
        self.not_findings: list[dict[str, Any]] = []
        self.errors: list[str] = []
        self.slow: list[str] = []
        self.home_dates: list[date] = []
        self._ids = self.rnd.randint(3_000_000, 6_000_000)
        self._cids: dict[str, int] = {}
        self._cid_next = self.rnd.randint(1_100, 1_900) * 1000 + self.rnd.randint(100, 900)
        self.labels = {**_DEFAULT_LABELS, **spec.labels}
        self.present = [i for i in ITEMS if i not in spec.missing_items]
        self.footer_missing = set(spec.footer_missing)
        self.conac_id = "".join(self.rnd.choice("0123456789ABCDEF") for _ in range(32))
        self.leaders = [(name or C.person(self.rnd), title) for name, title in (spec.leaders or ())]
        self.defects = {d[0]: d[1:] for d in spec.defects}
        self.hard = {h[0] for h in spec.hard_cases}

    # ---- ids and paths

    def next_id(self) -> int:
        self._ids += self.rnd.randint(1, 9)
        return self._ids

    def cid(self, key: str) -> int:
        if key not in self._cids:
            self._cid_next += self.rnd.randint(1, 40)
            self._cids[key] = self._cid_next
        return self._cids[key]

    def section_path(self, section: str) -> str:
        cms = self.spec.cms
        if cms == "trs":
            return f"/{section}/index.html"
        if cms == "hanweb":
            return f"/col/col{self.cid(section)}/index.html"
        if cms == "plain":
            return f"/channel.asp?id={self.cid(section) % 1000}"
        return f"/{section}/index.htm"

    def static_path(self, key: str, section: str) -> str:
        cms = self.spec.cms
        if cms == "trs":
            return f"/{section}/{key}/index.html"
        if cms == "hanweb":
            return f"/col/col{self.cid(key)}/index.html"
        if cms == "plain":
            return f"/page.asp?id={self.cid(key) % 10000}"
        return f"/{key}/index.htm"

    def list_paths(self, key: str, section: str, npages: int) -> list[str]:
        cms = self.spec.cms
        npages = max(npages, 1)
        if cms == "trs":
            base = f"/{section}/{key}/"
            return [base + "index.html"] + [f"{base}index_{i}.html" for i in range(1, npages)]
        if cms == "hanweb":
            return [f"/col/col{self.cid(key)}/index.html"]
        if cms == "plain":
            first = f"/list.asp?classid={self.cid(key) % 10000}"
            return [first] + [f"{first}&page={i}" for i in range(2, npages + 1)]
        return [f"/{key}/index.htm"] + [f"/{key}/index_{i}.htm" for i in range(2, npages + 1)]

    def detail_path(self, key: str, section: str, day: date, ident: int) -> str:
        cms = self.spec.cms
        if cms == "trs":
            return f"/{section}/{key}/{day:%Y%m}/t{day:%Y%m%d}_{ident}.html"
        if cms == "hanweb":
            return f"/art/{day.year}/{day.month}/{day.day}/art_{self.cid(key)}_{ident}.html"
        if cms == "plain":
            return f"/show.asp?id={ident}"
        return f"/{key}/{day:%Y%m%d}_{ident}.htm"

    def url(self, path: str) -> str:
        return self.origin + path

    def item_path(self, item: str) -> str:
        if item == "message_board":
            return self.board_pages[0]
        if item in _STATIC_ITEMS:
            key, section = _STATIC_ITEMS[item]
            return self.static_path(key, section)
        if item == "english":
            return "/en/index.html"
        for column in self.columns:
            if column.spec.item == item:
                return column.pages[0]
        raise KeyError(item)

    # ---- formatting helpers

    def fmt(self, day: date, *, listing: bool = True) -> str:
        style = self.spec.date_fmt
        if not listing and style == "bracket":
            style = "iso"
        return day.strftime(DATE_FORMATS[style])

    def fill(self, template: str, day: date | None = None) -> str:
        day = day or self.today
        leader_name, leader_title = (
            self.rnd.choice(self.leaders) if self.leaders else ("", "负责同志")
        )
        return C.fill(
            template,
            self.rnd,
            org=self.spec.org,
            topic=self.rnd.choice(self.spec.topics),
            place=self.spec.place,
            leader=f"{leader_title}{leader_name}",
            person=C.person(self.rnd),
            year=str(day.year),
            prev=str(day.year - 1),
            year5=str(day.year + 4),
            month=str(day.month),
        )

    # ---- output

    def put(self, path: str, html: str, *, counted: bool = True) -> None:
        self.put_bytes(path, html.encode(self.codec, errors="strict"))
        if counted:
            self.pages.append(path)

    def put_bytes(self, path: str, data: bytes) -> None:
        rel = path.lstrip("/")
        if not rel or rel.endswith("/"):
            rel += "index.html"
        rel = rel.replace("?", "@", 1)
        if rel in self.files:
            raise ValueError(f"{self.spec.key}: {path} written twice")
        self.files[rel] = data

    def break_link(self, target: str, page: str) -> str:
        """Record that ``page`` (a path) links to the broken ``target`` (a path or URL)."""
        url = target if target.startswith("http") else self.url(target)
        self.broken.setdefault(url, set()).add(self.url(page))
        return target

    def not_finding(self, code: str, url: str, why: str) -> None:
        self.not_findings.append({"code": code, "url": url, "why": why})

    # ---- building

    def build(self) -> None:
        self.build_columns()
        self.build_guides()
        self.build_messages()
        self.plant_defects()
        self.write_assets()
        self.write_home()
        for section in SECTIONS:
            self.write_section(section)
        for column in self.columns:
            self.write_column(column)
        self.write_static_items()
        self.write_search()
        self.derive_findings()

    def build_columns(self) -> None:
        self.columns: list[_Column] = []
        scale = self.ctx.scale
        for cs in self.spec.columns:
            count = cs.count if cs.pool == "annual" else cs.count * scale
            articles = self.make_articles(cs, count)
            if "pinned" in cs.flags and articles:
                pin = self.make_article(cs, self.today - timedelta(days=300))
                pin.pinned = True
                pin.title = f"关于公布{self.spec.place}政务服务便民热线的公告"
                articles.insert(0, pin)
            column = _Column(cs, articles)
            per_page = _PER_PAGE[self.spec.cms]
            npages = -(-len(articles) // per_page) if articles else 1
            column.pages = self.list_paths(cs.key, cs.section, npages)
            for article in articles:
                article.path = self.detail_path(cs.key, cs.section, article.day, article.id)
            self.columns.append(column)

    def make_articles(self, cs: ColumnSpec, count: int) -> list[_Article]:
        if count == 0:
            return []
        if cs.pool == "annual":
            days = []
            year = self.today.year
            while len(days) < count:
                published = date(year, 1, 20) + timedelta(days=self.rnd.randint(0, 40))
                if published <= self.today:
                    days.append(published)
                year -= 1
        else:
            lo, hi = _FRESH_NEWEST[cs.pool]
            age = cs.newest if cs.newest is not None else self.rnd.randint(lo, hi)
            day = self.today - timedelta(days=age)
            days = []
            gap = _GAPS[cs.pool]
            for _ in range(count):
                days.append(day)
                day -= timedelta(days=self.rnd.randint(*gap))
        # Ids grow with the date, as in a real CMS.
        return [self.make_article(cs, d) for d in reversed(days)][::-1]

    def make_article(self, cs: ColumnSpec, day: date) -> _Article:
        pool = cs.pool
        if pool == "laws":
            title = C.LAW_TITLES[self.rnd.randrange(len(C.LAW_TITLES))]
        else:
            title = self.fill(self.rnd.choice(C.TITLE_TEMPLATES[pool]), day)
        if pool in ("notice", "policy", "personnel", "plan"):
            paras = [self.fill(t, day) for t in C.POLICY_SENTENCES[: self.rnd.randint(3, 5)]]
        elif pool == "interp":
            paras = [self.fill(t, day) for t in C.INTERPRETATION_SENTENCES]
        else:
            picks = self.rnd.sample(C.BODY_SENTENCES, k=self.rnd.randint(3, 6))
            paras = [self.fill(t, day) for t in picks]
        time = f"{self.rnd.randint(8, 18):02d}:{self.rnd.randint(0, 59):02d}"
        article = _Article(self.next_id(), title, day, time, paras)
        if pool == "news" and self.rnd.random() < 0.2:
            article.image = f"/uploads/{day:%Y%m}/W0{day:%Y%m%d}{article.id}.png"
        if pool in ("notice", "policy") and self.rnd.random() < 0.3:
            name = f"附件：{title[:12]}.doc"
            article.attachments.append((name, f"/attach/{day:%Y%m}/P0{article.id}.doc"))
        return article

    def build_guides(self) -> None:
        self.guides: list[_Guide] = []
        if "guides" not in self.present:
            return
        count = self.spec.guide_count * self.ctx.scale
        missing = list(self.spec.guides_missing)
        names = self.spec.guide_names
        key, section = _STATIC_ITEMS["guides"]
        for i in range(count):
            name = names[i % len(names)] + ("" if i < len(names) else f"（{i // len(names) + 1}）")
            miss = missing[i] if i < len(missing) else ()
            labels = {el: self.rnd.choice(GUIDE_LABELS[el]) for el in GUIDE_ELEMENTS}
            if "basis" in miss:  # keep "依据" out of the other headings of such a guide
                labels["fees"] = "收费标准"
            values = {"name": name}
            for el in GUIDE_ELEMENTS[1:]:
                values[el] = self.fill(self.rnd.choice(C.GUIDE_VALUES[el]))
            values["department"] = self.spec.unit
            # A guide that lacks the phone element must not show 电话 under another heading.
            if "phone" in miss:
                values["supervision"] = "可通过“好差评”系统进行评价。"
            guide = _Guide(self.next_id(), name, miss, labels, values)
            pseudo_day = self.today - timedelta(days=200 + i)
            guide.path = self.detail_path(key, section, pseudo_day, guide.id)
            self.guides.append(guide)

    def build_messages(self) -> None:
        self.messages: list[_Message] = []
        if "message_board" not in self.present:
            return
        answered, recent, overdue, ancient = self.spec.messages
        ages: list[tuple[int, bool]] = []
        ages += [(self.rnd.randint(3, 330), True) for _ in range(answered * self.ctx.scale)]
        ages += [(self.rnd.randint(5, 40), False) for _ in range(recent)]
        ages += [(self.rnd.randint(100, 330), False) for _ in range(overdue)]
        ages += [(self.rnd.randint(400, 500), False) for _ in range(ancient)]
        key, section = _STATIC_ITEMS["message_board"]
        # Oldest first, so that ids grow with the date; the board lists the newest first.
        for age, done in sorted(ages, key=lambda a: a[0], reverse=True):
            day = self.today - timedelta(days=age)
            topic = self.rnd.choice(self.spec.topics)
            reply_day = min(day + timedelta(days=self.rnd.randint(1, 10)), self.today)
            msg = _Message(
                self.next_id(),
                self.rnd.choice(("关于{t}的咨询", "咨询{t}相关问题", "关于{t}的建议")).format(
                    t=topic
                ),
                self.rnd.choice(C.NETIZENS),
                day,
                self.rnd.choice(C.MESSAGE_QUESTIONS).format(topic=topic),
                reply_day if done else None,
                self.rnd.choice(C.MESSAGE_REPLIES).format(topic=topic) if done else "",
            )
            msg.path = self.detail_path(key, section, day, msg.id)
            self.messages.append(msg)
        self.messages.reverse()
        per_page = _PER_PAGE[self.spec.cms] if self.spec.cms == "hanweb" else _BOARD_PER_PAGE
        npages = -(-len(self.messages) // per_page) if self.messages else 1
        self.board_pages = self.list_paths(key, section, npages)
        self.board_per_page = per_page

    def column(self, key: str) -> _Column:
        return next(c for c in self.columns if c.spec.key == key)

    def plant_defects(self) -> None:
        """Attach the article-level defects; page-level ones are written with their page."""
        d = self.defects
        if d.get("broken_page", ("",))[0] not in ("", "home"):
            art = self.column(d["broken_page"][0]).articles[2]
            old = self.today - timedelta(days=800)
            target = self.detail_path(d["broken_page"][0], "xwzx", old, art.id - 777)
            self.break_link(target, art.path)
            art.extra.append(
                f'<p>相关阅读：<a href="{target}" target="_blank">'
                f"{escape(self.spec.org)}往期工作情况回顾</a></p>"
            )
        if d.get("broken_image", ("",))[0] not in ("", "home"):
            art = self.column(d["broken_image"][0]).articles[1]
            target = f"/uploads/{art.day:%Y%m}/W0{art.day:%Y%m%d}{art.id}_01.jpg"
            self.break_link(target, art.path)
            art.extra.append(f'<p style="text-align:center"><img src="{target}" alt="" /></p>')
        if d.get("missing_attachment", ("",))[0] not in ("", "forms"):
            art = self.column(d["missing_attachment"][0]).articles[1]
            target = f"/attach/{art.day:%Y%m}/P0{art.id}_1.doc"
            self.break_link(target, art.path)
            art.attachments.append((f"附件：{art.title[:10]}登记表.doc", target))
        if "forbidden" in d:
            key, text = d["forbidden"]
            art = self.column(key).articles[3]
            art.paragraphs.insert(1, C.FORBIDDEN_SENTENCES[text])
            self.findings.append(
                {"code": "forbidden_expression", "url": self.url(art.path), "text": text}
            )
        if d.get("dead_port", ("",))[0] not in ("", "home"):
            art = self.column(d["dead_port"][0]).articles[2]
            target = f"http://{HOST}:{self.ctx.dead_port}/tjsj/nj2019/index.html"
            self.break_link(target, art.path)
            art.extra.append(
                f'<p>数据来源：<a href="{target}" target="_blank">'
                f"{escape(self.spec.place)}统计年鉴（2019）</a></p>"
            )
        if "slow" in d:
            art = self.column(d["slow"][0]).articles[1]
            self.slow.append(art.path)
            self.findings.append({"code": "slow_page", "url": self.url(art.path)})

    # ---- page chrome

    def head(
        self,
        title: str,
        *,
        column: str | None = None,
        article: _Article | None = None,
    ) -> str:
        cms = self.spec.cms
        if cms == "trs":
            doctype = (
                '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
                '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n'
                '<html xmlns="http://www.w3.org/1999/xhtml">'
            )
        elif cms == "hanweb":
            doctype = '<!DOCTYPE html>\n<html lang="zh-CN">'
        else:
            doctype = '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN">\n<html>'
        if cms == "hanweb":
            charset = f'<meta charset="{self.meta_charset}">'
        else:
            charset = f'<meta http-equiv="Content-Type" content="text/html; charset={self.meta_charset}" />'
        metas = [
            charset,
            f"<title>{escape(title)}</title>",
            f'<meta name="SiteName" content="{escape(self.spec.name)}" />',
            f'<meta name="SiteDomain" content="{HOST}:{self.port}" />',
        ]
        if "site_code" not in self.footer_missing:
            metas.append(f'<meta name="SiteIDCode" content="{self.site_code}" />')
        if column:
            metas.append(f'<meta name="ColumnName" content="{escape(column)}" />')
            metas.append(f'<meta name="ColumnType" content="{escape(column)}" />')
        if article:
            metas.append(f'<meta name="ArticleTitle" content="{escape(article.title)}" />')
            metas.append(f'<meta name="PubDate" content="{article.day} {article.time}" />')
            metas.append(f'<meta name="ContentSource" content="{escape(self.spec.unit)}" />')
        metas.append('<link rel="stylesheet" type="text/css" href="/css/style.css" />')
        metas.append('<script type="text/javascript" src="/js/common.js"></script>')
        if cms == "trs":
            metas.append('<script type="text/javascript" src="/js/page.js"></script>')
        if cms == "hanweb":
            metas.append(
                '<script type="text/javascript" src="/module/jslib/jquery/jquery.js"></script>'
            )
            metas.append(
                '<script type="text/javascript" src="/module/web/jpage/jpage.js"></script>'
            )
        return doctype + "\n<head>\n" + "\n".join(metas) + "\n</head>\n"

    @property
    def site_code(self) -> str:
        return f"{self.spec.region_code}{self.index + 1:04d}"

    def search_form(self) -> str:
        if "search" not in self.present:
            return ""
        action = self.search_path
        return (
            f'<div class="search"><form name="searchform" action="{action}" method="get" '
            'target="_blank"><input type="text" name="q" class="search-input" '
            'placeholder="请输入关键词" /><input type="submit" value="搜索" class="search-btn" />'
            "</form></div>"
        )

    @property
    def search_path(self) -> str:
        return {
            "trs": "/search/index.html",
            "hanweb": "/jsearchfront/search.do",
            "plain": "/search.asp",
            "frames": "/search/index.htm",
        }[self.spec.cms]

    def header(self) -> str:
        links = []
        if "english" in self.present:
            links.append('<a href="/en/index.html">English</a>')
        if self.spec.key != "shifan":
            links.append(f'<a href="http://{HOST}:{self.ctx.ports["shifan"]}/">示范市人民政府</a>')
        nav = ['<li><a href="/">首页</a></li>']
        for section, name in SECTIONS.items():
            nav.append(f'<li><a href="{self.section_path(section)}">{name}</a></li>')
        return (
            '<div class="header"><div class="top">'
            f'<a href="/" class="logo"><img src="/images/logo.png" alt="{escape(self.spec.name)}" />'
            f"<span>{escape(self.spec.name)}</span></a>"
            f'<div class="top-links">{" | ".join(links)}</div>{self.search_form()}</div>'
            f'<div class="nav"><ul>{"".join(nav)}</ul></div></div>\n'
        )

    def footer(self) -> str:
        parts = []
        if "site_code" not in self.footer_missing:
            parts.append(f"<span>网站标识码：{self.site_code}</span>")
        if "icp" not in self.footer_missing:
            parts.append(f"<span>陕ICP备{25000100 + self.index}号-1</span>")
        if "police_record" not in self.footer_missing:
            parts.append(
                '<span><img src="/images/ga.png" alt="" />'
                f"陕公网安备 {self.spec.region_code}02{100 + self.index:06d}号</span>"
            )
        badge = ""
        if "party_gov_badge" not in self.footer_missing:
            badge = (
                '<div class="conac"><span id="_ideConac">'
                f'<a href="{escape(self.conac_url)}" target="_blank">'
                '<img id="imgConac" src="/images/red.png" alt="党政机关" /></a></span></div>'
            )
        return (
            '\n<div class="footer">'
            f"<p>主办单位：{escape(self.spec.unit)}　地址：{escape(self.spec.place)}人民路"
            f"{self.index + 1}号　邮编：999000</p>"
            f"<p>{'　'.join(parts)}</p>{badge}</div>\n"
        )

    @property
    def conac_url(self) -> str:
        return f"http://bszs.conac.cn/sitename?method=show&id={self.conac_id}"

    def page(
        self,
        title: str,
        body: str,
        *,
        column: str | None = None,
        article: _Article | None = None,
        crumbs: list[tuple[str, str]] | None = None,
    ) -> str:
        crumb = ""
        if crumbs is not None:
            trail = ['<a href="/">首页</a>'] + [f'<a href="{h}">{escape(t)}</a>' for h, t in crumbs]
            crumb = f'<div class="position">当前位置：{" &gt; ".join(trail)}</div>\n'
        full_title = f"{title}_{self.spec.name}" if title != self.spec.name else title
        return (
            self.head(full_title, column=column, article=article)
            + "<body>\n"
            + self.header()
            + '<div class="main">\n'
            + crumb
            + body
            + "\n</div>"
            + self.footer()
            + "</body>\n</html>\n"
        )

    # ---- lists

    def list_entries(self, entries: list[tuple[str, str, str]], *, cls: str = "list") -> str:
        """``entries`` are (href, title, date text); rendered in the site's list markup."""
        style = self.spec.list_style
        if style == "ul":
            rows = "".join(
                f'<li><a href="{h}" target="_blank" title="{escape(t)}">{escape(t)}</a>'
                f'<span class="date">{d}</span></li>\n'
                for h, t, d in entries
            )
            return f'<ul class="{cls}">\n{rows}</ul>'
        if style == "table":
            rows = "".join(
                f'<tr><td class="title"><a href="{h}" target="_blank">{escape(t)}</a></td>'
                f'<td class="date" width="100">{d}</td></tr>\n'
                for h, t, d in entries
            )
            return f'<table class="{cls}" width="100%" cellspacing="0">\n{rows}</table>'
        rows = "".join(
            f'<dt><a href="{h}" target="_blank">{escape(t)}</a></dt><dd>{d}</dd>\n'
            for h, t, d in entries
        )
        return f'<dl class="{cls}">\n{rows}</dl>'

    def record(self, entry: tuple[str, str, str]) -> str:
        """One jpage ``<record>`` in the site's list markup."""
        h, t, d = entry
        style = self.spec.list_style
        if style == "ul":
            return (
                f'<li><a href="{h}" target="_blank" title="{escape(t)}">{escape(t)}</a>'
                f'<span class="date">{d}</span></li>'
            )
        if style == "table":
            return (
                f'<table width="100%"><tr><td class="title"><a href="{h}" target="_blank">'
                f'{escape(t)}</a></td><td class="date" width="100">{d}</td></tr></table>'
            )
        return f'<dl><dt><a href="{h}" target="_blank">{escape(t)}</a></dt><dd>{d}</dd></dl>'

    def article_entries(self, articles: list[_Article]) -> list[tuple[str, str, str]]:
        out = []
        for a in articles:
            title = f"[置顶] {a.title}" if a.pinned else a.title
            out.append((a.path, title, self.fmt(a.day)))
        return out

    def hanweb_records(self, records: list[str], unitid: int, per_page: int = 15) -> str:
        recs = "\n".join(f"<record><![CDATA[\n{r}\n]]></record>" for r in records)
        return (
            f'<div class="default_pgContainer" id="{unitid}">'
            '<script type="text/xml"><datastore><nextgroup><![CDATA[]]></nextgroup>'
            f"<recordset>\n{recs}\n</recordset></datastore></script>"
            f'<script type="text/javascript">var totalRecord = {len(records)}; '
            f"jpageRender('{unitid}', {per_page});</script></div>"
        )

    def pager(self, paths: list[str], current: int, total_items: int) -> str:
        cms = self.spec.cms
        n = len(paths)
        if cms == "trs":
            return (
                '<div class="page"><script type="text/javascript">'
                f'createPageHTML({n}, {current}, "index", "html");</script></div>'
            )
        if n <= 1:
            return f'<div class="pagebar">共{total_items}条记录 第1/1页</div>'
        bits = [f"共{total_items}条记录 第{current + 1}/{n}页"]
        if current > 0:
            bits.append(f'<a href="{escape(paths[0])}">首页</a>')
            bits.append(f'<a href="{escape(paths[current - 1])}">上一页</a>')
        else:
            bits.append("首页 上一页")
        if current < n - 1:
            bits.append(f'<a href="{escape(paths[current + 1])}">下一页</a>')
            bits.append(f'<a href="{escape(paths[-1])}">尾页</a>')
        else:
            bits.append("下一页 尾页")
        return f'<div class="pagebar">{" ".join(bits)}</div>'

    # ---- writing pages

    def write_assets(self) -> None:
        self.put_bytes("/css/style.css", _CSS.encode())
        self.put_bytes("/js/common.js", _COMMON_JS.encode())
        if self.spec.cms == "trs":
            self.put_bytes("/js/page.js", _PAGE_JS.encode())
        if self.spec.cms == "hanweb":
            self.put_bytes("/module/web/jpage/jpage.js", _JPAGE_JS.encode())
            self.put_bytes("/module/jslib/jquery/jquery.js", _JQUERY_STUB.encode())
        self.put_bytes("/images/logo.png", _png(4, 2, (200, 16, 46)))
        if "police_record" not in self.footer_missing:
            self.put_bytes("/images/ga.png", _png(1, 1, (30, 60, 160)))
        if "party_gov_badge" not in self.footer_missing:
            self.put_bytes("/images/red.png", _png(2, 2, (220, 0, 0)))
        robots = "User-agent: *\nDisallow:\n"
        if "robots_admin" in self.hard:
            robots = "User-agent: *\nDisallow: /admin/\n"
        self.put_bytes("/robots.txt", robots.encode())
        for column in self.columns:
            for a in column.articles:
                if a.image:
                    self.put_bytes(a.image, _png(3, 2, (90, 120, 90)))
                for _, href in a.attachments:
                    if self.url(href) not in self.broken:
                        self.put_bytes(href, _attachment(a.title))

    def home_block(self, column: _Column) -> str:
        shown = sorted(column.articles, key=lambda a: a.day, reverse=True)[:_HOME_ITEMS]
        self.home_dates.extend(a.day for a in shown)
        entries = [(a.path, a.title, self.fmt(a.day)) for a in shown]
        return (
            f'<div class="block" id="blk_{column.spec.key}"><div class="block-title">'
            f"<span>{escape(column.spec.name)}</span>"
            f'<a class="more" href="{column.pages[0]}">更多&gt;&gt;</a></div>\n'
            f"{self.list_entries(entries)}</div>\n"
        )

    def item_links(self, items: list[str], title: str) -> str:
        links = "".join(
            f'<li><a href="{self.item_path(i)}">{self.labels[i]}</a></li>'
            for i in items
            if i in self.present and i not in ("english", "search")
        )
        return (
            f'<div class="block links"><div class="block-title"><span>{title}</span></div>'
            f'<ul class="icons">{links}</ul></div>\n'
        )

    def home_body(self, home_path: str) -> str:
        parts = []
        d = self.defects
        if d.get("broken_image", ("",))[0] == "home":
            target = "/images/banner_2019.jpg"
            self.break_link(target, home_path)
            parts.append(f'<div class="banner"><img src="{target}" alt="" /></div>\n')
        for column in self.columns:
            if column.spec.home:
                parts.append(self.home_block(column))
        parts.append(
            self.item_links(
                [
                    "functions",
                    "leaders",
                    "contact",
                    "approval_items",
                    "laws",
                    "policy_interpretation",
                    "annual_report",
                    "budget",
                    "complaint",
                ],
                "政府信息公开",
            )
        )
        parts.append(
            self.item_links(
                ["guides", "forms", "online_accept", "status_query", "result_feedback"],
                "办事服务",
            )
        )
        parts.append(
            self.item_links(
                ["mailbox", "message_board", "interview", "solicitation", "survey"], "互动交流"
            )
        )
        if "window_open" in self.hard:
            target = self.section_path("bsfw")
            parts.append(
                '<div class="block zt"><a href="javascript:void(0);" '
                f"onclick=\"window.open('{target}')\">政务服务专区</a></div>\n"
            )
            self.not_finding(
                "broken_link",
                self.url(target),
                'linked as href="javascript:void(0);" onclick="window.open(\'...\')"; '
                "the target answers 200",
            )
        friends = [
            f'<li><a href="http://{HOST}:{self.ctx.ports[k]}/" target="_blank">'
            f"{escape(self.ctx.names[k])}</a></li>"
            for k in self.spec.links_to
        ]
        if d.get("broken_page", ("",))[0] == "home":
            target = f"/page.asp?id={self.cid('zcwd') % 10000}"
            self.break_link(target, home_path)
            friends.append(f'<li><a href="{target}">政策问答</a></li>')
        if d.get("dead_port", ("",))[0] == "home":
            target = f"http://{HOST}:{self.ctx.dead_port}/"
            self.break_link(target, home_path)
            friends.append(
                f'<li><a href="{target}" target="_blank">{escape(self.spec.place)}'
                "不动产登记中心（旧版）</a></li>"
            )
        if "robots_admin" in self.hard:
            friends.append('<li><a href="/admin/login.jsp">网站管理</a></li>')
            self.not_finding(
                "broken_link",
                self.url("/admin/login.jsp"),
                "robots.txt disallows /admin/: the link must not be followed (it would answer 404)",
            )
        if friends:
            parts.append(
                '<div class="block friends"><div class="block-title"><span>相关网站</span></div>'
                f"<ul>{''.join(friends)}</ul></div>\n"
            )
        return "".join(parts)

    def write_home(self) -> None:
        if self.spec.cms != "frames":
            self.put("/", self.page(self.spec.name, self.home_body("/")))
            return
        frameset = (
            self.head(self.spec.name) + '<frameset rows="130,*,110" frameborder="0" border="0">\n'
            '<frame src="/top.htm" name="top" scrolling="no" noresize="noresize" />\n'
            '<frame src="/main.htm" name="main" />\n'
            '<frame src="/bottom.htm" name="bottom" scrolling="no" />\n'
            f'<noframes><body>您的浏览器不支持框架，请访问<a href="/main.htm">{escape(self.spec.name)}'
            "</a>。</body></noframes>\n</frameset>\n</html>\n"
        )
        self.put("/", frameset)
        top = self.head(self.spec.name) + "<body>\n" + self.header() + "</body>\n</html>\n"
        self.put("/top.htm", top.replace('<a href="', '<a target="main" href="'))
        main = (
            self.head(self.spec.name)
            + '<body>\n<div class="main">\n'
            + self.home_body("/main.htm")
            + "</div>\n</body>\n</html>\n"
        )
        self.put("/main.htm", main)
        bottom = self.head(self.spec.name) + "<body>" + self.footer() + "</body>\n</html>\n"
        self.put("/bottom.htm", bottom)

    def write_section(self, section: str) -> None:
        name = SECTIONS[section]
        blocks = []
        for column in self.columns:
            if column.spec.section != section:
                continue
            top = column.articles[:5]
            inner = (
                self.list_entries(self.article_entries(top))
                if top
                else '<p class="nodata">暂无信息</p>'
            )
            blocks.append(
                f'<div class="block"><div class="block-title"><a href="{column.pages[0]}">'
                f"{escape(column.spec.name)}</a></div>\n{inner}</div>\n"
            )
        statics = [i for i, (_, s) in _STATIC_ITEMS.items() if s == section]
        if statics:
            blocks.insert(0, self.item_links(statics, name))
        if section == "bsfw" and self.guides:
            blocks.append(
                '<div class="block"><div class="block-title">热门办事指南</div><ul>'
                + "".join(
                    f'<li><a href="{g.path}">{escape(g.name)}</a></li>' for g in self.guides[:5]
                )
                + "</ul></div>\n"
            )
        body = f'<div class="channel">{"".join(blocks)}</div>'
        self.put(self.section_path(section), self.page(name, body, column=name, crumbs=[]))

    def write_column(self, column: _Column) -> None:
        cs = column.spec
        crumbs = [(self.section_path(cs.section), SECTIONS[cs.section]), (column.pages[0], cs.name)]
        arts = column.articles
        if self.spec.cms == "hanweb":
            if arts:
                records = [self.record(e) for e in self.article_entries(arts)]
                inner = self.hanweb_records(records, self.cid(cs.key) + 7)
            else:
                inner = (
                    self.hanweb_records([], self.cid(cs.key) + 7) + '<p class="nodata">暂无信息</p>'
                )
            body = f'<div class="column"><h2>{escape(cs.name)}</h2>{inner}</div>'
            self.put(column.pages[0], self.page(cs.name, body, column=cs.name, crumbs=crumbs))
        else:
            per = _PER_PAGE[self.spec.cms]
            for i, path in enumerate(column.pages):
                chunk = arts[i * per : (i + 1) * per]
                inner = (
                    self.list_entries(self.article_entries(chunk))
                    if chunk
                    else '<p class="nodata">暂无信息</p>'
                )
                body = (
                    f'<div class="column"><h2>{escape(cs.name)}</h2>{inner}'
                    f"{self.pager(column.pages, i, len(arts))}</div>"
                )
                self.put(path, self.page(cs.name, body, column=cs.name, crumbs=crumbs))
        for article in arts:
            self.write_article(column, article, crumbs)

    def write_article(self, column: _Column, a: _Article, crumbs: list[tuple[str, str]]) -> None:
        paras = "".join(f"<p>　　{escape(p)}</p>\n" for p in a.paragraphs)
        if a.image:
            paras = f'<p style="text-align:center"><img src="{a.image}" alt="" /></p>\n' + paras
        paras += "".join(a.extra)
        attach = ""
        if a.attachments:
            attach = (
                '<div class="attach">'
                + "".join(f'<p><a href="{h}">{escape(n)}</a></p>' for n, h in a.attachments)
                + "</div>"
            )
        editor = "TRS_Editor" if self.spec.cms == "trs" else "content"
        body = (
            f'<div class="article"><h1 class="title">{escape(a.title)}</h1>\n'
            f'<div class="info">发布时间：{self.fmt(a.day, listing=False)} {a.time}　'
            f"来源：{escape(self.spec.unit)}　"
            '字号：<a href="javascript:setFont(18)">大</a> <a href="javascript:setFont(14)">小</a>'
            "</div>\n"
            f'<div id="zoom" class="{editor}">\n{paras}</div>{attach}\n'
            '<div class="tools"><a href="javascript:window.print()">打印本页</a> '
            '<a href="javascript:window.close()">关闭窗口</a></div></div>'
        )
        self.put(
            a.path, self.page(a.title, body, column=column.spec.name, article=a, crumbs=crumbs)
        )

    def static_page(self, item: str, body: str) -> None:
        key, section = _STATIC_ITEMS[item]
        label = self.labels[item]
        crumbs = [(self.section_path(section), SECTIONS[section]), (self.item_path(item), label)]
        self.put(self.item_path(item), self.page(label, body, column=label, crumbs=crumbs))

    def write_static_items(self) -> None:
        spec = self.spec
        present = set(self.present)
        para = lambda text: f"<p>　　{escape(text)}</p>"  # noqa: E731
        if "functions" in present:
            self.static_page(
                "functions",
                f"<h2>{self.labels['functions']}</h2>"
                + para(f"{spec.unit}是{spec.place}人民政府工作部门（单位），主要职责如下：")
                + "".join(
                    para(f"（{n}）负责{t}相关工作，拟订并组织实施有关政策措施。")
                    for n, t in zip("一二三四五", spec.topics, strict=False)
                )
                + para("内设机构：办公室、政策法规科、业务一科、业务二科、综合保障科。"),
            )
        if "leaders" in present:
            rows = "".join(
                f"<tr><td>{escape(n)}</td><td>{escape(t)}</td>"
                f"<td>负责{escape(self.rnd.choice(spec.topics))}等方面工作。</td></tr>"
                for n, t in self.leaders
            )
            self.static_page(
                "leaders",
                f'<h2>{self.labels["leaders"]}</h2><table class="leaders">'
                f"<tr><th>姓名</th><th>职务</th><th>分工</th></tr>{rows}</table>",
            )
        if "contact" in present:
            self.static_page(
                "contact",
                f"<h2>{self.labels['contact']}</h2>"
                + para(f"办公地址：{spec.place}人民路{self.index + 1}号")
                + para(f"办公电话：0999-{self.rnd.randint(2000000, 8999999)}")
                + para("办公时间：工作日上午8:30-12:00，下午14:30-17:30")
                + para("邮政编码：999000"),
            )
        if "approval_items" in present:
            names = spec.guide_names or spec.topics
            rows = "".join(
                f"<tr><td>{i + 1}</td><td>{escape(n)}</td><td>行政许可</td>"
                f"<td>{escape(spec.unit)}</td></tr>"
                for i, n in enumerate(names)
            )
            self.static_page(
                "approval_items",
                f"<h2>{self.labels['approval_items']}</h2><table>"
                f"<tr><th>序号</th><th>事项名称</th><th>事项类型</th><th>实施主体</th></tr>"
                f"{rows}</table>",
            )
        if "complaint" in present:
            self.static_page(
                "complaint",
                f"<h2>{self.labels['complaint']}</h2>"
                + para(f"监督电话：0999-{self.rnd.randint(2000000, 8999999)}")
                + para(f"电子邮箱：jdts{self.index + 1}@demo.example")
                + para(f"通信地址：{spec.place}人民路{self.index + 1}号"),
            )
        if "guides" in present:
            self.write_guides()
        if "forms" in present:
            self.write_forms()
        if "online_accept" in present:
            self.write_online_accept()
        if "status_query" in present:
            self.static_page(
                "status_query",
                f"<h2>{self.labels['status_query']}</h2>"
                f'<form action="{self.item_path("status_query")}" method="get">'
                '受理编号：<input type="text" name="sn" /> <input type="submit" value="查询" /></form>',
            )
        if "result_feedback" in present:
            rows = "".join(
                f"<tr><td>SF{self.today:%Y}{i + 1:06d}</td><td>{escape(g.name)}</td>"
                f"<td>准予许可</td><td>{self.fmt(self.today - timedelta(days=i + 1), listing=False)}"
                "</td></tr>"
                for i, g in enumerate(self.guides[:5])
            )
            self.static_page(
                "result_feedback",
                f"<h2>{self.labels['result_feedback']}</h2><table>"
                "<tr><th>受理编号</th><th>事项名称</th><th>办理结果</th><th>办结日期</th></tr>"
                f"{rows}</table>",
            )
        if "mailbox" in present:
            self.static_page(
                "mailbox",
                f"<h2>{self.labels['mailbox']}</h2>"
                + para("来信须知：请如实填写个人信息，我们将在5个工作日内予以答复。")
                + '<form action="/hdjl/submit.jsp" method="post">'
                '姓名：<input name="name" /> 电话：<input name="tel" /> 标题：<input name="title" />'
                '<textarea name="content"></textarea><input type="submit" value="提交" /></form>',
            )
        if "message_board" in present:
            self.write_board()
        if "english" in present:
            self.put(
                "/en/index.html",
                '<!DOCTYPE html>\n<html lang="en"><head>'
                f'<meta http-equiv="Content-Type" content="text/html; charset={self.meta_charset}" />'
                f"<title>{self.spec.english}</title></head><body>"
                f"<h1>{self.spec.english}</h1><p>Welcome to the official website of the "
                f"{self.spec.english}.</p><p>Address: No. {self.index + 1} Renmin Road, "
                'Shifan.</p><p><a href="/">中文版</a></p></body></html>\n',
            )

    def write_guides(self) -> None:
        key, section = _STATIC_ITEMS["guides"]
        label = self.labels["guides"]
        crumbs = [
            (self.section_path(section), SECTIONS[section]),
            (self.item_path("guides"), label),
        ]
        entries = "".join(
            f'<li><a href="{g.path}" target="_blank">{escape(g.name)}</a></li>\n'
            for g in self.guides
        )
        self.static_page("guides", f'<h2>{label}</h2><ul class="guides">\n{entries}</ul>')
        for g in self.guides:
            present = [el for el in GUIDE_ELEMENTS if el not in g.missing]
            if self.spec.guide_layout == "table":
                rows = "".join(
                    f"<tr><th>{g.labels[el]}</th><td>{escape(g.values[el])}</td></tr>\n"
                    for el in present
                )
                inner = f'<table class="guide" width="100%">\n{rows}</table>'
            else:
                inner = "".join(
                    f"<h4>{n}、{g.labels[el]}</h4><p>{escape(g.values[el])}</p>\n"
                    for n, el in zip(_CN_NUMS, present, strict=False)
                )
            title = f"{g.name}{label}"
            body = f'<div class="article"><h1 class="title">{escape(title)}</h1>\n{inner}</div>'
            self.put(g.path, self.page(title, body, column=label, crumbs=crumbs))
            if g.missing:
                self.findings.append(
                    {
                        "code": "guide_incomplete",
                        "url": self.url(g.path),
                        "missing": list(g.missing),
                    }
                )

    def write_forms(self) -> None:
        rows = []
        for i, g in enumerate(self.guides[:4] or [None]):
            name = f"{g.name if g else self.spec.org}申请表"
            href = f"/attach/bgxz/form_{i + 1:02d}.{('doc', 'xls', 'pdf', 'doc')[i % 4]}"
            rows.append((name, href))
        page = self.item_path("forms")
        if self.defects.get("missing_attachment", ("",))[0] == "forms":
            href = "/attach/bgxz/form_99.doc"
            rows.append((f"{self.spec.org}信息变更登记表", href))
            self.break_link(href, page)
        for name, href in rows:
            if self.url(href) not in self.broken:
                self.put_bytes(href, _attachment(name))
        items = "".join(
            f'<tr><td>{escape(n)}</td><td><a href="{h}">下载</a></td></tr>\n' for n, h in rows
        )
        self.static_page(
            "forms",
            f"<h2>{self.labels['forms']}</h2><table>"
            f"<tr><th>表格名称</th><th>下载</th></tr>\n{items}</table>",
        )

    def write_online_accept(self) -> None:
        if self.defects.get("server_error", ("",))[0] == "online_accept":
            target = "/wsbs/apply.jsp"
            self.errors.append(target)
            self.findings.append({"code": "server_error", "url": self.url(target)})
            self.not_finding(
                "broken_link",
                self.url(target),
                "answers 500; reported once, as server_error, not as broken_link",
            )
        else:
            target = "/wsbs/apply.html"
            self.put(
                target,
                self.page(
                    "网上申报系统",
                    '<div class="apply"><h2>网上申报系统</h2><p>请选择办理事项后填写申请信息。</p>'
                    '<form action="/wsbs/submit.jsp" method="post"><select name="item">'
                    + "".join(f"<option>{escape(g.name)}</option>" for g in self.guides)
                    + '</select><input type="submit" value="下一步" /></form></div>',
                ),
            )
        self.static_page(
            "online_accept",
            f"<h2>{self.labels['online_accept']}</h2>"
            "<p>　　申请人可通过网上申报系统提交申请材料，工作人员将在1个工作日内进行预审。</p>"
            f'<p><a href="{target}" target="_blank">进入网上申报系统</a></p>',
        )

    def write_board(self) -> None:
        key, section = _STATIC_ITEMS["message_board"]
        label = self.labels["message_board"]
        crumbs = [(self.section_path(section), SECTIONS[section]), (self.board_pages[0], label)]
        header = "<tr><th>序号</th><th>留言标题</th><th>留言时间</th><th>回复时间</th></tr>"

        def row(n: int, m: _Message) -> str:
            reply = self.fmt(m.reply_day, listing=False) if m.reply_day else "未回复"
            return (
                f'<tr><td>{n}</td><td><a href="{m.path}" target="_blank">{escape(m.title)}</a></td>'
                f"<td>{self.fmt(m.day, listing=False)}</td><td>{reply}</td></tr>"
            )

        note = "<p>　　留言须知：本栏目受理政务咨询类留言，一般在5个工作日内予以答复。</p>"
        if self.spec.cms == "hanweb":
            records = [
                f'<table width="100%">{row(i + 1, m)}</table>' for i, m in enumerate(self.messages)
            ]
            inner = f'<table width="100%">{header}</table>' + self.hanweb_records(
                records, self.cid(key) + 7
            )
            body = f'<div class="board"><h2>{label}</h2>{note}{inner}</div>'
            self.put(self.board_pages[0], self.page(label, body, column=label, crumbs=crumbs))
        else:
            per = self.board_per_page
            for i, path in enumerate(self.board_pages):
                chunk = self.messages[i * per : (i + 1) * per]
                rows = "".join(row(i * per + j + 1, m) for j, m in enumerate(chunk))
                body = (
                    f'<div class="board"><h2>{label}</h2>{note}<table class="msg-list" '
                    f'width="100%">{header}{rows}</table>'
                    f"{self.pager(self.board_pages, i, len(self.messages))}</div>"
                )
                self.put(path, self.page(label, body, column=label, crumbs=crumbs))
        for m in self.messages:
            rows = [
                ("留言标题", escape(m.title)),
                ("留言人", m.asker),
                ("留言时间", self.fmt(m.day, listing=False)),
                ("留言内容", escape(m.question)),
            ]
            if m.reply_day:
                rows += [
                    ("回复单位", escape(self.spec.unit)),
                    ("回复时间", self.fmt(m.reply_day, listing=False)),
                    ("回复内容", escape(m.reply)),
                ]
            else:
                rows.append(("办理状态", "未回复"))
            table = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows)
            body = f'<div class="message"><table class="msg" width="100%">{table}</table></div>'
            self.put(m.path, self.page(m.title, body, column=label, crumbs=crumbs))

    def write_search(self) -> None:
        if "search" not in self.present:
            return
        hits = [c.articles[0] for c in self.columns if c.articles][:5]
        body = (
            '<div class="search-result"><h2>搜索结果</h2>'
            + self.list_entries(self.article_entries(hits))
            + "</div>"
        )
        # Reached only by submitting the search form: not counted among the site's pages.
        self.put(self.search_path, self.page("搜索结果", body), counted=False)

    # ---- ground truth

    def derive_findings(self) -> None:
        today = self.today
        findings = self.findings
        newest_home = max(self.home_dates)
        if (today - newest_home).days > HOMEPAGE_WINDOW_DAYS:
            findings.append({"code": "homepage_stale", "last_update": newest_home.isoformat()})
        for column in self.columns:
            url = self.url(column.pages[0])
            if not column.articles:
                findings.append({"code": "column_empty", "url": url})
                continue
            window = column.window
            newest = column.newest
            assert newest is not None
            if window is not None and (today - newest).days > window:
                findings.append(
                    {"code": "column_stale", "url": url, "last_update": newest.isoformat()}
                )
        for item in ITEMS:
            if item not in self.present:
                findings.append({"code": "missing_item", "item": item})
        if self.messages:
            overdue = [
                m
                for m in self.messages
                if m.reply_day is None
                and MESSAGE_UNANSWERED_DAYS < (today - m.day).days <= MESSAGE_LOOKBACK_DAYS
            ]
            if overdue:
                findings.append(
                    {
                        "code": "messages_overdue",
                        "url": self.url(self.board_pages[0]),
                        "count": len(overdue),
                    }
                )
        if self.footer_missing:
            findings.append(
                {
                    "code": "footer_incomplete",
                    "missing": [p for p in FOOTER_PARTS if p in self.footer_missing],
                }
            )
        for target, pages in self.broken.items():
            findings.append({"code": "broken_link", "url": target, "pages": sorted(pages)})
        self.add_hard_case_notes()
        order = list(_CODE_ORDER)
        findings.sort(key=lambda f: (order.index(f["code"]), _sort_key(f)))

    def add_hard_case_notes(self) -> None:
        home = self.url("/")
        if "party_gov_badge" not in self.footer_missing:
            self.not_finding(
                "broken_link",
                self.conac_url,
                "党政机关网站标识 link to the real conac.cn service, the only outside address "
                "in the demo sites; do not check it offline",
            )
        first_news = next(c for c in self.columns if c.spec.kind == "news")
        if "paged_column" in self.hard:
            self.not_finding(
                "column_stale",
                self.url(first_news.pages[0]),
                f"newest item ({first_news.newest}) is on the first page; older items continue "
                f"on {first_news.pages[1].rsplit('/', 1)[-1]} (createPageHTML pagination)",
            )
        if "pinned" in self.hard:
            notice = self.column("tzgg")
            self.not_finding(
                "column_stale",
                self.url(notice.pages[0]),
                f"first row is a [置顶] item from {notice.articles[0].day}; the newest item is "
                f"from {notice.newest}",
            )
        if "cn_dates" in self.hard:
            self.not_finding(
                "column_stale",
                self.url(first_news.pages[0]),
                f"fresh column (newest {first_news.newest}) whose dates are written "
                f"{first_news.newest:%Y年%m月%d日}",
            )
        if "label_interp" in self.hard:
            self.not_finding(
                "missing_item",
                self.url(self.item_path("policy_interpretation")),
                f"policy_interpretation is offered under the name "
                f"{self.labels['policy_interpretation']}",
            )
        if "label_mailbox" in self.hard:
            self.not_finding(
                "missing_item",
                self.url(self.item_path("mailbox")),
                f"mailbox is offered under the name {self.labels['mailbox']}",
            )
        if self.messages:
            board = self.url(self.board_pages[0])
            recent = [
                m
                for m in self.messages
                if m.reply_day is None and (self.today - m.day).days <= MESSAGE_UNANSWERED_DAYS
            ]
            ancient = [
                m
                for m in self.messages
                if m.reply_day is None and (self.today - m.day).days > MESSAGE_LOOKBACK_DAYS
            ]
            if recent:
                self.not_finding(
                    "messages_overdue",
                    board,
                    f"{len(recent)} unanswered message(s) posted within the last 3 months "
                    f"({', '.join(str(m.day) for m in recent)}) are not overdue",
                )
            if ancient:
                self.not_finding(
                    "messages_overdue",
                    board,
                    f"{len(ancient)} unanswered message(s) from "
                    f"{', '.join(str(m.day) for m in ancient)} fall outside the 1-year look-back "
                    "and are not counted",
                )
        if "meta_trap" in self.hard:
            self.not_finding(
                "footer_incomplete",
                home,
                "<meta> says gb2312 but the bytes are UTF-8 and the HTTP header names no "
                "charset; decoded as UTF-8 the footer is complete",
            )
        self.not_findings.sort(key=lambda n: (_CODE_ORDER.index(n["code"]), n["url"]))

    def info(self, docroot: Path) -> SiteInfo:
        columns = tuple(
            ColumnInfo(
                name=c.spec.name,
                kind=c.spec.kind,
                url=self.url(c.pages[0]),
                window_days=c.window,
                newest=c.newest,
                items=len(c.articles),
                pages=tuple(self.url(p) for p in c.pages),
            )
            for c in self.columns
        )
        return SiteInfo(
            key=self.spec.key,
            name=self.spec.name,
            english=self.spec.english,
            url=self.url("/"),
            port=self.port,
            unit=self.spec.unit,
            category=self.spec.category,
            cms=self.spec.cms,
            charset=self.spec.charset,
            docroot=docroot,
            pages=len(self.pages),
            reachable=True,
            columns=columns,
            findings=tuple(self.findings),
            not_findings=tuple(self.not_findings),
            page_urls=tuple(self.url(p) for p in self.pages),
            guide_urls=tuple(self.url(g.path) for g in self.guides),
        )

    def server_config(self, docroot: str) -> dict[str, Any]:
        return {
            "key": self.spec.key,
            "name": self.spec.name,
            "english": self.spec.english,
            "port": self.port,
            "docroot": docroot,
            "charset": self.header_charset,
            "errors": sorted(self.errors),
            "slow": sorted(self.slow),
            "unreachable": False,
        }


_CN_NUMS = ("一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一")
_CODE_ORDER = (
    "site_unreachable",
    "homepage_stale",
    "column_stale",
    "column_empty",
    "missing_item",
    "guide_incomplete",
    "messages_overdue",
    "footer_incomplete",
    "forbidden_expression",
    "server_error",
    "slow_page",
    "broken_link",
)


def _sort_key(finding: dict[str, Any]) -> tuple[int, str]:
    if finding["code"] == "missing_item":
        return ITEMS.index(finding["item"]), ""
    return 0, str(finding.get("url", ""))


def _attachment(title: str) -> bytes:
    return ("示范市政府网站演示附件\r\n" + title + "\r\n").encode("utf-8")


def _unreachable(
    spec: SiteSpec, port: int, docroot: Path
) -> tuple[SiteInfo, dict[str, Any], dict[str, bytes]]:
    codec = CHARSETS[spec.charset][0]
    html = (
        f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>{spec.name}</title></head>'
        f"<body><h1>{spec.name}</h1><p>网站维护中。</p></body></html>\n"
    )
    info = SiteInfo(
        key=spec.key,
        name=spec.name,
        english=spec.english,
        url=f"http://{HOST}:{port}/",
        port=port,
        unit=spec.unit,
        category=spec.category,
        cms=spec.cms,
        charset=spec.charset,
        docroot=docroot,
        pages=0,
        reachable=False,
        columns=(),
        findings=({"code": "site_unreachable"},),
        not_findings=(),
        page_urls=(),
    )
    config = {
        "key": spec.key,
        "name": spec.name,
        "english": spec.english,
        "port": port,
        "docroot": spec.key,
        "charset": "utf-8",
        "errors": [],
        "slow": [],
        "unreachable": True,
    }
    return info, config, {"index.html": html.encode(codec)}


# --------------------------------------------------------------------------- entry point


def _prepare(out_dir: Path) -> None:
    if out_dir.exists():
        entries = list(out_dir.iterdir())
        if entries and not (out_dir / CONFIG_NAME).exists():
            raise FileExistsError(
                f"{out_dir} is not empty and holds no {CONFIG_NAME}; refusing to overwrite it"
            )
        for entry in entries:
            if entry.is_dir():
                shutil.rmtree(entry)
            else:
                entry.unlink()
    out_dir.mkdir(parents=True, exist_ok=True)
    # The marker goes first, so that a run that fails half-way can be redone in place.
    (out_dir / CONFIG_NAME).write_text('{"generated_by": "govsite.demosites"}\n', "utf-8")


def generate(
    out_dir: Path,
    today: date,
    seed: int = 1,
    scale: int = 1,
    *,
    base_port: int = DEFAULT_BASE_PORT,
    dead_port: int | None = None,
) -> Manifest:
    """Write the demo sites under ``out_dir`` and return what was written.

    Site *i* (0-based, in :data:`~govsite.demosites.sites.SITE_SPECS` order) is meant to be
    served on ``base_port + i``; ``dead_port`` (default ``base_port + 99``) must stay closed.
    Output is byte-for-byte deterministic for a given (today, seed, scale, base_port).
    """
    if scale < 1:
        raise ValueError("scale must be >= 1")
    out_dir = Path(out_dir)
    dead = dead_port if dead_port is not None else base_port + DEAD_PORT_OFFSET
    ports = {spec.key: base_port + i for i, spec in enumerate(SITE_SPECS)}
    if dead in ports.values():
        raise ValueError("dead_port collides with a site port")
    ctx = _Ctx(
        today=today,
        seed=seed,
        scale=scale,
        base_port=base_port,
        dead_port=dead,
        ports=ports,
        names={s.key: s.name for s in SITE_SPECS},
    )
    _prepare(out_dir)
    infos: list[SiteInfo] = []
    configs: list[dict[str, Any]] = []
    for index, spec in enumerate(SITE_SPECS):
        docroot = out_dir / spec.key
        if spec.unreachable:
            info, config, files = _unreachable(spec, ports[spec.key], docroot)
        else:
            site = _Site(spec, index, ctx)
            site.build()
            info, config, files = site.info(docroot), site.server_config(spec.key), site.files
        for rel, data in files.items():
            target = docroot / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        infos.append(info)
        configs.append(config)
    manifest = Manifest(out_dir, today, seed, scale, base_port, dead, tuple(infos))
    manifest.ground_truth_path.write_text(
        json.dumps(manifest.ground_truth(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["name", "url", "unit", "category"])
    for info in infos:
        writer.writerow([info.name, info.url, info.unit, info.category])
    manifest.sites_csv_path.write_text(buf.getvalue(), encoding="utf-8")
    config = {
        "generated_by": "govsite.demosites",
        "host": HOST,
        "today": today.isoformat(),
        "seed": seed,
        "scale": scale,
        "base_port": base_port,
        "dead_port": dead,
        "slow_seconds": SLOW_SECONDS,
        "sites": configs,
    }
    manifest.config_path.write_text(
        json.dumps(config, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return manifest
