"""check_tls against local TLS servers on 127.0.0.1 serving certificates made by the openssl
CLI: a test CA, a valid leaf, an expired one, one not valid yet, one for another host, one
expiring in 10 days, a self-signed one; plus servers that are not TLS, stay silent or trickle.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import subprocess
import sys
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from govsite.checks.tls import Unreachable, check_tls, parse_certificate

OPENSSL = "/usr/bin/openssl"
SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime.now(UTC).replace(microsecond=0)
TODAY = NOW.astimezone(SHANGHAI).date()

REQ_CNF = "[req]\ndistinguished_name = dn\nprompt = no\n[dn]\nCN = placeholder\n"
CA_CNF = """\
[ca]
default_ca = test_ca
[test_ca]
dir = {d}
database = {d}/index.txt
new_certs_dir = {d}/newcerts
certificate = {d}/ca.pem
private_key = {d}/ca.key
serial = {d}/serial
default_md = sha256
policy = policy_any
unique_subject = no
email_in_dn = no
copy_extensions = none
[policy_any]
commonName = supplied
[leaf]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = DNS:localhost,IP:127.0.0.1
[other_host]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = DNS:www.example.gov.cn
"""
EC = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]


def openssl(*args: str, cwd: Path) -> str:
    done = subprocess.run(
        [OPENSSL, *args], cwd=cwd, capture_output=True, text=True, timeout=30, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y%m%d%H%M%SZ")


@pytest.fixture(scope="session")
def certs(tmp_path_factory):
    """CA, leaves and a self-signed certificate, each as (cert, key) paths; plus end dates."""
    d = tmp_path_factory.mktemp("tls")
    (d / "req.cnf").write_text(REQ_CNF)
    (d / "ca.cnf").write_text(CA_CNF.format(d=d))
    (d / "index.txt").write_text("")
    (d / "serial").write_text("1000\n")
    (d / "newcerts").mkdir()
    openssl(
        "req", "-x509", *EC, "-config", "req.cnf", "-keyout", "ca.key", "-out", "ca.pem",
        "-days", "400", "-subj", "/CN=govsite test CA",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        "-addext", "subjectKeyIdentifier=hash",
        cwd=d,
    )  # fmt: skip
    plan = {  # name: (section, not before, not after)
        "valid": ("leaf", NOW - timedelta(days=1), NOW + timedelta(days=200)),
        "expired": ("leaf", NOW - timedelta(days=60), NOW - timedelta(days=2)),
        "future": ("leaf", NOW + timedelta(days=5), NOW + timedelta(days=200)),
        "other_host": ("other_host", NOW - timedelta(days=1), NOW + timedelta(days=200)),
        "expiring": ("leaf", NOW - timedelta(days=1), NOW + timedelta(days=10)),
    }
    out = {"ca": d / "ca.pem", "dir": d}
    for name, (section, start, end) in plan.items():
        openssl(
            "req", "-new", *EC, "-config", "req.cnf", "-keyout", f"{name}.key",
            "-out", f"{name}.csr", "-subj", "/CN=localhost", cwd=d,
        )  # fmt: skip
        openssl(
            "ca", "-config", "ca.cnf", "-batch", "-notext", "-extensions", section,
            "-startdate", stamp(start), "-enddate", stamp(end),
            "-in", f"{name}.csr", "-out", f"{name}.pem", cwd=d,
        )  # fmt: skip
        out[name] = SimpleNamespace(cert=d / f"{name}.pem", key=d / f"{name}.key", end=end)
    openssl(
        "req", "-x509", *EC, "-config", "req.cnf", "-keyout", "self.key", "-out", "self.pem",
        "-days", "100", "-subj", "/CN=localhost",
        "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", cwd=d,
    )  # fmt: skip
    out["self"] = SimpleNamespace(cert=d / "self.pem", key=d / "self.key", end=None)
    return SimpleNamespace(**out)


class Servers:
    """Servers on 127.0.0.1 in one background event loop; each returns its port."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.loop.set_exception_handler(lambda loop, context: None)  # handshakes fail on purpose
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.servers: list[asyncio.Server] = []

    def _start(self, handler, context=None) -> int:
        async def start():
            return await asyncio.start_server(handler, "127.0.0.1", 0, ssl=context)

        server = asyncio.run_coroutine_threadsafe(start(), self.loop).result(10)
        self.servers.append(server)
        return server.sockets[0].getsockname()[1]

    def tls(self, cert: Path, key: Path) -> int:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)

        async def answer(reader, writer):
            try:
                await asyncio.wait_for(reader.read(1024), 2)
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
                await writer.drain()
            except (OSError, TimeoutError, ssl.SSLError):
                pass
            finally:
                writer.close()

        return self._start(answer, context)

    def raw(self, behaviour) -> int:
        async def handle(reader, writer):
            try:
                await behaviour(reader, writer)
            except (OSError, TimeoutError):
                pass
            finally:
                writer.close()

        return self._start(handle)

    def close(self) -> None:
        async def stop():
            for server in self.servers:
                server.close()

        asyncio.run_coroutine_threadsafe(stop(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


@pytest.fixture(scope="session")
def servers(certs):
    running = Servers()
    ports = {
        name: running.tls(getattr(certs, name).cert, getattr(certs, name).key)
        for name in ("valid", "expired", "future", "other_host", "expiring", "self")
    }

    async def speaks_http(reader, writer):  # not TLS at all
        await asyncio.wait_for(reader.read(1024), 2)
        writer.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
        await writer.drain()

    async def silent(reader, writer):  # accepts, never answers
        await asyncio.wait_for(reader.read(), 3)

    async def trickles(reader, writer):  # a TLS record header promising 16 KB, then 1 byte/0.05 s
        writer.write(b"\x16\x03\x03\x40\x00")
        for _ in range(100):
            await asyncio.sleep(0.05)
            writer.write(b"\x00")
            await writer.drain()

    ports["http"] = running.raw(speaks_http)
    ports["silent"] = running.raw(silent)
    ports["trickle"] = running.raw(trickles)
    yield SimpleNamespace(**ports)
    running.close()


@pytest.fixture(scope="session")
def closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def shanghai_day(moment: datetime) -> date:
    return moment.astimezone(SHANGHAI).date()


def check(port: int, certs, host: str = "127.0.0.1", **kwargs) -> list[dict]:
    kwargs.setdefault("cafile", str(certs.ca))
    kwargs.setdefault("timeout", 2.0)
    return check_tls(f"https://{host}:{port}/", kwargs.pop("today", TODAY), **kwargs)


def test_a_valid_certificate_for_the_address_and_the_name_is_no_finding(certs, servers):
    assert check(servers.valid, certs) == []
    assert check(servers.valid, certs, host="localhost") == []


def test_an_expired_certificate_is_tls_invalid_expired_with_its_end_date(certs, servers):
    [finding] = check(servers.expired, certs)
    assert finding["code"] == "tls_invalid" and finding["reason"] == "expired"
    assert finding["url"] == f"https://127.0.0.1:{servers.expired}/"
    assert finding["expires"] == shanghai_day(certs.expired.end).isoformat()
    evidence = finding["evidence"]
    assert evidence["verify_code"] == 10 and evidence["days_left"] < 0
    assert evidence["not_after"] == certs.expired.end.isoformat()


def test_a_certificate_not_valid_yet_is_not_yet_valid(certs, servers):
    [finding] = check(servers.future, certs)
    assert finding["reason"] == "not_yet_valid"
    assert finding["expires"] == shanghai_day(certs.future.end).isoformat()


def test_a_certificate_for_another_host_is_wrong_host(certs, servers):
    [finding] = check(servers.other_host, certs)
    assert finding["reason"] == "wrong_host"
    assert finding["evidence"]["san"] == ["www.example.gov.cn"]
    assert finding["expires"] == shanghai_day(certs.other_host.end).isoformat()


def test_a_certificate_ending_in_10_days_is_expiring_soon_within_the_warning(certs, servers):
    [finding] = check(servers.expiring, certs)
    assert finding["reason"] == "expiring_soon"
    assert finding["expires"] == shanghai_day(certs.expiring.end).isoformat()
    assert 9 <= finding["evidence"]["days_left"] <= 10
    assert check(servers.expiring, certs, warn_days=5) == []


def test_a_self_signed_certificate_is_untrusted(certs, servers):
    [finding] = check(servers.self, certs)
    assert finding["reason"] == "untrusted"
    assert finding["evidence"]["self_signed"] is True
    assert finding["expires"] is not None


def test_our_test_ca_is_untrusted_by_the_system_store(certs, servers):
    [finding] = check(servers.valid, certs, cafile=None)
    assert finding["reason"] == "untrusted"
    assert finding["evidence"]["issuer"] == "govsite test CA"


def test_the_check_point_decides_expiry_even_when_openssl_accepted_today(certs, servers):
    later = shanghai_day(certs.valid.end) + timedelta(days=1)
    [finding] = check(servers.valid, certs, today=later)
    assert finding["reason"] == "expired"


def test_a_server_that_does_not_speak_tls_fails_the_handshake(certs, servers):
    [finding] = check(servers.http, certs)
    assert finding["reason"] == "handshake_failed" and finding["expires"] is None
    assert "SSL" in finding["evidence"]["error"]


@pytest.mark.parametrize("server", ["silent", "trickle"])
def test_a_stalling_server_fails_the_handshake_within_the_timeout(certs, servers, server):
    started = time.monotonic()
    [finding] = check(getattr(servers, server), certs, timeout=0.5)
    assert finding["reason"] == "handshake_failed"
    assert finding["evidence"]["error"].startswith("TimeoutError")
    assert time.monotonic() - started < 2.0  # two handshakes, each bounded by 0.5 s


def test_an_https_url_whose_port_is_closed_cannot_be_judged(certs, closed_port):
    with pytest.raises(Unreachable) as caught:
        check(closed_port, certs)
    assert not caught.value.dns


def test_an_unknown_host_name_cannot_be_judged(certs, monkeypatch):
    def no_such_host(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)
    with pytest.raises(Unreachable) as caught:
        check_tls("http://www.nosuch.gov.cn/", TODAY, https_port=443)
    assert caught.value.dns


def test_an_http_site_without_anything_on_the_https_port_is_no_https(certs, closed_port):
    url = "http://127.0.0.1/index.html"
    [finding] = check_tls(url, TODAY, timeout=2.0, cafile=str(certs.ca), https_port=closed_port)
    assert finding == {
        "code": "no_https",
        "url": url,
        "evidence": {
            "https_url": f"https://127.0.0.1:{closed_port}/index.html",
            "error": finding["evidence"]["error"],
        },
    }
    assert finding["evidence"]["error"].startswith("connect:")


def test_an_http_site_whose_https_form_is_valid_is_no_finding(certs, servers):
    for port in (servers.valid, servers.expiring):  # expiring soon is still valid
        assert check_tls("http://127.0.0.1/", TODAY, cafile=str(certs.ca), https_port=port) == []


def test_an_http_site_whose_https_form_has_a_bad_certificate_is_no_https(certs, servers):
    [finding] = check_tls("http://127.0.0.1/", TODAY, cafile=str(certs.ca), https_port=servers.self)
    assert finding["code"] == "no_https"
    assert finding["evidence"]["tls_reason"] == "untrusted"
    assert finding["evidence"]["https_url"] == f"https://127.0.0.1:{servers.self}/"


def test_only_http_and_https_urls_are_checked():
    with pytest.raises(ValueError):
        check_tls("ftp://www.example.gov.cn/", TODAY)


def test_the_der_reader_agrees_with_openssl(certs):
    for name in ("valid", "expired", "other_host", "self"):
        pem = getattr(certs, name).cert.read_text()
        cert = parse_certificate(ssl.PEM_cert_to_DER_cert(pem))
        text = openssl(
            "x509", "-in", f"{name}.pem", "-noout", "-startdate", "-enddate", "-issuer",
            "-fingerprint", "-sha256", cwd=certs.dir,
        )  # fmt: skip
        values = dict(line.split("=", 1) for line in text.splitlines())
        for field, attr in (("notBefore", "not_before"), ("notAfter", "not_after")):
            expected = datetime.strptime(values[field], "%b %d %H:%M:%S %Y GMT")
            assert getattr(cert, attr) == expected.replace(tzinfo=UTC)
        assert cert.sha256 == values["sha256 Fingerprint"].replace(":", "").lower()
        assert cert.subject == "localhost"
    valid = parse_certificate(ssl.PEM_cert_to_DER_cert(certs.valid.cert.read_text()))
    assert valid.san == ["localhost", "127.0.0.1"] and valid.issuer == "govsite test CA"
    assert not valid.self_issued


@pytest.mark.parametrize("der", [b"", b"\x30", b"\x30\x84\xff\xff\xff\xff", b"garbage" * 10])
def test_the_der_reader_refuses_garbage(der):
    with pytest.raises(ValueError):
        parse_certificate(der)


def test_the_der_reader_refuses_every_truncation_of_a_real_certificate(certs):
    der = ssl.PEM_cert_to_DER_cert(certs.valid.cert.read_text())
    for cut in range(0, len(der) - 1, 7):
        with pytest.raises(ValueError):
            parse_certificate(der[:cut])


def test_the_tls_check_imports_no_django():
    code = (
        "import sys, govsite.checks.tls; "
        "sys.exit(any(m == 'django' or m.startswith('django.') for m in sys.modules))"
    )
    assert subprocess.run([sys.executable, "-c", code], timeout=60).returncode == 0
