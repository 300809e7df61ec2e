"""A real browser for the end-to-end tests: Playwright driving Debian's chromium package
(never a downloaded browser). Without /usr/bin/chromium the tests skip, except under CI,
where a missing browser is a failure. Screenshots go to GOVSITE_SCREENSHOTS (default:
the test's tmp dir)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test's thread; Django would otherwise
# refuse every ORM call made while it runs.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("GOVSITE_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip


@pytest.fixture
def browser():
    """Per test, and so started after the test's data fixtures: Playwright's loop must not
    be running in this thread while a fixture crawls the demo sites with asyncio."""
    if not Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is None:
        if os.environ.get("CI"):
            pytest.fail(f"CI 需要 Debian 的 chromium：{CHROMIUM} 不存在")
        pytest.skip(f"没有 chromium（{CHROMIUM}）")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def screenshots(tmp_path):
    folder = Path(os.environ.get("GOVSITE_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def login(browser):
    """login(base_url, username) -> a page of a fresh browser context, logged in."""
    return lambda base_url, username: _login(browser, base_url, username)


def _login(browser, base_url: str, username: str, password: str = "pw-Secret-123"):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900},
                                  accept_downloads=True)  # fmt: skip
    page = context.new_page()
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit], input[type=submit]")
    page.wait_for_load_state()
    return page
