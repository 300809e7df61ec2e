"""The raw limit: aiohttp GET of every URL a complete check touches, no parsing, no storage.

usage: raw_get.py URLS_FILE OUT.json [CONC=64]
Every URL once (pages, assets, the broken targets), CONC in flight, keep-alive, bodies read
in full. Records status >= 400 and connection errors (it is handed the broken URLs, so its
"broken found" only proves the requests went out). From the reference raw_aiohttp.py.
"""

import asyncio
import json
import sys
import time

import aiohttp

URLS = [u.strip() for u in open(sys.argv[1]) if u.strip()]
OUT = sys.argv[2]
CONC = int(sys.argv[3]) if len(sys.argv) > 3 else 64


async def main():
    it = iter(URLS)
    stats = {"n": 0, "bytes": 0}
    broken = {}
    conn = aiohttp.TCPConnector(limit=CONC, limit_per_host=0)
    timeout = aiohttp.ClientTimeout(total=20, connect=5)
    async with aiohttp.ClientSession(connector=conn, timeout=timeout) as s:

        async def worker():
            for u in it:
                try:
                    async with s.get(u) as r:
                        b = await r.read()
                        if r.status >= 400:
                            broken[u] = r.status
                    stats["n"] += 1
                    stats["bytes"] += len(b)
                except Exception as e:
                    broken[u] = type(e).__name__

        t = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(CONC)))
        el = time.perf_counter() - t
    with open(OUT, "w") as f:
        json.dump({"elapsed_s": round(el, 3), **stats, "broken": broken}, f)
    print(
        f"raw: {stats['n']} GETs in {el:.2f}s = {stats['n'] / el:.0f} req/s, broken={len(broken)}"
    )


asyncio.run(main())
