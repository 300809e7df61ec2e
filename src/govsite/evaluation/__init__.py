"""``govsite evaluate``: crawl sites, run every check, write RESULT.json (Django-free)."""
