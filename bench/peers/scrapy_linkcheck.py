"""Minimal Scrapy broken-link crawler (peer for bench/crawl.py; from the reference
shared/reference/crawl-bench/scrapy_linkcheck.py, unchanged in behaviour).

usage: scrapy_linkcheck.py OUT.json CONC START_URL [START_URL ...]
  CONC = 0 -> Scrapy defaults (CONCURRENT_REQUESTS=16, CONCURRENT_REQUESTS_PER_DOMAIN=8)
  CONC = N -> CONCURRENT_REQUESTS=N and CONCURRENT_REQUESTS_PER_DOMAIN=N
Crawls every page on the start URLs' host:port, checks every link/asset once (GET; off-site
links are checked but not followed), records status >= 400 and connection errors. Retries off,
robots.txt off, no delay, cookies off, telnet and remote control off.
Scrapy keys download slots by host name, so 127.0.0.1:PORT sites share one slot.
"""

import json
import sys
import time
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy.crawler import CrawlerProcess

OUT, CONC, STARTS = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
SITES = {urlsplit(u).netloc for u in STARTS}
STATS = {"pages": 0, "checked": 0, "broken": {}, "t0": time.time()}


class LinkSpider(scrapy.Spider):
    name = "linkcheck"
    custom_settings = {"HTTPERROR_ALLOW_ALL": True}

    async def start(self):  # Scrapy >= 2.13 entry point
        for u in STARTS:
            yield scrapy.Request(u, callback=self.parse, errback=self.err)

    def parse(self, response):
        STATS["checked"] += 1
        if response.status >= 400:
            STATS["broken"][response.url] = response.status
            return
        if urlsplit(response.url).netloc not in SITES:
            return
        ctype = response.headers.get(b"Content-Type", b"").decode("latin1")
        if "html" not in ctype:
            return
        STATS["pages"] += 1
        for href in response.xpath("//a/@href|//link/@href|//script/@src|//img/@src").getall():
            u = urljoin(response.url, href.strip()).split("#", 1)[0]
            if not u.startswith(("http://", "https://")):
                continue
            yield scrapy.Request(u, callback=self.parse, errback=self.err)

    def err(self, failure):
        STATS["checked"] += 1
        STATS["broken"][failure.request.url] = repr(failure.value)[:80]


settings = {
    "LOG_LEVEL": "WARNING",
    "ROBOTSTXT_OBEY": False,
    "RETRY_ENABLED": False,
    "TELNETCONSOLE_ENABLED": False,
    "DOWNLOAD_TIMEOUT": 20,
    "COOKIES_ENABLED": False,
    "REMOTE_CONTROL_ENABLED": False,
}
if CONC > 0:
    settings.update({"CONCURRENT_REQUESTS": CONC, "CONCURRENT_REQUESTS_PER_DOMAIN": CONC})
proc = CrawlerProcess(settings)
proc.crawl(LinkSpider)
proc.start()
el = time.time() - STATS["t0"]
with open(OUT, "w") as f:
    json.dump(
        {
            "pages": STATS["pages"],
            "checked": STATS["checked"],
            "elapsed_s": round(el, 3),
            "broken_unique": len(STATS["broken"]),
            "broken": STATS["broken"],
        },
        f,
        indent=0,
    )
print(
    f"scrapy pages={STATS['pages']} checked={STATS['checked']} broken={len(STATS['broken'])} elapsed={el:.2f}s"
)
