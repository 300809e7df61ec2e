"""Failure reasons, transient vs permanent, and retry delays."""

from __future__ import annotations

import errno
import ssl
from email.utils import formatdate

import aiohttp
import pytest
from aiohttp.client_reqrep import ConnectionKey

from govsite.crawler import CrawlSettings
from govsite.crawler.retry import (
    backoff,
    classify_exception,
    is_transient,
    parse_retry_after,
    retry_delay,
)

KEY = ConnectionKey("x.gov.cn", 443, True, True, None, None, None)
S = CrawlSettings()


@pytest.mark.parametrize(
    ("exc", "reason"),
    [
        (TimeoutError(), "timeout"),
        (aiohttp.ConnectionTimeoutError(), "timeout"),
        (aiohttp.SocketTimeoutError(), "timeout"),
        (aiohttp.ClientConnectorDNSError(KEY, OSError(-2, "Name or service not known")), "dns"),
        (
            aiohttp.ClientConnectorError(KEY, ConnectionRefusedError(errno.ECONNREFUSED, "x")),
            "connect",
        ),  # fmt: skip
        (aiohttp.ClientConnectorError(KEY, OSError(errno.ECONNRESET, "x")), "reset"),
        (aiohttp.ClientConnectorSSLError(KEY, ssl.SSLError("bad handshake")), "tls"),
        (aiohttp.ClientConnectorCertificateError(KEY, ssl.CertificateError("expired")), "tls"),
        (aiohttp.ServerDisconnectedError(), "reset"),
        (aiohttp.ClientPayloadError("incomplete"), "reset"),
        (ConnectionResetError(errno.ECONNRESET, "reset"), "reset"),
        (aiohttp.InvalidURL("http://"), "invalid_url"),
        (KeyError("bug"), "error_KeyError"),
    ],
)
def test_exceptions_map_to_reason_strings(exc, reason):
    assert classify_exception(exc) == reason


@pytest.mark.parametrize(
    ("reason", "status", "transient"),
    [
        ("timeout", None, True),
        ("reset", None, True),
        ("http_429", 429, True),
        ("http_503", 503, True),
        ("http_504", 504, True),
        ("http_404", 404, False),
        ("http_410", 410, False),
        ("http_500", 500, False),
        ("dns", None, False),
        ("tls", None, False),
        ("connect", None, False),
        ("redirect_loop", 302, False),
        ("reset", 200, True),  # body cut off after the headers came
        (None, 200, False),
    ],
)
def test_only_transient_failures_are_retried(reason, status, transient):
    assert is_transient(reason, status, S) is transient


def test_retry_after_accepts_seconds_and_http_dates():
    assert parse_retry_after("120") == 120
    assert parse_retry_after(formatdate(1_000_060, usegmt=True), now=1_000_000) == 60
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None


def test_retry_delay_honours_retry_after_up_to_the_cap():
    assert retry_delay(1, 429, "3", S) == 3
    assert retry_delay(1, 503, "3600", S) is None  # longer than retry_after_max: give up
    assert 0 < retry_delay(1, 502, None, S) < 1


def test_backoff_grows_exponentially_and_is_capped():
    s = CrawlSettings(retry_backoff_base=1.0, retry_backoff_max=5.0)
    assert 0.75 <= backoff(1, s) <= 1.25
    assert 3.0 <= backoff(3, s) <= 5.0
    assert backoff(10, s) <= 5.0 * 1.25
