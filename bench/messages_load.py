"""Public messages under load: submissions, the workflow and the live ranking, on PostgreSQL.

    .venv/bin/python bench/messages_load.py                 # 1,000,000 preloaded, 3 × 30 s phases
    .venv/bin/python bench/messages_load.py --quick         # 100,000 preloaded, 3 × 10 s phases
    .venv/bin/python bench/messages_load.py --clients 32 --duration 30 --preload 1000000 \
        --threads 8 --servers serve:1 --keep-db

What it does, all against 127.0.0.1:

1. creates a fresh PostgreSQL database (``--db``, default ``govsite_bench_messages``) on
   ``--pg`` (default ``postgres://postgres@127.0.0.1:5432``), migrates it, builds a unit tree
   (a city, 40 departments, 12 counties each with 8 departments and 12 townships: 293 units),
   boards, and two staff accounts with API tokens;
2. bulk-loads ``--preload`` messages with ``govsite messages_bulkload`` (COPY) and times it;
3. starts ``govsite serve`` as shipped (gunicorn, one process per core × ``--threads``
   threads, and its repeat checker process; ``--servers serve:N`` for N processes) on that
   database;
4. times the live ranking page (``/messages/stats/``) for several filters, sequentially, and
   for comparison the same figures computed straight from the messages table (no rollup);
5. runs three load phases of ``--duration`` seconds with ``--clients`` concurrent aiohttp
   clients: **submit** (every client submits ``POST /api/messages/`` as fast as it can),
   **drive** (every client takes submitted messages and moves each through
   publish → route → accept → reply with ``POST /api/messages/staff/{number}/transition/``),
   **mixed** (half the clients submit, half drive what was just submitted);
6. verifies afterwards, in the database, that every submission the server acknowledged (and
   every one whose answer was lost, by its Idempotency-Key) exists exactly once with a
   consistent history (starts with ``submit``, each step leaves from the state the previous
   one reached, ends in the message's state; driven ones end replied), and that the rollup
   equals a recount for the days touched;
7. prints the table and the ratios to the targets, writes ``bench/out/messages-<stamp>.md``
   and ``.json``, stops the server and drops the database (unless ``--keep-db``).

Submissions carry a staff token (the API skips the captcha and the per-address limits for
staff; the public form's captcha cannot be automated). There is no peer tool for this
benchmark: the comparison is with the targets only (≥ 200 submissions/s with p99 < 300 ms;
ranking page < 200 ms with 1,000,000 messages). Bounded: every phase stops after
``--duration`` s or ``--max-messages``; the whole run after ``--timeout`` s.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import fcntl
import json
import os
import random
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

B = Path(__file__).resolve().parent
REPO = B.parent
BIN = REPO / ".venv" / "bin"
TARGET_SUBMISSIONS = 200.0  # per second, sustained
TARGET_P99_MS = 300.0
TARGET_RANKING_MS = 200.0
TOPICS = ["幼儿园入学", "冬季供暖", "道路破损", "夜间施工噪音", "公交线路调整", "医保报销",
          "农民工工资拖欠", "违章建筑", "垃圾清运", "路灯不亮", "自来水停水", "物业收费",
          "户籍办理", "养老金发放", "低保申请", "食品安全", "校外培训", "停车难"]  # fmt: skip
PLACES = ["城关镇", "滨河路", "东关街道", "新区", "人民路", "北山社区", "开发区", "南湖小区",
          "西郊村", "火车站", "第三中学", "中心广场", "建设路", "河西村", "工业园"]  # fmt: skip
DRIVE = ["publish", "route", "accept", "reply"]


def log(*a) -> None:
    print(*a, file=sys.stderr, flush=True)


def take_lock():
    path = B / "run" / ".messages.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    fh = open(path, "w")  # noqa: SIM115 (held until exit)
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        sys.exit("another messages_load.py is running (bench/run/.messages.lock)")
    return fh


def free_port(preferred: int) -> int:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", preferred))
            return preferred
        except OSError:
            s.bind(("127.0.0.1", 0))
            return s.getsockname()[1]


def percentile(values: list[float], p: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


# ------------------------------------------------------------------- database and setup


def psql_admin(pg: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(pg + "/postgres", autocommit=True) as conn:
        conn.execute(sql)


def create_db(pg: str, name: str) -> None:
    if not name.replace("_", "").isalnum() or not name.startswith("govsite_bench"):
        sys.exit("--db must look like govsite_bench_<name>")
    psql_admin(pg, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    psql_admin(pg, f'CREATE DATABASE "{name}"')


def drop_db(pg: str, name: str) -> None:
    psql_admin(pg, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def environment(args, data_dir: str) -> dict:
    env = dict(os.environ)
    env.update({
        "DATABASE_URL": f"{args.pg}/{args.db}", "DJANGO_SETTINGS_MODULE": "govsite.settings",
        "GOVSITE_DATA_DIR": data_dir, "GOVSITE_SCHEDULER": "0", "GOVSITE_LOG_LEVEL": "ERROR",
        "GOVSITE_DEBUG": "0", "GOVSITE_MESSAGES_PER_HOUR": "1000000000",
    })  # fmt: skip
    env.pop("REDIS_URL", None)
    return env


def setup_django(env: dict) -> None:
    for key in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "GOVSITE_DATA_DIR", "GOVSITE_SCHEDULER",
                "GOVSITE_LOG_LEVEL", "GOVSITE_MESSAGES_PER_HOUR"):  # fmt: skip
        os.environ[key] = env[key]
    import django

    django.setup()


def build_world() -> dict:
    """The unit tree, boards, two staff accounts with tokens (runs in this process)."""
    from rest_framework.authtoken.models import Token

    from govsite.accounts.models import RoleAssignment, StaffProfile
    from govsite.accounts.roles import Role
    from govsite.messaging.models import Channel
    from govsite.registry.models import Unit, UnitCategory

    cat = {c.code: c for c in UnitCategory.objects.all()}
    city = Unit.objects.create(code="C", name="示范市人民政府", category=cat["city_portal"])
    units = [city]
    for d in range(40):
        units.append(Unit.objects.create(code=f"C-D{d:02d}", name=f"示范市第{d + 1}局",
                                         parent=city, category=cat["city_department"]))  # fmt: skip
    boards = [Channel.objects.create(slug="board", name="网上留言板", kind="board", unit=city),
              Channel.objects.create(slug="mayor", name="市长信箱", kind="leader", unit=city)]  # fmt: skip
    for c in range(12):
        county = Unit.objects.create(code=f"X{c:02d}", name=f"第{c + 1}县人民政府", parent=city,
                                     category=cat["county_portal"])  # fmt: skip
        units.append(county)
        boards.append(Channel.objects.create(slug=f"county-{c:02d}", name=f"第{c + 1}县留言板",
                                             kind="board", unit=county))  # fmt: skip
        for d in range(8):
            units.append(Unit.objects.create(code=f"X{c:02d}-D{d}", name=f"第{c + 1}县第{d + 1}局",
                                             parent=county, category=cat["county_department"]))  # fmt: skip
        for t in range(12):
            units.append(Unit.objects.create(code=f"X{c:02d}-T{t:02d}", name=f"第{c + 1}县第{t + 1}镇",
                                             parent=county, category=cat["township"]))  # fmt: skip
    from django.contrib.auth import get_user_model

    def staff(username, role, unit):
        user = get_user_model().objects.create_user(username=username, password=uuid.uuid4().hex)
        profile = StaffProfile.objects.create(user=user, unit=unit, full_name=username)
        RoleAssignment.objects.create(profile=profile, role=role)
        return Token.objects.create(user=user).key

    return {
        "units": [u.pk for u in units],
        "channels": [b.slug for b in boards],
        "office_token": staff("bench-xinxiban", Role.INFORMATION, city),
        "unit_token": staff("bench-unit-head", Role.UNIT_HEAD, city),  # the whole tree
    }


def existing_world() -> dict | None:
    """The world a previous ``--keep-db`` run left (for ``--reuse-db``), or None."""
    from rest_framework.authtoken.models import Token

    from govsite.messaging.models import Channel
    from govsite.registry.models import Unit

    tokens = dict(Token.objects.filter(user__username__in=["bench-xinxiban", "bench-unit-head"])
                  .values_list("user__username", "key"))  # fmt: skip
    if len(tokens) != 2:
        return None
    return {"units": list(Unit.objects.order_by("path").values_list("pk", flat=True)),
            "channels": list(Channel.objects.values_list("slug", flat=True)),
            "office_token": tokens["bench-xinxiban"], "unit_token": tokens["bench-unit-head"]}  # fmt: skip


def database_exists(pg: str, name: str) -> bool:
    import psycopg

    with psycopg.connect(pg + "/postgres", autocommit=True) as conn:
        return (
            conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            is not None
        )


def bulkload(env: dict, count: int) -> dict:
    if count <= 0:
        return {"messages": 0, "seconds": 0.0}
    log(f"bulk-loading {count:,} messages (govsite messages_bulkload) …")
    started = time.monotonic()
    subprocess.run([str(BIN / "govsite"), "messages_bulkload", str(count), "--batch", "20000"],
                   env=env, check=True, cwd=REPO, timeout=3600)  # fmt: skip
    seconds = time.monotonic() - started
    return {"messages": count, "seconds": round(seconds, 1), "per_second": round(count / seconds)}


def database_size(env: dict) -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        size = cursor.fetchone()[0]
        cursor.execute("SELECT COUNT(*) FROM messaging_message")
        messages = cursor.fetchone()[0]
        cursor.execute("SELECT COUNT(*) FROM messaging_messageevent")
        events = cursor.fetchone()[0]
        cursor.execute("SELECT COUNT(*) FROM messagestats_unitday")
        days = cursor.fetchone()[0]
    return {"bytes": size, "messages": messages, "events": events, "rollup_rows": days}


# ------------------------------------------------------------------------------- server


def parse_spec(spec: str, threads: int | None) -> tuple[int | None, int | None]:
    """A --servers entry: "serve" (as shipped: one process per core), "serve:N" (N processes
    × --threads) or "serve:NxT" → (processes, threads; None: as shipped)."""
    _, _, size = spec.partition(":")
    if not size:
        return None, threads
    workers, _, per = size.partition("x")
    return int(workers), int(per or threads)


def describe(spec: str, threads: int | None) -> str:
    workers, threads = parse_spec(spec, threads)
    shown = f"{workers}" if workers else f"{shipped('--workers')} (default)"
    per = f"{threads}" if threads else f"{shipped('--threads')} (default)"
    return f"govsite serve ({shown} processes × {per} threads, repeat checker process)"


def shipped(option: str) -> int:
    """``govsite serve``'s default for ``option`` on this machine."""
    from govsite.cli import _serve_parser

    return _serve_parser("serve", "").parse_args([]).__dict__[option.lstrip("-")]


def start_server(spec: str, args, env: dict) -> subprocess.Popen:
    """``govsite serve`` as shipped (its repeat checker process included), on the bench
    database; the scheduler is off (its daily crawl would share the cores)."""
    workers, threads = parse_spec(spec, args.threads)
    out = open(Path(env["GOVSITE_DATA_DIR"]) / f"server-{spec}.log", "w")  # noqa: SIM115
    command = [str(BIN / "govsite"), "serve", "--host", "127.0.0.1", "--port", str(args.port),
               "--no-scheduler"]  # fmt: skip
    if workers:
        command += ["--workers", str(workers)]
    if threads:
        command += ["--threads", str(threads)]
    log("starting:", describe(spec, args.threads))
    server = subprocess.Popen(command, env=env, cwd=REPO, stdout=out, stderr=subprocess.STDOUT,
                              start_new_session=True)  # fmt: skip
    import urllib.request

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"server exited ({server.returncode}); see {out.name}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{args.port}/healthz", timeout=2) as r:
                if r.status == 200:
                    return server
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("server did not answer /healthz within 120 s")


def stop_server(server: subprocess.Popen | None) -> None:
    if server is None or server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)  # our own child's process group only
    try:
        server.wait(20)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(10)


# ------------------------------------------------------------------------ CPU accounting

CLOCK = os.sysconf("SC_CLK_TCK")


def _proc_cpu(entry: Path) -> tuple[int, float, str] | None:
    """(process group, CPU seconds, command line) of one /proc/<pid>."""
    try:
        stat = (entry / "stat").read_text()
        cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2 :].split()
    return int(fields[2]), (int(fields[11]) + int(fields[12])) / CLOCK, cmdline


def cpu_snapshot(server: subprocess.Popen | None, db: str) -> dict:
    """CPU seconds so far: this process (the load generator), each process of the server's
    process group, of PostgreSQL (backends of the bench database apart), and the whole
    machine (busy)."""
    with open("/proc/stat") as f:
        ticks = [int(x) for x in f.readline().split()[1:]]
    own = resource.getrusage(resource.RUSAGE_SELF)
    snap = {"wall": time.monotonic(), "machine": (sum(ticks[:8]) - ticks[3] - ticks[4]) / CLOCK,
            "client": own.ru_utime + own.ru_stime, "server": {}, "postgres": {},
            "postgres_other": {}}  # fmt: skip
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or (found := _proc_cpu(entry)) is None:
            continue
        group, seconds, cmdline = found
        if server is not None and group == server.pid:
            snap["server"][entry.name] = seconds
        elif cmdline.startswith("postgres"):
            snap["postgres" if f" {db} " in cmdline else "postgres_other"][entry.name] = seconds
    return snap


def cpu_split(before: dict, after: dict) -> dict:
    """Cores used on average between two snapshots (2.0 = both cores of this machine). Per
    process: what a process that ended in between used since the first snapshot is not
    seen (PostgreSQL backends come and go), so those figures are lower bounds."""
    wall = after["wall"] - before["wall"]
    used = {k: round((after[k] - before[k]) / wall, 2) for k in ("machine", "client")}
    for k in ("server", "postgres", "postgres_other"):
        seconds = sum(max(0.0, v - before[k].get(pid, 0.0)) for pid, v in after[k].items())
        used[k] = round(seconds / wall, 2)
    used["everything_else"] = round(used["machine"] - used["client"] - used["server"]
                                    - used["postgres"] - used["postgres_other"], 2)  # fmt: skip
    used["idle"] = round(os.cpu_count() - used["machine"], 2)
    return used


# ------------------------------------------------------------------------------ ranking


async def time_ranking(base: str, repeats: int) -> list[dict]:
    import aiohttp

    today = dt.date.today()
    cases = [
        ("this month (default)", {}),
        ("this quarter", {"period": "quarter"}),
        ("this year", {"period": "year"}),
        (
            "last 12 months, custom",
            {"from": (today - dt.timedelta(days=365)).isoformat(), "to": today.isoformat()},
        ),  # fmt: skip
        (
            "last 12 months, county level",
            {
                "from": (today - dt.timedelta(days=365)).isoformat(),
                "to": today.isoformat(),
                "level": "county",
            },
        ),  # fmt: skip
        (
            "last 12 months, sorted by satisfaction",
            {
                "from": (today - dt.timedelta(days=365)).isoformat(),
                "to": today.isoformat(),
                "sort": "satisfaction",
            },
        ),  # fmt: skip
    ]
    out = []
    async with aiohttp.ClientSession() as session:
        for name, query in cases:
            url = f"{base}/messages/stats/?{urlencode(query)}"
            times, size = [], 0
            for i in range(repeats + 3):
                started = time.perf_counter()
                async with session.get(url) as r:
                    body = await r.read()
                    assert r.status == 200, (url, r.status)
                if i >= 3:  # three warm-ups
                    times.append((time.perf_counter() - started) * 1000)
                size = len(body)
            out.append({"case": name, "url": url.replace(base, ""), "n": len(times),
                        "p50_ms": round(percentile(times, 50), 1),
                        "p99_ms": round(percentile(times, 99), 1),
                        "max_ms": round(max(times), 1), "bytes": size})  # fmt: skip
            log(f"  ranking {name}: p50 {out[-1]['p50_ms']} ms, max {out[-1]['max_ms']} ms")
    return out


def time_direct_sql(repeats: int = 3) -> dict:
    """The same 12-month per-unit figures straight from the messages table, no rollup."""
    from django.db.models import Count, Q
    from django.utils import timezone

    from govsite.messaging.models import Message

    since = timezone.now() - dt.timedelta(days=365)
    replied = Q(status__in=("replied", "closed"))
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        rows = list(Message.objects.filter(received_at__gte=since).exclude(status="hidden")
                    .values("unit").annotate(n=Count("id"), replied=Count("id", filter=replied),
                                             on_time=Count("id", filter=replied & Q(on_time=True)))
                    .order_by())  # fmt: skip
        times.append((time.perf_counter() - started) * 1000)
    return {"median_ms": round(statistics.median(times), 1), "units": len(rows)}


# --------------------------------------------------------------------------------- load


class Recorder:
    def __init__(self):
        self.latency: dict[str, list[float]] = {}
        self.errors: dict[str, int] = {}
        self.error_samples: list[str] = []

    def ok(self, kind: str, ms: float) -> None:
        self.latency.setdefault(kind, []).append(ms)

    def fail(self, kind: str, what: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1
        if len(self.error_samples) < 10:
            self.error_samples.append(f"{kind}: {what[:200]}")


def message_payload(rng: random.Random, channels: list[str]) -> dict:
    topic, place = rng.choice(TOPICS), rng.choice(PLACES)
    return {
        "channel": rng.choice(channels),
        "message_type": rng.choice(["consult", "consult", "complaint", "suggestion", "other"]),
        "title": f"关于{place}{topic}的问题",
        "content": f"{place}{topic}的情况已经持续{rng.randint(2, 90)}天，"
                   f"涉及{rng.randint(3, 500)}户居民，第{rng.randint(1, 10**6)}号反映，希望尽快处理。",
        "name": rng.choice("王李张刘陈杨赵黄周吴") + rng.choice("伟芳娜敏静丽强磊军洋"),
        "phone": f"1{rng.choice('3578')}{rng.randrange(10**9):09d}",
        "wants_public": True,
    }  # fmt: skip


async def submit_one(session, base, token, rng, channels, rec: Recorder, keys: dict) -> str | None:
    key = uuid.uuid4().hex
    keys[key] = None  # outcome unknown until answered
    started = time.perf_counter()
    try:
        async with session.post(f"{base}/api/messages/", json=message_payload(rng, channels),
                                headers={"Authorization": f"Token {token}",
                                         "Idempotency-Key": key}) as r:  # fmt: skip
            body = await r.json(content_type=None)
            ms = (time.perf_counter() - started) * 1000
            if r.status == 201:
                rec.ok("submit", ms)
                keys[key] = body["number"]
                return body["number"]
            rec.fail("submit", f"{r.status} {body}")
    except Exception as exc:  # noqa: BLE001 (counted, verified later by key)
        rec.fail("submit", repr(exc))
    return None


async def drive_one(session, base, world, number, rng, rec: Recorder, driven: dict) -> None:
    for action in DRIVE:
        token = world["unit_token"] if action in ("accept", "reply") else world["office_token"]
        data = {"action": action}
        if action == "route":
            data["unit"] = rng.choice(world["units"][1:])
        if action == "reply":
            data["text"] = "您好！您反映的问题已收悉，经核查已安排处理。感谢您的关注和支持。"
        started = time.perf_counter()
        try:
            async with session.post(f"{base}/api/messages/staff/{number}/transition/", json=data,
                                    headers={"Authorization": f"Token {token}"}) as r:  # fmt: skip
                body = await r.read()
                if r.status != 200:
                    rec.fail(action, f"{r.status} {body[:200]!r}")
                    return
                rec.ok(action, (time.perf_counter() - started) * 1000)
                driven[number] = action
        except Exception as exc:  # noqa: BLE001
            rec.fail(action, repr(exc))
            return


async def phase(name: str, base: str, world: dict, args, backlog: list[str], keys: dict,
                driven: dict) -> dict:  # fmt: skip
    """submit / drive / mixed for args.duration seconds (or args.max_messages submissions)."""
    import aiohttp

    rec = Recorder()
    deadline = time.monotonic() + args.duration
    submitted: list[str] = []
    queue: asyncio.Queue[str] = asyncio.Queue()
    if name == "drive":
        for number in backlog:
            queue.put_nowait(number)
    submitters = {"submit": args.clients, "drive": 0, "mixed": args.clients // 2}[name]
    drivers = args.clients - submitters
    done_submitting = asyncio.Event()

    async def submitter(i: int, session) -> None:
        rng = random.Random(f"{name}-{i}")
        while time.monotonic() < deadline and len(keys) < args.max_messages:
            number = await submit_one(session, base, world["office_token"], rng,
                                      world["channels"], rec, keys)  # fmt: skip
            if number:
                submitted.append(number)
                if name == "mixed":
                    queue.put_nowait(number)

    async def driver(i: int, session) -> None:
        rng = random.Random(f"{name}-d{i}")
        while time.monotonic() < deadline:
            try:
                number = queue.get_nowait()
            except asyncio.QueueEmpty:
                if name == "drive" or done_submitting.is_set():
                    return
                await asyncio.sleep(0.01)
                continue
            await drive_one(session, base, world, number, rng, rec, driven)

    connector = aiohttp.TCPConnector(limit=args.clients + 4)
    timeout = aiohttp.ClientTimeout(total=30)
    started = time.monotonic()
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        subs = [asyncio.create_task(submitter(i, session)) for i in range(submitters)]
        drvs = [asyncio.create_task(driver(i, session)) for i in range(drivers)]
        await asyncio.gather(*subs)
        done_submitting.set()
        await asyncio.gather(*drvs)
    wall = time.monotonic() - started
    backlog.extend(n for n in submitted if n not in driven)
    result = {"phase": name, "clients": args.clients, "submitters": submitters,
              "drivers": drivers, "seconds": round(wall, 2), "errors": rec.errors,
              "error_samples": rec.error_samples, "requests": {}}  # fmt: skip
    for kind, values in sorted(rec.latency.items()):
        result["requests"][kind] = {
            "n": len(values), "per_second": round(len(values) / wall, 1),
            "p50_ms": round(percentile(values, 50), 1), "p99_ms": round(percentile(values, 99), 1),
            "max_ms": round(max(values), 1),
        }  # fmt: skip
    transitions = sum(len(rec.latency.get(a, [])) for a in DRIVE)
    result["transitions_per_second"] = round(transitions / wall, 1)
    result["messages_replied"] = len(rec.latency.get("reply", []))
    log(f"  {name}: " + ", ".join(f"{k} {v['per_second']}/s p50 {v['p50_ms']} p99 {v['p99_ms']} ms"
                                  for k, v in result["requests"].items())
        + (f"; errors {rec.errors}" if rec.errors else ""))  # fmt: skip
    return result


# ------------------------------------------------------------------------- repeat check


def unchecked(keys: list[str]) -> int:
    from govsite.messaging.models import Message

    return sum(Message.objects.filter(idempotency_key__in=keys[i : i + 5000], repeat_checked=False)
               .count() for i in range(0, len(keys), 5000))  # fmt: skip


def wait_for_checks(keys: list[str], server, args) -> dict:
    """How many of a phase's submissions the background repeat check had not done when the
    phase ended, and how long it took to catch up (at most ``--drain`` seconds)."""
    from django.db import connection

    before = cpu_snapshot(server, args.db)
    started = time.monotonic()
    first = left = unchecked(keys)
    while left and time.monotonic() - started < args.drain:
        time.sleep(1)
        left = unchecked(keys)
    seconds = time.monotonic() - started
    done = {"submitted": len(keys), "unchecked_at_end": first, "unchecked_after_wait": left,
            "waited_seconds": round(seconds, 1)}  # fmt: skip
    if first and seconds >= 1:
        done["cpu_while_waiting"] = cpu_split(before, cpu_snapshot(server, args.db))
    connection.close()
    log(f"  repeat check: {first} of {len(keys)} unchecked at the end of the phase, "
        f"{left} after {seconds:.0f} s")  # fmt: skip
    return done


def final_sweep(keys: list[str]) -> dict:
    """What ``govsite link_repeats`` does after a restart: the submissions the background
    never checked (e.g. a server stopped before its checker caught up), oldest first."""
    from django.db import connection

    from govsite.messaging.models import Message
    from govsite.messaging.repeats import sweep

    before = unchecked(keys)
    done = sweep(max_seconds=900)
    after = unchecked(keys)
    linked = sum(Message.objects.filter(idempotency_key__in=keys[i : i + 5000],
                                        repeat_of__isnull=False).count()
                 for i in range(0, len(keys), 5000))  # fmt: skip
    connection.close()
    result = {"run_unchecked_before": before, "run_unchecked_after": after,
              "swept": done["checked"], "sweep_seconds": round(done["seconds"], 1),
              "run_linked_as_repeats": linked, "left_in_database": done["left"]}  # fmt: skip
    log(f"  sweep: {result}")
    return result


# -------------------------------------------------------------------------------- verify


def verify(keys: dict, driven: dict, full: bool) -> dict:
    """Every acknowledged submission (and every lost answer, by key) is stored exactly once,
    with a consistent history; the rollup equals a recount for the days the run touched."""
    from django.db.models import Min
    from django.utils import timezone

    from govsite.messagestats import rollup
    from govsite.messaging.models import Message, MessageEvent

    acknowledged = {k: n for k, n in keys.items() if n}
    stored = dict(Message.objects.filter(idempotency_key__in=list(keys))
                  .values_list("idempotency_key", "number"))  # fmt: skip
    lost = [k for k, n in acknowledged.items() if stored.get(k) != n]
    unknown_stored = sum(1 for k, n in keys.items() if not n and k in stored)
    problems = []
    numbers = list(stored.values())
    messages = {m.pk: m for m in Message.objects.filter(number__in=numbers)}
    histories: dict[int, list] = {pk: [] for pk in messages}
    for event in (MessageEvent.objects.filter(message_id__in=list(messages))
                  .order_by("message_id", "at", "id")):  # fmt: skip
        histories[event.message_id].append(event)
    for pk, m in messages.items():
        events = [e for e in histories[pk] if e.action != "repeat"]
        if not events or events[0].action != "submit":
            problems.append(f"{m.number}: history does not start with submit")
            continue
        for before, after in zip(events, events[1:], strict=False):
            if after.from_status != before.to_status:
                problems.append(f"{m.number}: {after.action} from {after.from_status} "
                                f"after {before.action} to {before.to_status}")  # fmt: skip
        if events[-1].to_status != m.status:
            problems.append(f"{m.number}: ends in {events[-1].to_status}, message is {m.status}")
        if driven.get(m.number) == "reply":
            actions = [e.action for e in events]
            if actions != ["submit", *DRIVE] or m.status != "replied":
                problems.append(f"{m.number}: driven to reply but {actions} / {m.status}")
    first = Message.objects.filter(number__in=numbers).aggregate(first=Min("received_at"))["first"]
    rollup_ok = True
    if first is not None:
        since = timezone.localtime(first).date()
        today = timezone.localdate()
        start = dt.datetime.combine(since, dt.time(), timezone.get_current_timezone())
        recount = rollup.recount(Message.objects.filter(received_at__gte=start))
        rollup_ok = rollup.stored((since, today)) == recount
    whole = None
    if full:
        started = time.monotonic()
        everything = rollup.recount()
        whole = {"days_equal": rollup.stored() == everything,
                 "months_equal": rollup.stored_months() == rollup.by_month(everything),
                 "messages_counted": sum(v[0] for v in everything.values()),
                 "seconds": round(time.monotonic() - started, 1)}  # fmt: skip
        log(f"  whole rollup vs recount: {whole}")
    return {"whole_rollup": whole, "submitted_acknowledged": len(acknowledged), "stored": len(stored),
            "lost": len(lost), "answer_lost_but_stored": unknown_stored,
            "duplicates": len(numbers) - len(set(numbers)),
            "history_problems": len(problems), "problem_samples": problems[:10],
            "driven_to_reply": sum(1 for v in driven.values() if v == "reply"),
            "rollup_equals_recount": rollup_ok}  # fmt: skip


# -------------------------------------------------------------------------------- report


def report(result: dict) -> str:
    lines = [f"# Messages under load — {result['started']}", "",
             f"govsite {result['commit']}, PostgreSQL {result['postgres']}, {result['cpus']} CPUs; "
             f"server: {result['server']}; {result['clients']} clients; "
             f"{result['database']['messages']:,} messages / {result['database']['events']:,} events "
             f"in the database at the end ({result['database']['bytes'] / 2**30:.2f} GiB).", ""]  # fmt: skip
    load = result["bulkload"]
    if load["messages"]:
        lines += [f"Bulk load: {load['messages']:,} messages in {load['seconds']} s "
                  f"({load['per_second']:,}/s, with their events and the rollup).", ""]  # fmt: skip
    lines += [
        "## Ranking page (sequential, after 3 warm-ups)",
        "",
        "| filter | n | p50 ms | p99 ms | max ms | KB |",
        "|---|---|---|---|---|---|",
    ]
    for r in result["ranking"]:
        lines.append(f"| {r['case']} | {r['n']} | {r['p50_ms']} | {r['p99_ms']} | {r['max_ms']} "
                     f"| {r['bytes'] // 1024} |")  # fmt: skip
    direct = result["direct_sql"]
    lines += ["", f"Same 12-month figures straight from the messages table (no rollup): "
              f"{direct['median_ms']} ms median for the query alone.", "",
              "## Load phases", "",
              "| phase | request | n | per s | p50 ms | p99 ms | max ms |",
              "|---|---|---|---|---|---|---|"]  # fmt: skip
    for p in result["phases"]:
        for kind, r in p["requests"].items():
            lines.append(f"| {p['server']}: {p['phase']} ({p['submitters']} submit / "
                         f"{p['drivers']} drive, {p['seconds']} s) | {kind} | {r['n']} | "
                         f"{r['per_second']} | {r['p50_ms']} | {r['p99_ms']} | {r['max_ms']} |")  # fmt: skip
        if p["errors"]:
            lines.append(f"| {p['phase']} | errors | {p['errors']} | | | | |")
    lines += ["", f"## CPU during each phase (cores used on average; this machine has "
              f"{result['cpus']})", "",
              "| phase | load generator | server | PostgreSQL (bench db) | other postgres "
              "| everything else | idle |", "|---|---|---|---|---|---|---|"]  # fmt: skip
    for p in result["phases"]:
        c = p.get("cpu")
        if c:
            lines.append(f"| {p['server']}: {p['phase']} | {c['client']} | {c['server']} | "
                         f"{c['postgres']} | {c['postgres_other']} | {c['everything_else']} | "
                         f"{c['idle']} |")  # fmt: skip
    lines += ["", "## Repeat check (in the background after commit; the sweep for the rest)", "",
              "| phase | submitted | unchecked when the phase ended | unchecked after waiting "
              "| waited s | server cores while waiting |", "|---|---|---|---|---|---|"]  # fmt: skip
    for p in result["phases"]:
        r = p.get("repeat_check")
        if r:
            cores = r.get("cpu_while_waiting", {}).get("server", "")
            lines.append(f"| {p['server']}: {p['phase']} | {r['submitted']} | "
                         f"{r['unchecked_at_end']} | {r['unchecked_after_wait']} | "
                         f"{r['waited_seconds']} | {cores} |")  # fmt: skip
    w = result.get("sweep")
    if w:
        lines += ["", f"Then the sweep (`govsite link_repeats`, as after a restart): "
                  f"{w['run_unchecked_before']} of this run's submissions unchecked before, "
                  f"**{w['run_unchecked_after']} after**; {w['swept']} checked in "
                  f"{w['sweep_seconds']} s; {w['run_linked_as_repeats']} of this run's "
                  f"submissions linked as repeats (the generated texts are much alike)."]  # fmt: skip
    v = result["verify"]
    lines += ["", "## Verification", "",
              f"{v['submitted_acknowledged']} acknowledged submissions, {v['stored']} stored "
              f"(by Idempotency-Key), **{v['lost']} lost**, {v['duplicates']} duplicates, "
              f"{v['answer_lost_but_stored']} stored whose answer the client never got; "
              f"{v['driven_to_reply']} driven to reply; {v['history_problems']} history problems; "
              f"rollup equals recount for the days of the run: {v['rollup_equals_recount']}; "
              f"whole rollup (days and months) vs a recount of every message: "
              f"{v['whole_rollup'] or 'not checked'}.", "",
              "## Against the targets (no peer tool exists for this benchmark: targets only)", "",
              "| measure | target | measured | ratio |", "|---|---|---|---|"]  # fmt: skip
    for name, target, measured, higher_better in result["targets"]:
        ratio = (measured / target if higher_better else target / measured) if measured else 0
        lines.append(f"| {name} | {target} | {measured} | {ratio:.2f} × |")
    lines += ["", "Ratio above 1 = better than the target."]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--db", default="govsite_bench_messages")
    parser.add_argument("--preload", type=int, default=1_000_000)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--duration", type=float, default=30.0, help="seconds per phase")
    parser.add_argument("--max-messages", type=int, default=50_000, help="submissions per run")
    parser.add_argument("--phases", default="submit,drive,mixed")
    parser.add_argument("--threads", type=int, default=None,
                        help="threads per process (default: as shipped)")  # fmt: skip
    parser.add_argument("--servers", default="serve",
                        help="comma-separated, run one after the other on the same data: serve "
                             "(as shipped: one process per core × --threads), serve:N (N "
                             "processes), serve:NxT")  # fmt: skip
    parser.add_argument("--drain", type=float, default=120.0,
                        help="after each phase, wait at most this long for the background "
                             "repeat check to catch up")  # fmt: skip
    parser.add_argument("--port", type=int, default=28300)
    parser.add_argument("--ranking-repeats", type=int, default=30)
    parser.add_argument("--timeout", type=int, default=5400, help="whole run, seconds")
    parser.add_argument("--keep-db", action="store_true", help="leave the database for --reuse-db")
    parser.add_argument(
        "--reuse-db",
        action="store_true",
        help="use the database a --keep-db run left (skips setup and bulk load)",
    )
    parser.add_argument(
        "--no-full-check",
        action="store_true",
        help="skip recounting the whole rollup from the messages at the end",
    )
    parser.add_argument("--quick", action="store_true", help="100,000 preloaded, 10 s phases")
    args = parser.parse_args()
    if args.quick:
        args.preload, args.duration = min(args.preload, 100_000), min(args.duration, 10.0)
    lock = take_lock()  # noqa: F841 (held until exit)
    signal.signal(signal.SIGALRM, lambda *_: (_ for _ in ()).throw(TimeoutError("--timeout")))
    signal.alarm(args.timeout)
    args.port = free_port(args.port)
    data_dir = tempfile.mkdtemp(prefix="govsite-bench-messages-")
    env = environment(args, data_dir)
    server = None
    result = {"started": dt.datetime.now().isoformat(timespec="seconds"), "clients": args.clients,
              "cpus": os.cpu_count(), "args": vars(args)}  # fmt: skip
    result["commit"] = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO,
                                      capture_output=True, text=True).stdout.strip()  # fmt: skip
    try:
        reuse = args.reuse_db and database_exists(args.pg, args.db)
        if not reuse:
            log(f"database {args.db} …")
            create_db(args.pg, args.db)
        subprocess.run([str(BIN / "govsite"), "migrate", "-v", "0"], env=env, check=True,
                       cwd=REPO, timeout=600)  # fmt: skip
        setup_django(env)
        from django.db import connection

        world = existing_world() if reuse else None
        if world is None:
            world = build_world()
            result["bulkload"] = bulkload(env, args.preload)
        else:
            log(f"reusing {args.db} as a previous run left it (no bulk load)")
            result["bulkload"] = {"messages": 0, "seconds": 0.0, "reused": True}
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            result["postgres"] = cursor.fetchone()[0]
        connection.close()
        base = f"http://127.0.0.1:{args.port}"
        keys: dict[str, str | None] = {}
        driven: dict[str, str] = {}
        result["phases"] = []
        for number, spec in enumerate(args.servers.split(",")):
            server = start_server(spec.strip(), args, env)
            if number == 0:
                result["server"] = describe(spec.strip(), args.threads)
                log("timing the ranking page …")
                result["ranking"] = asyncio.run(time_ranking(base, args.ranking_repeats))
                result["direct_sql"] = time_direct_sql()
            backlog: list[str] = []
            for name in args.phases.split(","):
                log(f"phase {name} ({args.duration:.0f} s, {args.clients} clients) …")
                known = set(keys)
                before = cpu_snapshot(server, args.db)
                done = asyncio.run(phase(name.strip(), base, world, args, backlog, keys, driven))
                done["cpu"] = cpu_split(before, cpu_snapshot(server, args.db))
                log(f"  cores used: {done['cpu']}")
                done["server"] = describe(spec.strip(), args.threads)
                new_keys = [k for k in keys if k not in known and keys[k]]
                if new_keys:
                    done["repeat_check"] = wait_for_checks(new_keys, server, args)
                result["phases"].append(done)
            if number == 0:
                log("ranking again, after the load …")
                result["ranking_after"] = asyncio.run(time_ranking(base, 10))
            stop_server(server)
            server = None
        log("sweeping what the background did not check (govsite link_repeats) …")
        result["sweep"] = final_sweep([k for k, n in keys.items() if n])
        log("verifying …")
        result["verify"] = verify(keys, driven, not args.no_full_check)
        result["database"] = database_size(env)
        worst_ranking = max(r["p50_ms"] for r in result["ranking"])
        result["targets"] = []
        for p in result["phases"]:
            submit = p["requests"].get("submit")
            if p["phase"] == "submit" and submit:
                result["targets"] += [
                    (f"submissions/s — {p['server']}", TARGET_SUBMISSIONS, submit["per_second"], True),
                    (f"submission p99 ms — {p['server']}", TARGET_P99_MS, submit["p99_ms"], False),
                ]  # fmt: skip
        result["targets"].append(("ranking page p50 ms (slowest filter)", TARGET_RANKING_MS,
                                  worst_ranking, False))  # fmt: skip
    finally:
        stop_server(server)
        if not args.keep_db:
            try:
                from django.db import connections

                connections.close_all()
            except Exception:  # noqa: BLE001 (Django may not be set up yet)
                pass
            drop_db(args.pg, args.db)
            log(f"dropped {args.db}")
        signal.alarm(0)
    text = report(result)
    print(text)
    out = B / "out"
    out.mkdir(exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    (out / f"messages-{stamp}.md").write_text(text)
    (out / f"messages-{stamp}.json").write_text(json.dumps(result, indent=2, ensure_ascii=False,
                                                           default=str))  # fmt: skip
    log(f"report: bench/out/messages-{stamp}.md (.json beside it); server log in {data_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
