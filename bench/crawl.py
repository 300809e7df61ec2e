"""govsite's crawl + checks against the best link-check peers, side by side, in one run.

    bash bench/setup.sh                      # once: peers in bench/.venv-peers, linkinator, nginx
    .venv/bin/python bench/crawl.py          # 20 sites x 1,000 pages, 3 repeats, every peer
    .venv/bin/python bench/crawl.py --quick  # 10 x 200, smoke run
    .venv/bin/python bench/crawl.py --sites 20 --pages 1000 --repeat 3 \
        --peers lychee,linkchecker,scrapy,linkinator,raw
    .venv/bin/python bench/crawl.py --rss-growth          # govsite alone at 2,000 and 20,000 pages
    .venv/bin/python bench/crawl.py --quick --profile     # + a py-spy profile of govsite

Generates a local web with known broken links (bench/genweb.py, adapted from the peers'
reference generator), serves it with one static server (nginx if installed, else a
multi-process aiohttp server: the output says which), runs govsite and each peer against it
(throttles lifted, same server, same URLs) and prints pages/s, CPU s, peak RSS and broken links
found for each, plus the ratios. Results: bench/out/crawl-YYYYMMDD-HHMMSS.{md,json}; per-run
outputs in bench/run/. See bench/README.md for what each column means.

Every request goes to 127.0.0.1; every run has a timeout and is killed with its whole process
group; the server is stopped on exit. Nothing is installed here (bench/setup.sh does that).
"""

from __future__ import annotations

import argparse
import datetime as dt
import fcntl
import json
import os
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

B = Path(__file__).resolve().parent
REPO = B.parent
sys.path.insert(0, str(B))
import genweb  # noqa: E402

PEERS_BIN = B / ".venv-peers" / "bin"
NODE_BIN = B / "node_modules-root" / "node_modules" / ".bin"
PROJECT_BIN = REPO / ".venv" / "bin"
ALL_PEERS = ["lychee", "linkchecker", "scrapy", "linkinator", "raw"]
CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
DEAD_PORTS = (1, 9, 19)
BASE_PORT = 28100
CONCURRENCY = 64


def log(*a) -> None:
    print(*a, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- process-tree measurement


def _stat(pid: int) -> list[str] | None:
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            raw = fh.read()
    except OSError:
        return None
    return raw[raw.rindex(b")") + 2 :].split()


class TreeSampler(threading.Thread):
    """Every ``interval`` s: RSS of each process in session ``sid`` (the run's process group
    leader starts a new session), their sum and max, and each process's CPU ticks."""

    def __init__(self, sid: int, interval: float = 0.05):
        super().__init__(daemon=True)
        self.sid, self.interval = sid, interval
        self.peak_sum = self.peak_single = 0
        self.ticks: dict[int, int] = {}
        self.members: set[int] = set()
        self.others: set[int] = set()
        self.halt = threading.Event()

    def sample(self) -> None:
        total = 0
        for name in os.listdir("/proc"):
            if not name.isdigit():
                continue
            pid = int(name)
            if pid in self.others:
                continue
            st = _stat(pid)
            if st is None:
                continue
            if int(st[3]) != self.sid:
                self.others.add(pid)
                continue
            self.members.add(pid)
            self.ticks[pid] = int(st[11]) + int(st[12])
            rss = int(st[21]) * PAGE_SIZE
            total += rss
            self.peak_single = max(self.peak_single, rss)
        self.peak_sum = max(self.peak_sum, total)

    def run(self) -> None:
        while not self.halt.is_set():
            self.sample()
            self.halt.wait(self.interval)

    def stop(self) -> None:
        self.halt.set()
        self.join()

    @property
    def cpu_s(self) -> float:
        return sum(self.ticks.values()) / CLK_TCK


def killpg(pgid: int, sig: int = signal.SIGKILL) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def measure(cmd: list[str], *, cwd: Path, stdout: Path, stderr: Path, timeout: float,
            env: dict | None = None) -> dict:  # fmt: skip
    """Run ``cmd`` in its own session; wall time, CPU (os.wait4: the process and every
    descendant it waited for; or the /proc samples if larger), peak RSS (sum over the process
    tree sampled every 50 ms, and the largest single process)."""
    with open(stdout, "wb") as out, open(stderr, "wb") as err:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                             start_new_session=True, env=env)  # fmt: skip
    sampler = TreeSampler(p.pid)
    sampler.start()
    timed_out = threading.Event()

    def on_timeout() -> None:
        timed_out.set()
        killpg(p.pid, signal.SIGTERM)
        time.sleep(5)
        killpg(p.pid, signal.SIGKILL)

    timer = threading.Timer(timeout, on_timeout)
    timer.daemon = True
    timer.start()
    try:
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
    finally:
        timer.cancel()
        sampler.stop()
        killpg(p.pid)  # orphans left in the group
        p.returncode = 0  # reaped by wait4; keep Popen from waiting again
    rc = os.waitstatus_to_exitcode(status)
    cpu_wait = ru.ru_utime + ru.ru_stime
    return {
        "rc": rc,
        "timed_out": timed_out.is_set(),
        "wall_s": wall,
        "cpu_s": max(cpu_wait, sampler.cpu_s),
        "cpu_wait4_s": cpu_wait,
        "cpu_sampled_s": sampler.cpu_s,
        "peak_rss_tree_mb": sampler.peak_sum / 2**20,
        "peak_rss_single_mb": max(ru.ru_maxrss / 1024, sampler.peak_single / 2**20),
        "processes": len(sampler.members),
    }


# ---------------------------------------------------------------- servers


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


class Server:
    """nginx (Debian) if installed, else bench/static_server.py; both write the same access
    log format: ``port status method uri``."""

    def __init__(self, web: Path, manifest: dict, run_dir: Path, kind: str = "auto"):
        self.web, self.manifest = web, manifest
        self.dir = run_dir / "server"
        self.dir.mkdir(parents=True, exist_ok=True)
        nginx = shutil.which("nginx")
        self.kind = "nginx" if (kind in ("auto", "nginx") and nginx) else "aiohttp"
        if kind == "nginx" and not nginx:
            raise SystemExit("--server nginx: nginx is not installed (bash bench/setup.sh)")
        self.proc: subprocess.Popen | None = None
        self.version = ""
        self.ports = [s["port"] for s in manifest["sites"]]

    def start(self) -> None:
        deadline = time.time() + 20  # a server stopped just before may still be closing
        while (busy := [p for p in self.ports if port_open(p)]) and time.time() < deadline:
            time.sleep(0.5)
        if busy:
            raise SystemExit(f"ports {busy[:5]} … are in use by another program: use --base-port")
        for p in DEAD_PORTS:
            if port_open(p):
                raise SystemExit(f"port {p} is open: dead external links would not be dead")
        if self.kind == "nginx":
            self.version = subprocess.run(
                ["nginx", "-v"], capture_output=True, text=True
            ).stderr.strip()
            (self.dir / "logs").mkdir(exist_ok=True)
            (self.dir / "tmp").mkdir(exist_ok=True)
            servers = "\n".join(
                f"  server {{ listen 127.0.0.1:{s['port']}; root {self.web / Path(s['root']).name}; }}"
                for s in self.manifest["sites"]
            )
            d = self.dir
            # open_file_cache holds a descriptor per cached file: stay well under the limit
            # (here 20,000, not raisable; a full cache made nginx answer 500 to lychee)
            nofile = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
            cache = max(1000, min(10_000, nofile // 2 - 2000))
            conf = f"""# written by bench/crawl.py: one server per site, loopback only
worker_processes 2;
daemon off;
pid {d}/nginx.pid;
error_log {d}/logs/error.log warn;
events {{ worker_connections 4096; }}
http {{
  types {{ text/html html; text/css css; application/javascript js; image/png png; application/xml xml; text/plain txt; }}
  default_type application/octet-stream;
  charset utf-8;
  sendfile on; tcp_nopush on; keepalive_requests 100000; keepalive_timeout 65;
  open_file_cache max={cache} inactive=120s;
  log_not_found off;  # 404s are the test, not server errors: keep them out of error.log
  client_body_temp_path {d}/tmp; proxy_temp_path {d}/tmp;
  fastcgi_temp_path {d}/tmp; uwsgi_temp_path {d}/tmp; scgi_temp_path {d}/tmp;
  log_format cnt '$server_port $status $request_method $request_uri';
  access_log {d}/logs/access.log cnt buffer=256k flush=1s;
  # LinkChecker only lifts its per-host throttle for servers that send this header
  add_header LinkChecker bench always;
{servers}
}}
"""
            (d / "nginx.conf").write_text(conf)
            self.logs = [d / "logs" / "access.log"]
            self.logs[0].touch()
            cmd = [
                "nginx",
                "-p",
                str(d),
                "-c",
                str(d / "nginx.conf"),
                "-e",
                str(d / "logs/error.log"),
            ]
        else:
            self.version = "bench/static_server.py (aiohttp, 2 processes, SO_REUSEPORT)"
            cmd = [sys.executable, str(B / "static_server.py"), str(self.web), "--workers", "2",
                   "--log-dir", str(self.dir / "logs"), "--max-seconds", "7200"]  # fmt: skip
            self.logs = [self.dir / "logs" / f"access-{n}.log" for n in range(2)]
        self.out = open(self.dir / "server.out", "wb")
        self.proc = subprocess.Popen(cmd, stdout=self.out, stderr=subprocess.STDOUT,
                                     stdin=subprocess.PIPE, start_new_session=True)  # fmt: skip
        deadline = time.time() + 60
        while not all(port_open(p) for p in self.ports):
            if self.proc.poll() is not None or time.time() > deadline:
                self.stop()
                raise SystemExit(f"{self.kind} did not start: see {self.dir}/server.out")
            time.sleep(0.1)
        for f in self.logs:
            f.parent.mkdir(parents=True, exist_ok=True)
            f.touch()

    def cpu_ticks(self) -> int:
        if self.proc is None:
            return 0
        total = 0
        for name in os.listdir("/proc"):
            if name.isdigit():
                st = _stat(int(name))
                if st and int(st[3]) == self.proc.pid:
                    total += int(st[11]) + int(st[12])
        return total

    def mark(self) -> tuple[list[int], int]:
        return [f.stat().st_size if f.exists() else 0 for f in self.logs], self.cpu_ticks()

    def since(self, mark: tuple[list[int], int]) -> dict:
        """Requests and distinct HTML pages (200 GET of *.html or */ on a site port) since mark."""
        time.sleep(1.2)  # nginx flushes its log buffer every second
        sizes, ticks = mark
        ports = {str(p) for p in self.ports}
        requests = 0
        pages: set[tuple[str, str]] = set()
        status = Counter()
        for f, off in zip(self.logs, sizes, strict=True):
            with open(f, "rb") as fh:
                fh.seek(off)
                for line in fh:
                    parts = line.decode("utf-8", "replace").split()
                    if len(parts) < 4:
                        continue
                    requests += 1
                    port, st, method, uri = parts[:4]
                    status[st] += 1
                    path = uri.split("?", 1)[0]
                    if (
                        st == "200"
                        and method == "GET"
                        and port in ports
                        and (path.endswith(".html") or path.endswith("/"))
                    ):
                        pages.add((port, path))
        return {"requests": requests, "html_pages": len(pages), "status": dict(status),
                "server_cpu_s": (self.cpu_ticks() - ticks) / CLK_TCK}  # fmt: skip

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            try:
                if self.kind == "nginx":
                    os.kill(self.proc.pid, signal.SIGQUIT)
                else:
                    self.proc.stdin.close()
                    os.kill(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=10)
            except (subprocess.TimeoutExpired, ProcessLookupError, OSError):
                pass
        killpg(self.proc.pid)
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        deadline = time.time() + 10
        while any(port_open(p) for p in self.ports) and time.time() < deadline:
            time.sleep(0.2)
        self.proc = None
        self.out.close()


# ---------------------------------------------------------------- govsite


CLI_HELP = ""


def govsite_cli_available() -> bool:
    global CLI_HELP
    exe = PROJECT_BIN / "govsite"
    if not exe.exists():
        return False
    try:
        r = subprocess.run([str(exe), "evaluate", "--help"], capture_output=True, text=True,
                           timeout=120, cwd=REPO)  # fmt: skip
    except subprocess.TimeoutExpired:
        return False
    CLI_HELP = r.stdout
    return r.returncode == 0 and "--out" in r.stdout


def govsite_cmd(mode: str, web: Path, out_json: Path, pages: int, processes: int) -> list[str]:
    args = [str(web / "sites.csv"), "--out", str(out_json), "--today", dt.date.today().isoformat(),
            "--max-pages", str(pages * 2 + 10), "--concurrency", str(CONCURRENCY),
            "--processes", str(processes)]  # fmt: skip
    # throttles lifted like the peers': per-site concurrency = the global cap, no delay
    if mode != "cli" or "--per-host" in CLI_HELP:
        args += ["--per-host", str(CONCURRENCY)]
    if mode != "cli" or "--delay" in CLI_HELP:
        args += ["--delay", "0"]
    if mode == "cli":
        return [str(PROJECT_BIN / "govsite"), "evaluate", *args]
    return [str(PROJECT_BIN / "python"), str(B / "govsite_crawl.py"), *args]


# ---------------------------------------------------------------- peers


def peer_cmd(tool: str, web: Path, out: Path, a: argparse.Namespace) -> tuple[list[str], Path]:
    """(command, file holding the tool's report). Configured as in crawl-peers.md."""
    roots = [line.strip() for line in open(web / "roots.txt") if line.strip()]
    if tool == "lychee":
        # lychee does not crawl: it gets every page URL (as from a sitemap), fetches each,
        # extracts the links and checks them. Throttles lifted as in the reference "fast" run.
        res = out / "lychee.json"
        return [str(PEERS_BIN / "lychee"), "--no-progress", "--format", "json", "-o", str(res),
                "--max-concurrency", str(CONCURRENCY), "--host-concurrency", str(CONCURRENCY),
                "--host-request-interval", "0ms", "--max-retries", "0",
                "--files-from", str(web / "all_urls.txt")], res  # fmt: skip
    if tool == "linkchecker":
        # 64 threads, 1000 req/s; the server's LinkChecker header lifts the per-host wait
        return [str(PEERS_BIN / "linkchecker"), "-f", str(B / "peers" / "linkcheckerrc-fast"),
                "--no-status", "--check-extern", "-o", "csv", *roots], out / "stdout"  # fmt: skip
    if tool == "scrapy":
        res = out / "scrapy.json"
        return [str(PEERS_BIN / "python"), str(B / "peers" / "scrapy_linkcheck.py"), str(res),
                str(a.scrapy_concurrency), *roots], res  # fmt: skip
    if tool == "linkinator":
        # one process per site (one process for many roots skips pages first seen as another
        # site's link: crawl-peers.md), a.linkinator_parallel at a time
        script = (
            'exec "$0" "$1" --recurse --format json > "$2/lk-$(printf %s "$1" | tr -dc 0-9).json"'
        )
        return ["xargs", "-a", str(web / "roots.txt"), "-P", str(a.linkinator_parallel), "-I{}",
                "sh", "-c", script, str(NODE_BIN / "linkinator"), "{}", str(out)], out  # fmt: skip
    if tool == "raw":
        res = out / "raw.json"
        return [str(PROJECT_BIN / "python"), str(B / "peers" / "raw_get.py"),
                str(web / "check_urls.txt"), str(res), str(CONCURRENCY)], res  # fmt: skip
    raise ValueError(tool)


def norm(u: str) -> str:
    return u.split("#", 1)[0].strip()


def reported_broken(tool: str, path: Path) -> set[str] | None:
    """Unique URLs the tool reported broken (adapted from the reference parse_result.py)."""
    urls: set[str] = set()
    try:
        if tool == "govsite":
            d = json.loads(path.read_text())
            for site in d.get("sites", []):
                for f in site.get("findings", []):
                    if f.get("code") == "broken_link" and f.get("url"):
                        urls.add(f["url"])
        elif tool == "lychee":
            d = json.loads(path.read_text())
            for key in ("error_map", "timeout_map"):
                for v in (d.get(key) or {}).values():
                    urls |= {e["url"] for e in v}
        elif tool == "linkchecker":
            for line in open(path, encoding="utf-8", errors="replace"):
                if line.startswith("#") or line.startswith("urlname;"):
                    continue
                f = line.rstrip("\n").split(";")
                if len(f) > 7 and f[6] == "False":
                    urls.add(f[7])
        elif tool == "linkinator":
            dec = json.JSONDecoder()
            for f in sorted(path.glob("lk-*.json")):
                txt = f.read_text()
                pos = txt.find("{")
                while 0 <= pos < len(txt):
                    d, end = dec.raw_decode(txt, pos)
                    urls |= {x["url"] for x in d["links"] if x["state"] == "BROKEN"}
                    pos = txt.find("{", end)
        elif tool in ("scrapy", "raw"):
            urls = set(json.loads(path.read_text())["broken"])
    except (OSError, ValueError, KeyError):
        return None
    return {norm(u) for u in urls}


# ---------------------------------------------------------------- one run


def run_tool(tool: str, label: str, cmd: list[str], res: Path, out: Path, server: Server,
             truth: set[str], timeout: float) -> dict:  # fmt: skip
    log(f"== {label}: {' '.join(cmd[:3])} …")
    time.sleep(1.0)  # let the previous run's connections close
    mark = server.mark()
    m = measure(cmd, cwd=out, stdout=out / "stdout", stderr=out / "stderr", timeout=timeout)
    srv = server.since(mark)
    rep = reported_broken(tool if tool != "govsite-crawler" else "govsite", res)
    r = {"tool": label, **m, **srv}
    r["server_5xx"] = sum(n for st, n in srv["status"].items() if st.startswith("5"))
    if r["server_5xx"]:
        log(
            f"   WARNING: the server answered {r['server_5xx']} requests with 5xx: see its error.log"
        )
    r["pages_per_s"] = srv["html_pages"] / m["wall_s"] if m["wall_s"] else 0.0
    r["pages_per_cpu_s"] = srv["html_pages"] / m["cpu_s"] if m["cpu_s"] else 0.0
    r["ok"] = not m["timed_out"] and rep is not None and not r["server_5xx"]
    if rep is None:
        r["broken_found"] = r["broken_extra"] = None
    else:
        r["broken_found"] = len(rep & truth)
        r["broken_extra"] = len(rep - truth)
    log(f"   {label}: rc={m['rc']}{' TIMEOUT' if m['timed_out'] else ''} wall={m['wall_s']:.2f}s "
        f"cpu={m['cpu_s']:.2f}s rss(tree)={m['peak_rss_tree_mb']:.0f}MB pages={srv['html_pages']} "
        f"req={srv['requests']} broken={r['broken_found']}/{len(truth)} (+{r['broken_extra']}) "
        f"-> {r['pages_per_s']:.0f} pages/s")  # fmt: skip
    return r


def summarise(all_runs: list[dict]) -> dict:
    """Medians over the good runs (no timeout, a readable report, no server 5xx); over all
    runs, flagged, if none was good."""
    med = statistics.median
    good = [r for r in all_runs if r["ok"]]
    runs = good or all_runs
    s = {"tool": runs[0]["tool"], "n": len(runs), "failed_runs": len(all_runs) - len(good)}
    for k in ("wall_s", "cpu_s", "peak_rss_tree_mb", "peak_rss_single_mb", "pages_per_s",
              "pages_per_cpu_s", "server_cpu_s"):  # fmt: skip
        s[k] = med([r[k] for r in runs])
    for k in ("html_pages", "requests", "broken_found", "broken_extra", "server_5xx"):
        vals = [r[k] for r in runs if r[k] is not None]
        s[k] = statistics.median_low(vals) if vals else None
    s["wall_range"] = (min(r["wall_s"] for r in runs), max(r["wall_s"] for r in runs))
    s["rc"] = sorted({r["rc"] for r in all_runs})
    s["timed_out"] = any(r["timed_out"] for r in runs)
    return s


# ---------------------------------------------------------------- report


def fmt_table(rows: list[dict], truth_n: int, gov: dict | None) -> str:
    head = ("| tool | n | pages | pages/s | wall s (min–max) | CPU s | pages/CPU-s | "
            "peak RSS MB (tree) | max proc RSS MB | requests | broken found / truth (+extra) | "
            "server CPU s | govsite ÷ tool, pages/s | govsite ÷ tool, pages/CPU-s |")  # fmt: skip
    lines = [head, "|" + "---|" * 14]
    for r in rows:
        bf = "n/a" if r["broken_found"] is None else f"{r['broken_found']} / {truth_n}"
        if r["broken_extra"]:
            bf += f" (+{r['broken_extra']})"
        if r["tool"].startswith("raw"):
            bf += " (given the list)"
        if r["timed_out"]:
            bf += " TIMEOUT"
        if r.get("server_5xx"):
            bf += f" ⚠ server 5xx: {r['server_5xx']}"
        if r["failed_runs"]:
            bf += f" ⚠ {r['failed_runs']} failed run(s) left out (rc {','.join(map(str, r['rc']))})"
        ratio = ratio_cpu = "—"
        if gov and r is not gov and r["pages_per_s"] > 0:
            ratio = f"{gov['pages_per_s'] / r['pages_per_s']:.2f}×"
            ratio_cpu = f"{gov['pages_per_cpu_s'] / r['pages_per_cpu_s']:.2f}×"
        lines.append(
            f"| {r['tool']} | {r['n']} | {r['html_pages']} | {r['pages_per_s']:.0f} | "
            f"{r['wall_s']:.2f} ({r['wall_range'][0]:.2f}–{r['wall_range'][1]:.2f}) | "
            f"{r['cpu_s']:.2f} | {r['pages_per_cpu_s']:.0f} | {r['peak_rss_tree_mb']:.0f} | "
            f"{r['peak_rss_single_mb']:.0f} | {r['requests']} | {bf} | {r['server_cpu_s']:.2f} | "
            f"{ratio} | {ratio_cpu} |"
        )
    return "\n".join(lines)


def targets(rows: dict, gov: dict | None, gov_mode: str) -> list[str]:
    out = []
    if gov is None:
        return ["govsite did not run: no target ratios"]
    note = (
        ""
        if gov_mode == "cli"
        else " (govsite = crawler alone: `govsite evaluate` missing; checks not timed)"
    )
    for peer, k in (("scrapy", 5.0), ("lychee", 0.5)):
        p = rows.get(peer)
        if not p or not p["pages_per_s"]:
            out.append(f"- govsite ≥ {k}× {peer}: not measured ({peer} not run)")
            continue
        ratio = gov["pages_per_s"] / p["pages_per_s"]
        ok = "PASS" if ratio >= k else "FAIL"
        out.append(f"- govsite ≥ {k}× {peer} (pages/s): {gov['pages_per_s']:.0f} / "
                   f"{p['pages_per_s']:.0f} = **{ratio:.2f}×** → **{ok}**{note}")  # fmt: skip
    return out


def govsite_revision() -> str:
    """The commit govsite ran at, and uncommitted changes under src/ (others edit the tree)."""
    try:
        head = subprocess.run(["git", "-C", str(REPO), "log", "-1", "--format=%h %cd",
                               "--date=format:%Y-%m-%d %H:%M"], capture_output=True, text=True,
                              timeout=30).stdout.strip()  # fmt: skip
        dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "src"],
                               capture_output=True, text=True, timeout=30).stdout.split("\n")  # fmt: skip
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    n = len([d for d in dirty if d.strip()])
    return head + (f" + {n} uncommitted file(s) under src/" if n else "")


def machine() -> str:
    try:
        model = next(ln.split(":", 1)[1].strip() for ln in open("/proc/cpuinfo")
                     if ln.startswith("model name"))  # fmt: skip
    except (OSError, StopIteration):
        model = "?"
    mem = next((ln.split()[1] for ln in open("/proc/meminfo") if ln.startswith("MemTotal")), "0")
    return f"{os.cpu_count()} cores ({model}), {int(mem) / 2**20:.0f} GiB RAM, Python {sys.version.split()[0]}"


def tool_versions() -> dict:
    v = {}
    for name, cmd in (("lychee", [str(PEERS_BIN / "lychee"), "--version"]),
                      ("linkinator", [str(NODE_BIN / "linkinator"), "--version"]),
                      ("node", ["node", "--version"])):  # fmt: skip
        try:
            v[name] = subprocess.run(cmd, capture_output=True, text=True, timeout=30).stdout.strip()
        except (OSError, subprocess.TimeoutExpired):
            v[name] = "missing"
    for name in ("linkchecker", "scrapy"):
        try:
            v[name] = subprocess.run(
                [str(PEERS_BIN / "python"), "-c",
                 f"import importlib.metadata as m; print(m.version('{name}'))"],
                capture_output=True, text=True, timeout=60).stdout.strip() or "missing"  # fmt: skip
        except (OSError, subprocess.TimeoutExpired):
            v[name] = "missing"
    return v


# ---------------------------------------------------------------- profile


def profile_govsite(cmd: list[str], out: Path, timeout: float) -> dict:
    """py-spy record (raw collapsed stacks, all processes) → top frames."""
    spy = PEERS_BIN / "py-spy"
    if not spy.exists():
        return {"error": "py-spy missing: bash bench/setup.sh"}
    raw = out / "profile.txt"
    full = [str(spy), "record", "--subprocesses", "--nolineno", "--rate", "200", "-f", "raw",
            "-o", str(raw), "--", *cmd]  # fmt: skip
    m = measure(full, cwd=out, stdout=out / "stdout", stderr=out / "stderr", timeout=timeout)
    shutil.rmtree(out / "result.json.crawl", ignore_errors=True)
    if not raw.exists():
        return {"error": f"py-spy wrote nothing (rc {m['rc']}): see {out}/stderr"}
    self_t: Counter = Counter()
    incl: Counter = Counter()
    mods: Counter = Counter()
    total = 0
    for line in open(raw, encoding="utf-8", errors="replace"):
        stack, _, n = line.rstrip("\n").rpartition(" ")
        if not n.isdigit():
            continue
        n = int(n)
        frames = [f for f in stack.split(";") if f and not f.startswith("process ")]
        if not frames:
            continue
        total += n
        self_t[frames[-1]] += n
        mods[_module_of(frames[-1])] += n
        for f in set(frames):
            incl[f] += n
    pct = lambda c: round(100 * c / total, 1) if total else 0.0  # noqa: E731
    return {
        "samples": total,
        "raw": str(raw),
        "self": [(f, pct(c)) for f, c in self_t.most_common(20)],
        "inclusive": [(f, pct(c)) for f, c in incl.most_common(80)],
        "by_module": [(f, pct(c)) for f, c in mods.most_common(15)],
    }


def _module_of(frame: str) -> str:
    m = re.search(r"\(([^()]*)\)$", frame)
    path = m.group(1) if m else frame
    for key in ("site-packages/", "/lib/python3"):
        if key in path:
            path = path.split(key, 1)[1]
            break
    if "/src/govsite/" in path:
        path = "govsite/" + path.split("/src/govsite/", 1)[1]
    parts = path.split("/")
    if parts[0] == "govsite" and len(parts) > 2:
        return "/".join(parts[:2])
    if parts[0].startswith(".") or parts[0] == "":
        return path
    return parts[0] if len(parts) > 1 else path


# ---------------------------------------------------------------- main


def take_lock(wait: float):
    """One bench/crawl.py at a time on this machine: two runs would share the ports (and
    the 2 cores, spoiling both timings). A second run waits for the first, then goes on."""
    path = B / "run" / ".lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    fh = open(path, "a+")
    deadline = time.time() + wait
    said = False
    while True:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if time.time() > deadline:
                raise SystemExit(
                    f"another bench/crawl.py still runs after {wait:.0f} s: {_holder(fh)}"
                ) from None
            if not said:
                log(f"waiting for another bench/crawl.py to finish: {_holder(fh)}")
                said = True
            time.sleep(2)
    fh.seek(0)
    fh.truncate()
    fh.write(f"pid {os.getpid()} started {dt.datetime.now():%H:%M:%S}: {' '.join(sys.argv)}\n")
    fh.flush()
    return fh


def _holder(fh) -> str:
    fh.seek(0)
    return fh.read().strip() or "?"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    ap.add_argument("--sites", type=int, default=20)
    ap.add_argument("--pages", type=int, default=1000, help="pages per site")
    ap.add_argument("--repeat", type=int, default=3, help="runs per tool (median reported)")
    ap.add_argument("--peers", default=",".join(ALL_PEERS),
                    help=f"comma list from {','.join(ALL_PEERS)} (empty: govsite only)")  # fmt: skip
    ap.add_argument("--quick", action="store_true", help="10 sites x 200 pages")
    ap.add_argument("--rss-growth", nargs="?", const="10x200,10x2000", default=None,
                    metavar="SHAPES", help="govsite alone at each SITESxPAGES shape "
                    "(default 10x200,10x2000 = 2,000 and 20,000 pages); no peers")  # fmt: skip
    ap.add_argument("--profile", action="store_true",
                    help="also profile one govsite run with py-spy (not timed)")  # fmt: skip
    ap.add_argument("--govsite", choices=("auto", "cli", "crawler"), default="auto",
                    help="auto: `govsite evaluate` if it exists, else the crawler alone")  # fmt: skip
    ap.add_argument("--processes", type=int, default=2, help="govsite --processes")
    ap.add_argument("--server", choices=("auto", "nginx", "aiohttp"), default="auto")
    ap.add_argument("--timeout", type=float, default=600, help="seconds per run")
    ap.add_argument("--peer-budget", type=float, default=300,
                    help="stop repeating a tool once its runs took this many seconds")  # fmt: skip
    ap.add_argument("--scrapy-concurrency", type=int, default=0,
                    help="0 = Scrapy defaults (fastest in crawl-peers.md), N = N/N")  # fmt: skip
    ap.add_argument("--linkinator-parallel", type=int, default=2,
                    help="linkinator processes at once, one per site (2 was fastest here: "
                    "10 at once took 1.8x as long and 1.2 GB)")  # fmt: skip
    ap.add_argument("--base-port", type=int, default=BASE_PORT)
    ap.add_argument("--lock-wait", type=float, default=1800,
                    help="seconds to wait for another bench/crawl.py run to finish")  # fmt: skip
    ap.add_argument("--keep-jobs", action="store_true",
                    help="keep govsite's job directories (crawl database with evidence)")  # fmt: skip
    a = ap.parse_args(argv)
    if a.quick:
        a.sites, a.pages = 10, 200
    lock = take_lock(a.lock_wait)  # noqa: F841 (held until exit)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    out_dir = B / "out"
    run_root = B / "run" / stamp
    out_dir.mkdir(exist_ok=True)
    run_root.mkdir(parents=True)

    mode = a.govsite
    if mode == "auto":
        mode = "cli" if govsite_cli_available() else "crawler"
    elif mode == "cli" and not govsite_cli_available():
        raise SystemExit("`govsite evaluate --help` does not work yet: use --govsite auto|crawler")
    gov_label = "govsite evaluate" if mode == "cli" else "govsite crawler (no checks)"
    log(f"govsite: {gov_label} (--processes {a.processes})")

    shapes = ([tuple(int(x) for x in s.split("x")) for s in a.rss_growth.split(",")]
              if a.rss_growth else [(a.sites, a.pages)])  # fmt: skip
    peers = [] if a.rss_growth else [p for p in a.peers.split(",") if p]
    for p in peers:
        if p not in ALL_PEERS:
            raise SystemExit(f"unknown peer {p!r}")
    rev_start = govsite_revision()
    report = {"stamp": stamp, "machine": machine(), "govsite_mode": mode,
              "govsite_command": None, "args": vars(a), "shapes": []}  # fmt: skip
    md: list[str] = []
    server = None
    try:
        for sites, pages in shapes:
            suffix = "" if a.base_port == BASE_PORT else f"-p{a.base_port}"
            web = B / "webs" / f"{sites}x{pages}{suffix}"
            t = time.time()
            manifest = genweb.ensure(web, sites=sites, pages=pages, base_port=a.base_port,
                                     dead_ports=DEAD_PORTS)  # fmt: skip
            truth = {norm(u) for u in manifest["broken"]}
            log(f"web {web}: {manifest['html_pages']} pages, {len(truth)} broken "
                f"({manifest['broken_internal']} internal 404s + {manifest['dead_external']} dead "
                f"external), {manifest['html_bytes'] / 1e6:.0f} MB HTML ({time.time() - t:.1f} s)")  # fmt: skip
            server = Server(web, manifest, run_root / f"{sites}x{pages}", a.server)
            server.start()
            log(f"server: {server.kind} — {server.version}")
            runs: dict[str, list[dict]] = {}
            spent: Counter = Counter()
            order = ["govsite", *peers]
            for rep in range(1, a.repeat + 1):
                for tool in order:
                    if spent[tool] and spent[tool] + runs[tool][-1]["wall_s"] > a.peer_budget:
                        continue  # slow tool: its budget is used up (README: "n" column)
                    out = run_root / f"{sites}x{pages}" / f"{tool}-r{rep}"
                    out.mkdir(parents=True)
                    if tool == "govsite":
                        res = out / "result.json"
                        cmd = govsite_cmd(mode, web, res, pages, a.processes)
                        report["govsite_command"] = " ".join(cmd)
                        r = run_tool("govsite", gov_label, cmd, res, out, server, truth, a.timeout)
                        if not a.keep_jobs:  # the job database holds every body: GBs at scale
                            shutil.rmtree(out / "result.json.crawl", ignore_errors=True)
                    else:
                        cmd, res = peer_cmd(tool, web, out, a)
                        label = {"raw": "raw aiohttp GET (no parsing)",
                                 "lychee": "lychee (all page URLs)",
                                 "linkinator": f"linkinator (per site, {a.linkinator_parallel} at once)",
                                 "scrapy": "scrapy (minimal spider)"}.get(tool, tool)  # fmt: skip
                        r = run_tool(tool, label, cmd, res, out, server, truth, a.timeout)
                    r["rep"] = rep
                    runs.setdefault(tool, []).append(r)
                    spent[tool] += r["wall_s"]
            summary = {k: summarise(v) for k, v in runs.items()}
            gov = summary.get("govsite")
            prof = None
            if a.profile:
                out = run_root / f"{sites}x{pages}" / "profile"
                out.mkdir(parents=True)
                log("== profiling govsite with py-spy (not timed)")
                prof = profile_govsite(govsite_cmd(mode, web, out / "result.json", pages,
                                                   a.processes), out, a.timeout)  # fmt: skip
            shape = {"sites": sites, "pages_per_site": pages, "web": str(web),
                     "html_pages": manifest["html_pages"], "broken_truth": len(truth),
                     "server": server.kind, "server_version": server.version,
                     "summary": summary, "runs": runs, "profile": prof}  # fmt: skip
            report["shapes"].append(shape)
            server.stop()
            server = None
            rows = [summary[t] for t in order if t in summary]
            md.append(f"### {sites} sites × {pages} pages = {manifest['html_pages']} page URLs, "
                      f"{len(truth)} broken ({manifest['broken_internal']} internal 404 + "
                      f"{manifest['dead_external']} dead external); server: {shape['server']} "
                      f"({shape['server_version']})\n")  # fmt: skip
            md.append(fmt_table(rows, len(truth), gov))
            if peers:
                md.append("\nTargets:\n")
                md.extend(targets(summary, gov, mode))
            if prof:
                md.append("\n" + fmt_profile(prof))
            md.append("")
        if a.rss_growth and report["shapes"]:
            md.append("### RSS growth (govsite alone)\n")
            md.append(
                "| pages | peak RSS MB (tree) | max proc RSS MB | pages/s |\n|---|---|---|---|"
            )
            peaks = []
            for sh in report["shapes"]:
                g = sh["summary"]["govsite"]
                peaks.append(g["peak_rss_tree_mb"])
                md.append(f"| {sh['html_pages']} | {g['peak_rss_tree_mb']:.0f} | "
                          f"{g['peak_rss_single_mb']:.0f} | {g['pages_per_s']:.0f} |")  # fmt: skip
            ok = "PASS" if max(peaks) <= 300 else "FAIL"
            md.append(f"\nTarget peak RSS ≤ 300 MB at every size: max {max(peaks):.0f} MB → **{ok}**"
                      f" (growth {peaks[-1] - peaks[0]:+.0f} MB from the smallest to the largest)")  # fmt: skip
    finally:
        if server is not None:
            server.stop()
    versions = tool_versions()
    rev_end = govsite_revision()
    report["govsite_revision"] = rev_start if rev_start == rev_end else f"{rev_start} → {rev_end}"
    if rev_start != rev_end:
        log(f"WARNING: govsite changed during the run: {rev_start} → {rev_end}")
    header = [f"# bench/crawl.py — {stamp}", "",
              f"Machine: {report['machine']}. govsite: **{gov_label}** at {report['govsite_revision']} "
              f"(`{report['govsite_command']}`). Peers: "
              + ", ".join(f"{k} {v}" for k, v in versions.items()) + ".",
              "pages = distinct HTML page URLs answered 200 to a GET (server log); pages/s = pages ÷ "
              "wall; CPU s = user+sys of the whole process tree; peak RSS (tree) = largest sum of "
              "the tree's RSS, sampled every 50 ms; median of n runs.", ""]  # fmt: skip
    text = "\n".join(header + md) + "\n"
    report["versions"] = versions
    (out_dir / f"crawl-{stamp}.md").write_text(text)
    (out_dir / f"crawl-{stamp}.json").write_text(json.dumps(report, ensure_ascii=False, indent=1,
                                                            default=str))  # fmt: skip
    print(text)
    log(f"written: {out_dir}/crawl-{stamp}.md and .json; per-run outputs in {run_root}")
    return 0


def fmt_profile(prof: dict) -> str:
    if "error" in prof:
        return f"Profile: {prof['error']}"
    lines = [f"Profile (py-spy, {prof['samples']} samples over all govsite processes, "
             f"CPU only; raw stacks: {prof['raw']}):", "",
             "| self % | frame |", "|---|---|"]  # fmt: skip
    lines += [f"| {p} | `{f}` |" for f, p in prof["self"][:15]]
    lines += ["", "| self % by module | module |", "|---|---|"]
    lines += [f"| {p} | {m} |" for m, p in prof["by_module"][:12]]
    ours = [(f, p) for f, p in prof["inclusive"]
            if "govsite/" in f and p < 90 and "evaluation/" not in f][:18]  # fmt: skip
    lines += ["", "| inclusive % | govsite frame (with everything it calls) |", "|---|---|"]
    lines += [f"| {p} | `{f}` |" for f, p in ours]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
