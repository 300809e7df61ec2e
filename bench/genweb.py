"""Generate the local test web for bench/crawl.py (files on disk, for a static server).

Adapted from the peers' reference generator (shared/reference/crawl-bench/gen_web.py) so the
numbers stay comparable with crawl-peers.md, parameterised for ports and size:

* ``sites`` sites x ``pages`` HTML pages; site *n* (1-based) is served from ``siteNN/`` at
  ``http://127.0.0.1:(base_port + n)/``, each on its own port so per-host throttles of the tools
  never merge two sites (they still share the host name 127.0.0.1: see README).
* per site: a home page (``/`` and ``/index.html``), ``columns`` column pages (lists of
  article titles with dates, newest first), the rest articles (Chinese text, a publication date
  in one of four styles: meta PubDate + 发布时间, 发布日期：YYYY年MM月DD日, <time datetime>,
  bare date), 15 related-article links each, one link to an article of another local site
  (alive), and on ~30 % of articles one link to a closed loopback port (dead external link).
  Every page references /static/style.css, /static/app.js and /static/logo.png.
* ~3 % of content links point to pages that do not exist (internal 404s).
* ``robots.txt`` (allow all) and ``sitemap.xml`` per site.

Ground truth in ``manifest.json``: ``broken`` is every unique broken URL (absolute, as linked),
``html_pages`` the distinct page URLs that answer 200 (``/`` counted besides ``/index.html``,
as the reference does). Also written: ``all_urls.txt`` (every page URL, what lychee is given),
``check_urls.txt`` (every distinct URL a complete check touches: the raw-aiohttp limit),
``sites.csv`` (``name,url,unit,category`` for ``govsite evaluate``) and ``roots.txt``.

Deterministic for (sites, pages, base_port, dead_ports, seed). Only loopback URLs.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import random
import shutil
from pathlib import Path

COLS = ["要闻动态", "通知公告", "政策文件", "政策解读", "政务公开", "办事服务", "互动交流", "人事信息",
        "财政资金", "统计数据", "规划计划", "应急管理"]  # fmt: skip
HAN = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种"
    "面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本"
    "去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比"
    "或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总"
    "次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做"
    "必战先回则任取据处理府研"
)
UNITS = [("人民政府", "county_portal"), ("发展和改革委员会", "city_department"),
         ("教育局", "city_department"), ("住房公积金管理中心", "directly_affiliated"),
         ("街道办事处", "township"), ("卫生健康委员会", "city_department"),
         ("机关事务管理局", "directly_affiliated"), ("统计局", "city_department")]  # fmt: skip
VERSION = 1  # bump when the output changes, so cached webs are regenerated


def generate(
    out: Path,
    sites: int = 20,
    pages: int = 1000,
    *,
    base_port: int = 28100,
    dead_ports: tuple[int, ...] = (1, 9, 19),
    columns: int = 10,
    broken_rate: float = 0.03,
    dead_ext_rate: float = 0.30,
    seed: int = 20240601,
) -> dict:
    """Write the web under ``out`` (replaced if it exists) and return the manifest."""
    params = {"version": VERSION, "sites": sites, "pages": pages, "base_port": base_port,
              "dead_ports": list(dead_ports), "columns": columns, "broken_rate": broken_rate,
              "dead_ext_rate": dead_ext_rate, "seed": seed}  # fmt: skip
    if pages < columns + 2:
        raise ValueError(f"pages per site must be >= {columns + 2}")
    rnd = random.Random(seed)
    out = Path(out)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    n_art = pages - 1 - columns
    cols = COLS[:columns]
    # a pool of sentences keeps generation fast (20,000 pages in seconds) and text varied
    sentences = ["".join(rnd.choices(HAN, k=rnd.randint(18, 40))) for _ in range(3000)]

    def han(n: int) -> str:
        return "".join(rnd.choices(HAN, k=n))

    def paragraph() -> str:
        return "。".join(rnd.choices(sentences, k=rnd.randint(4, 8))) + "。"

    start = dt.date(2019, 1, 1)
    broken_all: list[str] = []
    dead_all: set[str] = set()
    all_pages: list[str] = []
    static_urls: list[str] = []
    per_site = []
    totals = {"html_bytes": 0, "link_occurrences": 0}
    for s in range(1, sites + 1):
        port = base_port + s
        origin = f"http://127.0.0.1:{port}"
        root = out / f"site{s:02d}"
        for d in ("col", "art", "static"):
            (root / d).mkdir(parents=True)
        (root / "static" / "style.css").write_text("body{font-family:sans-serif;margin:0}" * 40)
        (root / "static" / "app.js").write_text("(function(){var a=1;})();\n" * 80)
        (root / "static" / "logo.png").write_bytes(
            b"\x89PNG\r\n\x1a\n" + bytes(rnd.getrandbits(8) for _ in range(2048))
        )
        (root / "robots.txt").write_text("User-agent: *\nDisallow:\n")
        static_urls += [f"{origin}/static/{n}" for n in ("style.css", "app.js", "logo.png")]
        unit, _ = UNITS[(s - 1) % len(UNITS)]
        site_name = f"示例市{unit}{s:02d}"
        arts = [{"id": i, "col": i % columns,
                 "date": start + dt.timedelta(days=rnd.randint(0, 365 * 6)),
                 "style": ("meta+text", "text-cn", "time-tag", "text-only")[i % 4]}
                for i in range(n_art)]  # fmt: skip
        broken: list[str] = []
        written: list[str] = []

        def internal(target: str, _s=s, _broken=broken) -> str:
            totals["link_occurrences"] += 1
            if rnd.random() < broken_rate:
                u = f"/art/gone-{_s:02d}-{len(_broken) + 1:05d}.html"
                _broken.append(u)
                return u
            return target

        def head(title: str, extra_meta: str = "", _name=site_name) -> str:
            nav = ['<a href="/index.html">首页</a>'] + [
                f'<a href="/col/c{c:02d}.html">{cols[c]}</a>' for c in range(columns)
            ]
            totals["link_occurrences"] += len(nav) + 3
            return (
                '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
                f"<title>{title} - {_name}</title>"
                f'<meta name="SiteName" content="{_name}">{extra_meta}'
                '<link rel="stylesheet" href="/static/style.css">'
                '<script src="/static/app.js"></script></head><body>'
                f'<header><img src="/static/logo.png" alt="logo"><h1>{_name}</h1></header>'
                '<nav class="main-nav">' + " | ".join(nav) + "</nav>"
            )

        def footer(_name=site_name) -> str:
            totals["link_occurrences"] += 2
            return (
                '<footer><a href="/index.html">网站地图</a> <a href="#top">返回顶部</a> '
                '<a href="javascript:void(0)">打印</a> <a href="/col/c00.html">联系我们</a>'
                f"<p>主办：{_name}办公室  网站标识码：0000000000  备案号：示ICP备000000号</p>"
                "</footer></body></html>\n"
            )

        def write(rel: str, html: str, _root=root, _written=written) -> None:
            data = html.encode("utf-8")
            (_root / rel).write_bytes(data)
            _written.append("/" + rel)
            totals["html_bytes"] += len(data)

        for a in arts:
            d = a["date"]
            ds = d.isoformat()
            meta = ""
            if a["style"] == "meta+text":
                meta = f'<meta name="PubDate" content="{ds} 09:30">'
                date_html = f'<div class="info">发布时间：{ds}  来源：办公室</div>'
            elif a["style"] == "text-cn":
                date_html = f'<div class="info">发布日期：{d.year}年{d.month:02d}月{d.day:02d}日  来源：本网</div>'
            elif a["style"] == "time-tag":
                date_html = f'<div class="info">发布时间：<time datetime="{ds}">{ds}</time></div>'
            else:
                date_html = f'<div class="info">{ds}  浏览次数：{rnd.randint(10, 9999)}</div>'
            body = [head(han(14), meta), f"<main><h2>{han(rnd.randint(12, 24))}</h2>", date_html]
            body += [f"<p>{paragraph()}</p>" for _ in range(rnd.randint(5, 9))]
            body.append('<div class="related"><h3>相关文章</h3><ul>')
            for _ in range(15):
                u = internal(f"/art/a{rnd.randrange(n_art):05d}.html")
                body.append(f'<li><a href="{u}">{han(16)}</a></li>')
            body.append("</ul></div>")
            if sites > 1:
                other = rnd.choice([x for x in range(1, sites + 1) if x != s])
                body.append(
                    f'<p>相关链接：<a href="http://127.0.0.1:{base_port + other}/art/'
                    f'a{rnd.randrange(n_art):05d}.html">兄弟单位</a></p>'
                )
            if dead_ports and rnd.random() < dead_ext_rate:
                k = rnd.randrange(10)
                u = f"http://127.0.0.1:{dead_ports[k % len(dead_ports)]}/ext/s{s:02d}-{k}.html"
                body.append(f'<p>外部链接：<a href="{u}">已失效的外部站点</a></p>')
                dead_all.add(u)
            body.append(
                f'<p><a href="/col/c{a["col"]:02d}.html">返回{cols[a["col"]]}</a></p></main>'
            )
            body.append(footer())
            write(f"art/a{a['id']:05d}.html", "".join(body))
        by_col = {c: sorted((a for a in arts if a["col"] == c), key=lambda a: a["date"],
                            reverse=True) for c in range(columns)}  # fmt: skip
        for c in range(columns):
            body = [head(cols[c]), f'<main><h2>{cols[c]}</h2><ul class="list">']
            for a in by_col[c]:
                u = internal(f"/art/a{a['id']:05d}.html")
                body.append(
                    f'<li><a href="{u}">{han(20)}</a><span class="date">{a["date"].isoformat()}</span></li>'
                )
            body.append("</ul></main>")
            body.append(footer())
            write(f"col/c{c:02d}.html", "".join(body))
        body = [head("首页"), "<main>"]
        for c in range(columns):
            body.append(f'<section><h3><a href="/col/c{c:02d}.html">{cols[c]}</a></h3><ul>')
            for a in by_col[c][:5]:
                u = internal(f"/art/a{a['id']:05d}.html")
                body.append(
                    f'<li><a href="{u}">{han(20)}</a><span>{a["date"].isoformat()}</span></li>'
                )
            body.append("</ul></section>")
        body.append("</main>")
        body.append(footer())
        write("index.html", "".join(body))
        site_pages = ["/", *written]
        with open(root / "sitemap.xml", "w") as fh:
            fh.write('<?xml version="1.0" encoding="UTF-8"?>\n'
                     '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n')  # fmt: skip
            for p in written:
                fh.write(f"<url><loc>{origin}{p}</loc></url>\n")
            fh.write("</urlset>\n")
        all_pages += [origin + p for p in site_pages]
        uniq = sorted(set(broken))
        broken_all += [origin + u for u in uniq]
        per_site.append({"name": site_name, "port": port, "root": str(root), "url": origin + "/",
                         "html_pages": len(site_pages), "broken_internal": len(uniq)})  # fmt: skip
    manifest = {
        "params": params,
        "sites": per_site,
        "html_pages": len(all_pages),
        "html_bytes": totals["html_bytes"],
        "link_occurrences": totals["link_occurrences"],
        "broken_internal": len(broken_all),
        "dead_external": len(dead_all),
        "broken": sorted(broken_all) + sorted(dead_all),
    }
    (out / "all_urls.txt").write_text("".join(u + "\n" for u in all_pages))
    check = all_pages + static_urls + manifest["broken"]
    (out / "check_urls.txt").write_text("".join(u + "\n" for u in check))
    (out / "roots.txt").write_text("".join(s["url"] + "\n" for s in per_site))
    with open(out / "sites.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["name", "url", "unit", "category"])
        for i, s in enumerate(per_site):
            w.writerow([s["name"], s["url"], s["name"], UNITS[i % len(UNITS)][1]])
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1))
    return manifest


def ensure(out: Path, **kw) -> dict:
    """Reuse ``out`` if it holds a web generated with the same parameters."""
    mf = Path(out) / "manifest.json"
    if mf.exists():
        try:
            m = json.loads(mf.read_text())
            want = {"version": VERSION, **kw}
            if all(m["params"].get(k) == (list(v) if isinstance(v, tuple) else v)
                   for k, v in want.items()):  # fmt: skip
                return m
        except (ValueError, KeyError):
            pass
    return generate(Path(out), **kw)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "webs", "manual"))
    ap.add_argument("--sites", type=int, default=20)
    ap.add_argument("--pages", type=int, default=1000)
    ap.add_argument("--base-port", type=int, default=28100)
    a = ap.parse_args()
    m = generate(Path(a.out), a.sites, a.pages, base_port=a.base_port)
    print(json.dumps({k: v for k, v in m.items() if k not in ("broken", "sites")}))


if __name__ == "__main__":
    main()
