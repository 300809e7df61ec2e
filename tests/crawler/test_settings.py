"""CrawlSettings: polite defaults, validated, every field documented."""

from __future__ import annotations

import dataclasses
import inspect

import pytest

from govsite.crawler import USER_AGENT, CrawlSettings
from govsite.crawler import settings as settings_module


def test_defaults_are_polite_and_follow_the_national_probe_rule():
    s = CrawlSettings()
    assert s.home_timeout == 15.0
    assert s.max_body_bytes == 10 * 1024 * 1024
    assert s.per_host_concurrency <= 2 and s.per_host_delay >= 0.5
    assert s.obey_robots and s.user_agent == USER_AGENT


def test_unthrottled_lifts_politeness_only():
    s = CrawlSettings().unthrottled(32)
    assert s.per_host_delay == 0 and s.per_host_concurrency == 32
    assert s.max_body_bytes == CrawlSettings().max_body_bytes


def test_bad_values_fail_loudly():
    with pytest.raises(ValueError, match="max_pages"):
        CrawlSettings(max_pages=0)
    with pytest.raises(ValueError, match="per_host_delay"):
        CrawlSettings(per_host_delay=-1)


def test_every_setting_has_a_comment():
    source = inspect.getsource(settings_module.CrawlSettings)
    lines = source.splitlines()
    for field in dataclasses.fields(CrawlSettings):
        at = next(i for i, line in enumerate(lines) if line.strip().startswith(f"{field.name}:"))
        above = lines[at - 1].strip()
        assert above.startswith("#") or "#" in lines[at], f"{field.name} needs a comment"
