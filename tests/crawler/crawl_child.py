"""One crawl in a child process: test_resume.py SIGKILLs it mid-way and starts it again.

usage: python crawl_child.py START_URL JOB_DIR
"""

from __future__ import annotations

import asyncio
import sys

from govsite.crawler import CrawlSettings, crawl_site

SETTINGS = CrawlSettings(
    per_host_delay=0.004,  # ~250 req/s: slow enough to be killed mid-way
    per_host_concurrency=2,
    site_workers=4,
    commit_every=5,
    commit_interval=0.05,
    connect_timeout=2.0,
    read_timeout=2.0,
    total_timeout=4.0,
    home_timeout=4.0,
    retry_backoff_base=0.01,
)

if __name__ == "__main__":
    asyncio.run(crawl_site(sys.argv[1], SETTINGS, sys.argv[2]))
