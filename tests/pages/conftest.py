"""Fixtures for govsite.pages tests (no Django needed)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from pages_corpus import TODAY, page_bytes, page_url  # noqa: E402


@pytest.fixture(scope="session")
def analysed():
    """``analysed(name)`` -> analyse_page output for a saved page, computed once per session."""
    from govsite.pages import analyse_page

    cache: dict[str, dict] = {}

    def get(name: str) -> dict:
        if name not in cache:
            cache[name] = analyse_page(page_bytes(name), page_url(name), today=TODAY)
        return cache[name]

    return get
