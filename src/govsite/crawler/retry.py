"""Failure reasons, which of them are transient, and how long to wait before retrying.

Every failed fetch carries one short reason string (the stats key suffix too):

=====================  =========  ==========================================================
reason                 retried?   meaning
=====================  =========  ==========================================================
``timeout``            yes        connect, read gap or total deadline exceeded
``reset``              yes        connection reset / server closed it before or during reply
``http_429``           yes        rate limited (``Retry-After`` honoured up to a cap)
``http_502/503/504``   yes        gateway or overload errors
``connect``            no         connection refused / host unreachable
``dns``                no         name does not resolve
``tls``                no         certificate or handshake failure
``http_4xx/5xx``       no         any other error status (``http_404``, ``http_410``, ...)
``too_many_redirects`` no         more hops than ``max_redirects``
``redirect_loop``      no         a redirect chain came back to a URL it had visited
``bad_redirect``       no         Location missing a usable http(s) URL
``too_large``          no         body over ``max_body_bytes`` with ``truncate_large=False``
``decompression_bomb`` no         compressed body inflating past the cap at a huge ratio
``bad_response``       no         malformed status line / headers / chunking
``invalid_url``        no         URL aiohttp cannot send
``robots``             no         disallowed by robots.txt (never sent)
=====================  =========  ==========================================================
"""

from __future__ import annotations

import asyncio
import errno
import random
import ssl
import time
from email.utils import parsedate_to_datetime

import aiohttp

from .settings import CrawlSettings

TRANSIENT_EXCEPTION_REASONS = frozenset({"timeout", "reset"})

_RESET_ERRNOS = frozenset(
    {errno.ECONNRESET, errno.EPIPE, errno.ECONNABORTED, errno.ETIMEDOUT, errno.ESHUTDOWN}
)
_CONNECT_ERRNOS = frozenset(
    {errno.ECONNREFUSED, errno.EHOSTUNREACH, errno.ENETUNREACH, errno.EADDRNOTAVAIL}
)


def classify_exception(exc: BaseException) -> str:
    """The reason string for an exception raised while fetching."""
    if isinstance(exc, aiohttp.ClientConnectorDNSError):
        return "dns"
    if isinstance(exc, aiohttp.ClientConnectorCertificateError | aiohttp.ClientSSLError):
        return "tls"
    if isinstance(exc, asyncio.TimeoutError | TimeoutError):  # incl. aiohttp ServerTimeoutError
        return "timeout"
    if isinstance(exc, aiohttp.ClientConnectorError):
        os_error = exc.os_error
        if isinstance(os_error, ssl.SSLError):
            return "tls"
        if isinstance(os_error, asyncio.TimeoutError | TimeoutError):
            return "timeout"
        if getattr(os_error, "errno", None) in _RESET_ERRNOS:
            return "reset"
        return "connect"
    if isinstance(exc, aiohttp.ServerDisconnectedError | aiohttp.ClientPayloadError):
        return "reset"
    if isinstance(exc, ConnectionResetError | BrokenPipeError):
        return "reset"
    if isinstance(exc, ssl.SSLError):
        return "tls"
    if isinstance(exc, aiohttp.InvalidURL | ValueError):
        return "invalid_url"
    if isinstance(exc, aiohttp.ClientResponseError):  # parser errors surface as these
        return "bad_response"
    if isinstance(exc, aiohttp.ClientOSError | OSError):
        code = getattr(exc, "errno", None)
        if code in _RESET_ERRNOS:
            return "reset"
        if code in _CONNECT_ERRNOS:
            return "connect"
        return "reset"
    if isinstance(exc, aiohttp.ClientError):
        return "bad_response"
    return f"error_{type(exc).__name__}"


def status_reason(status: int) -> str | None:
    return f"http_{status}" if status >= 400 else None


def is_transient(reason: str | None, status: int | None, settings: CrawlSettings) -> bool:
    if reason is None:
        return False
    if reason.startswith("http_"):
        return status in settings.retry_http_codes
    return reason in TRANSIENT_EXCEPTION_REASONS


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delta-seconds or HTTP-date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    now = time.time() if now is None else now
    return max(0.0, when.timestamp() - now)


def backoff(attempt: int, settings: CrawlSettings) -> float:
    """Delay before retry number ``attempt`` (1-based): exponential, jittered, capped."""
    delay = settings.retry_backoff_base * (2 ** (attempt - 1))
    delay = min(delay, settings.retry_backoff_max)
    return delay * random.uniform(0.75, 1.25)


def retry_delay(
    attempt: int, status: int | None, retry_after: str | None, settings: CrawlSettings
) -> float | None:
    """How long to wait before retry ``attempt``; None means "do not retry" (Retry-After over
    the cap: waiting less than the server asked would be impolite, waiting more is too slow).
    """
    if status in (429, 503):
        asked = parse_retry_after(retry_after)
        if asked is not None:
            if asked > settings.retry_after_max:
                return None
            return max(asked, 0.0)
    return backoff(attempt, settings)
