"""no_https and tls_invalid (W3 security and maintenance): is the site reachable over HTTPS
with a certificate a browser accepts? Standard library only, no Django.

``check_tls(url, today)`` returns findings in the checks' contract:

* ``{"code": "tls_invalid", "url", "reason", "expires", "evidence"}`` for an https URL whose
  certificate is ``expired``, ``not_yet_valid``, for the ``wrong_host``, ``untrusted`` (unknown
  or self-signed issuer, broken chain), ``expiring_soon`` (within ``warn_days``), or whose TLS
  handshake fails (``handshake_failed``: not TLS, obsolete protocol, timeout, reset).
* ``{"code": "no_https", "url", "evidence"}`` for an http URL whose https form (same host,
  port ``https_port``) does **not** answer with a valid certificate: nothing listens, the
  handshake fails, or the certificate is invalid (the evidence says which). When the https
  form works, an http registration is no finding: the site offers HTTPS, and which address the
  registry lists is a registry matter. A certificate merely ``expiring_soon`` is still valid.

A host whose name does not resolve, or an https URL whose port does not accept a TCP
connection, raises :class:`Unreachable`: TLS cannot be judged there, and that is the
availability probe's finding (站点无法访问), not a TLS one. "No finding" always means "checked".

How the verdict is reached:

1. A handshake verifying against the system CA store (or ``cafile`` alone, for tests), with
   host name checking. Python's ``ssl`` module does what browsers do.
2. On a rejected certificate, a second handshake with verification off fetches the
   certificate anyway so the evidence (and ``expires``) can say what it was. With verification
   off ``getpeercert()`` returns nothing but the DER bytes, so :func:`parse_certificate` reads
   the few fields we need from DER itself: validity, subject and issuer common names,
   subjectAltName. That is 80 lines of well-specified ASN.1 (RFC 5280), public and stable,
   where ``ssl._ssl._test_decode_cert`` is a private test helper that may go away.
3. Reason: the certificate's own dates against ``today`` win (expired / not_yet_valid are
   objective and say what to fix), else OpenSSL's verify code (host mismatch -> wrong_host,
   anything else -> untrusted); a verified certificate within ``warn_days`` of its end is
   ``expiring_soon``. Dates are Asia/Shanghai calendar dates, like ``today``.

Each handshake has one deadline (``timeout``) for connect and every read and write, driven
through a memory BIO, so a server trickling bytes cannot stretch it: one check costs at most
about 2 x ``timeout``.
"""

from __future__ import annotations

import hashlib
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
REASONS = (
    "expired",
    "not_yet_valid",
    "wrong_host",
    "untrusted",
    "expiring_soon",
    "handshake_failed",
)
# OpenSSL X509_V_ERR_* codes with a reason of their own; every other code is "untrusted".
_VERIFY_REASONS = {
    9: "not_yet_valid",  # CERT_NOT_YET_VALID
    10: "expired",  # CERT_HAS_EXPIRED (leaf or any certificate of the chain)
    62: "wrong_host",  # HOSTNAME_MISMATCH
    64: "wrong_host",  # IP_ADDRESS_MISMATCH
}


class Unreachable(OSError):
    """Nothing to judge: the name does not resolve or the port refuses TCP connections."""

    def __init__(self, message: str, *, dns: bool = False) -> None:
        super().__init__(message)
        self.dns = dns


@dataclass(frozen=True)
class Certificate:
    not_before: datetime  # UTC
    not_after: datetime  # UTC
    subject: str  # common name, "" if none
    issuer: str
    san: list[str] = field(default_factory=list)  # DNS names and IP addresses
    sha256: str = ""
    self_issued: bool = False


@dataclass
class _Handshake:
    der: bytes | None = None  # the server's certificate (DER), when one was received
    protocol: str | None = None
    verify_code: int | None = None  # set when the certificate was rejected
    verify_message: str | None = None
    error: str | None = None  # set when the handshake did not complete

    @property
    def ok(self) -> bool:
        return self.error is None


def check_tls(
    url: str,
    today: date,
    warn_days: int = 30,
    timeout: float = 10.0,
    *,
    cafile: str | None = None,
    https_port: int = 443,
) -> list[dict]:
    """Findings about ``url``'s HTTPS (see the module docstring). ``cafile`` replaces the
    system CA store; ``https_port`` is where the https form of an http URL is tried."""
    parts = urlsplit(url)
    scheme, host = parts.scheme.lower(), parts.hostname
    if scheme not in ("http", "https") or not host:
        raise ValueError(f"not an http(s) URL: {url!r}")
    if scheme == "https":
        port = parts.port or 443
        verdict = _inspect(host, port, today, warn_days, timeout, cafile)
        if verdict is None:
            return []
        reason, expires, evidence = verdict
        return [
            {
                "code": "tls_invalid",
                "url": url,
                "reason": reason,
                "expires": expires,
                "evidence": evidence,
            }
        ]
    netloc = host if https_port == 443 else f"{_bracket(host)}:{https_port}"
    https_url = urlunsplit(("https", netloc, parts.path or "/", parts.query, ""))
    try:
        verdict = _inspect(host, https_port, today, warn_days, timeout, cafile)
    except Unreachable as exc:
        if exc.dns:
            raise
        evidence = {"https_url": https_url, "error": str(exc)}
        return [{"code": "no_https", "url": url, "evidence": evidence}]
    if verdict is None or verdict[0] == "expiring_soon":
        return []
    reason, expires, tls = verdict
    evidence = {"https_url": https_url, "tls_reason": reason, "expires": expires, **tls}
    return [{"code": "no_https", "url": url, "evidence": evidence}]


def _inspect(
    host: str, port: int, today: date, warn_days: int, timeout: float, cafile: str | None
) -> tuple[str, str | None, dict] | None:
    """(reason, expires, evidence) for what is wrong at host:port, or None when all is well."""
    verified = _handshake(host, port, _verifying_context(cafile), timeout)
    evidence: dict = {"host": host, "port": port}
    if verified.ok:
        evidence["protocol"] = verified.protocol
        cert = _parse_or_none(verified.der, evidence)
        if cert is None:
            return None  # OpenSSL accepted it; our reader is the one at fault
        expires = _day(cert.not_after)
        reason = _date_reason(cert, today)
        days_left = (expires - today).days
        evidence["days_left"] = days_left
        if reason is None and days_left <= warn_days:
            reason = "expiring_soon"
        return None if reason is None else (reason, expires.isoformat(), evidence)

    if verified.verify_code is not None:
        evidence["verify_code"] = verified.verify_code
        evidence["verify_message"] = verified.verify_message
        reason = _VERIFY_REASONS.get(verified.verify_code, "untrusted")
    else:
        evidence["error"] = verified.error
        reason = "handshake_failed"
    try:  # fetch the certificate (and the protocol an old server speaks) for the evidence
        lenient = _handshake(host, port, _lenient_context(), timeout)
    except Unreachable:
        lenient = _Handshake(error="unreachable")
    if lenient.ok and reason == "handshake_failed":
        evidence["legacy_protocol"] = lenient.protocol
    cert = _parse_or_none(lenient.der, evidence) if lenient.ok else None
    if cert is None:
        return reason, None, evidence
    if reason != "handshake_failed":
        reason = _date_reason(cert, today) or reason
    expires = _day(cert.not_after)
    evidence["days_left"] = (expires - today).days
    return reason, expires.isoformat(), evidence


def _date_reason(cert: Certificate, today: date) -> str | None:
    if _day(cert.not_after) < today:
        return "expired"
    if _day(cert.not_before) > today:
        return "not_yet_valid"
    return None


def _day(moment: datetime) -> date:
    return moment.astimezone(SHANGHAI).date()


def _parse_or_none(der: bytes | None, evidence: dict) -> Certificate | None:
    if not der:
        return None
    try:
        cert = parse_certificate(der)
    except ValueError as exc:
        evidence["certificate_error"] = str(exc)
        return None
    evidence.update(
        subject=cert.subject,
        issuer=cert.issuer,
        san=cert.san,
        not_before=cert.not_before.isoformat(),
        not_after=cert.not_after.isoformat(),
        self_signed=cert.self_issued,
        sha256=cert.sha256,
    )
    return cert


def _bracket(host: str) -> str:
    return f"[{host}]" if ":" in host else host


# -- handshakes -------------------------------------------------------------------------------


@lru_cache(maxsize=8)
def _verifying_context(cafile: str | None) -> ssl.SSLContext:
    """One context per CA file for the process: loading the system CA store takes ~15 ms,
    which every site paid again (a context serves any number of handshakes)."""
    return ssl.create_default_context(cafile=cafile)


def _lenient_context() -> ssl.SSLContext:
    """Accepts any certificate and old protocols: used only to read what the server sends."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
    try:
        context.set_ciphers("ALL:@SECLEVEL=0")
    except ssl.SSLError:  # an OpenSSL build without security levels
        pass
    return context


def _handshake(host: str, port: int, context: ssl.SSLContext, timeout: float) -> _Handshake:
    deadline = time.monotonic() + timeout
    try:
        sock = socket.create_connection((host, port), timeout=timeout)
    except socket.gaierror as exc:
        raise Unreachable(f"dns: {exc}", dns=True) from exc
    except OSError as exc:  # refused, unreachable, connect timeout
        raise Unreachable(f"connect: {exc}") from exc
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    with sock:
        try:
            tls = context.wrap_bio(incoming, outgoing, server_hostname=host)
            while True:
                try:
                    tls.do_handshake()
                    break
                except ssl.SSLWantReadError:  # send what OpenSSL wrote, wait for the answer
                    pass
                _flush(sock, outgoing, deadline)
                _until(sock, deadline)
                data = sock.recv(65536)
                if not data:
                    raise ConnectionResetError("connection closed during the handshake")
                incoming.write(data)
            _flush(sock, outgoing, deadline)  # our Finished: the server sees a clean handshake
            return _Handshake(der=tls.getpeercert(binary_form=True), protocol=tls.version())
        except ssl.SSLCertVerificationError as exc:
            return _Handshake(
                verify_code=exc.verify_code,
                verify_message=exc.verify_message,
                error=f"certificate: {exc.verify_message}",
            )
        except (ssl.SSLError, OSError) as exc:  # TimeoutError is an OSError
            return _Handshake(error=f"{type(exc).__name__}: {exc}"[:300])


def _until(sock: socket.socket, deadline: float) -> None:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise TimeoutError("handshake timed out")
    sock.settimeout(remaining)


def _flush(sock: socket.socket, outgoing: ssl.MemoryBIO, deadline: float) -> None:
    data = outgoing.read()
    if data:
        _until(sock, deadline)
        sock.sendall(data)


# -- a minimal X.509 reader (RFC 5280), for the fields the evidence needs ----------------------

_OID_CN = bytes.fromhex("550403")  # 2.5.4.3 commonName
_OID_SAN = bytes.fromhex("551d11")  # 2.5.29.17 subjectAltName


def _tlv(data: bytes, pos: int, end: int) -> tuple[int, int, int]:
    """(tag, value start, value end) of the DER element at ``pos``."""
    if pos + 2 > end:
        raise ValueError("truncated DER")
    tag, length = data[pos], data[pos + 1]
    pos += 2
    if length & 0x80:
        n = length & 0x7F
        if not 1 <= n <= 4 or pos + n > end:
            raise ValueError("bad DER length")
        length = int.from_bytes(data[pos : pos + n], "big")
        pos += n
    if pos + length > end:
        raise ValueError("truncated DER")
    return tag, pos, pos + length


def _children(data: bytes, start: int, end: int) -> list[tuple[int, int, int]]:
    out = []
    while start < end:
        tag, vstart, vend = _tlv(data, start, end)
        out.append((tag, vstart, vend))
        start = vend
    return out


def _time(data: bytes, tag: int, start: int, end: int) -> datetime:
    text = data[start:end].decode("ascii")
    if tag == 0x17:  # UTCTime YYMMDDHHMMSSZ; RFC 5280: YY >= 50 is 19YY
        year = int(text[:2])
        text = f"{1900 + year if year >= 50 else 2000 + year}{text[2:]}"
    elif tag != 0x18:  # GeneralizedTime YYYYMMDDHHMMSSZ
        raise ValueError("bad time type")
    if not text.endswith("Z") or len(text) != 15:
        raise ValueError(f"unsupported time {text!r}")
    return datetime.strptime(text, "%Y%m%d%H%M%SZ").replace(tzinfo=UTC)


def _string(data: bytes, tag: int, start: int, end: int) -> str:
    raw = data[start:end]
    if tag == 0x1E:  # BMPString
        return raw.decode("utf-16-be", "replace")
    if tag == 0x14:  # TeletexString: treated as Latin-1, as browsers do
        return raw.decode("latin-1")
    return raw.decode("utf-8", "replace")


def _common_name(data: bytes, start: int, end: int) -> str:
    for _tag, rdn_start, rdn_end in _children(data, start, end):  # RDN SETs
        for _t, atv_start, atv_end in _children(data, rdn_start, rdn_end):
            parts = _children(data, atv_start, atv_end)
            if len(parts) == 2 and data[parts[0][1] : parts[0][2]] == _OID_CN:
                return _string(data, *parts[1])
    return ""


def _alt_names(data: bytes, start: int, end: int) -> list[str]:
    names = []
    for tag, vstart, vend in _children(data, start, end):
        if tag == 0x82:  # dNSName
            names.append(data[vstart:vend].decode("ascii", "replace"))
        elif tag == 0x87 and vend - vstart in (4, 16):  # iPAddress
            names.append(str(ipaddress.ip_address(data[vstart:vend])))
    return names


def parse_certificate(der: bytes) -> Certificate:
    """Validity, names and fingerprint of a DER certificate; ValueError if malformed."""
    try:
        _tag, cstart, cend = _tlv(der, 0, len(der))
        _tag, tstart, tend = _tlv(der, cstart, cend)  # tbsCertificate
        fields = _children(der, tstart, tend)
        if fields and fields[0][0] == 0xA0:  # [0] version
            fields = fields[1:]
        # serialNumber, signature, issuer, validity, subject, subjectPublicKeyInfo, ...
        if len(fields) < 6:
            raise ValueError("short tbsCertificate")
        issuer, validity, subject = fields[2], fields[3], fields[4]
        times = _children(der, validity[1], validity[2])
        if len(times) != 2:
            raise ValueError("bad validity")
        san: list[str] = []
        for tag, estart, eend in fields[6:]:
            if tag != 0xA3:  # [3] extensions
                continue
            (_t, seq_start, seq_end) = _tlv(der, estart, eend)
            for _t, xstart, xend in _children(der, seq_start, seq_end):
                parts = _children(der, xstart, xend)
                if parts and der[parts[0][1] : parts[0][2]] == _OID_SAN:
                    _t, ostart, oend = parts[-1]  # extnValue OCTET STRING
                    _t, nstart, nend = _tlv(der, ostart, oend)
                    san = _alt_names(der, nstart, nend)
        return Certificate(
            not_before=_time(der, *times[0]),
            not_after=_time(der, *times[1]),
            subject=_common_name(der, subject[1], subject[2]),
            issuer=_common_name(der, issuer[1], issuer[2]),
            san=san,
            sha256=hashlib.sha256(der).hexdigest(),
            self_issued=der[issuer[1] : issuer[2]] == der[subject[1] : subject[2]],
        )
    except (IndexError, UnicodeDecodeError) as exc:
        raise ValueError(f"malformed certificate: {exc}") from exc
