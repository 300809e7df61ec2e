"""The `govsite` console script, as a user runs it."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

GOVSITE = Path(sys.executable).with_name("govsite")


def run(*args, data_dir, **env):
    environment = {**os.environ, "GOVSITE_DATA_DIR": str(data_dir), **env}
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    # The console script gets its own SQLite file in data_dir: never the database the suite
    # was pointed at (on the PostgreSQL round that is a real, non-test database).
    environment.pop("DATABASE_URL", None)
    return subprocess.run(
        [str(GOVSITE), *args], capture_output=True, text=True, timeout=120, env=environment
    )


def test_workdays_add_prints_the_issue_example(tmp_path):
    done = run("migrate", "-v0", data_dir=tmp_path)
    assert done.returncode == 0, done.stderr
    done = run("workdays", "add", "2025-09-30", "3", data_dir=tmp_path)
    assert done.stdout.strip() == "2025-10-11", done.stderr


def test_registry_import_of_a_bad_file_exits_nonzero_with_the_row(tmp_path):
    assert run("migrate", "-v0", data_dir=tmp_path).returncode == 0
    bad = tmp_path / "units.csv"
    bad.write_text("单位编码,单位名称,单位类别\nA1,甲,other\nA2,乙,火星\n", encoding="utf-8")
    done = run("registry", "import", str(bad), data_dir=tmp_path)
    assert done.returncode != 0
    assert "第 3 行，「单位类别」列" in done.stderr


def test_demo_without_serving_loads_the_demo_city(tmp_path):
    done = run("demo", "--no-serve", data_dir=tmp_path, GOVSITE_DEMO_PASSWORD="demo-Pass-1")
    assert done.returncode == 0, done.stderr
    assert "演示名录：91 个单位" in done.stdout and "密码：demo-Pass-1" in done.stdout
    again = run("demo", "--no-serve", data_dir=tmp_path, GOVSITE_DEMO_PASSWORD="demo-Pass-1")
    assert "新增单位 0 个" in again.stdout  # running the demo twice duplicates nothing


def test_worker_without_redis_url_explains_what_is_missing(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    done = subprocess.run(
        [str(GOVSITE), "worker"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**env, "GOVSITE_DATA_DIR": str(tmp_path)},
    )
    assert done.returncode == 2 and "REDIS_URL" in done.stderr


@pytest.mark.parametrize("value", ["maybe", "2"])
def test_bad_boolean_setting_fails_loudly(tmp_path, value):
    done = run("check", data_dir=tmp_path, GOVSITE_DEBUG=value)
    assert done.returncode != 0 and "GOVSITE_DEBUG" in done.stderr


def _children(pid: int) -> dict[int, str]:
    """The direct children of ``pid`` that are alive: {pid: command line}."""
    found = {}
    for entry in Path("/proc").iterdir():
        try:
            stat = (entry / "stat").read_text()
            state, parent = stat[stat.rindex(")") + 2 :].split()[:2]
            if entry.name.isdigit() and int(parent) == pid and state != "Z":
                found[int(entry.name)] = (
                    (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                )
        except (OSError, ValueError):
            continue
    return found


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] != "Z"


def _start(tmp_path, *args):
    """``govsite *args`` in the background on a free port, output to serve.log; waits until
    /healthz answers. Returns (process, log file)."""
    import socket
    import time
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    environment = {**os.environ, "GOVSITE_DATA_DIR": str(tmp_path)}
    for name in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "REDIS_URL"):
        environment.pop(name, None)
    log = open(tmp_path / "serve.log", "w")  # noqa: SIM115 (the caller closes it)
    server = subprocess.Popen([str(GOVSITE), *args, "--port", str(port)], env=environment,
                              stdout=log, stderr=subprocess.STDOUT)  # fmt: skip
    deadline, answered = time.monotonic() + 240, False
    while time.monotonic() < deadline and not answered and server.poll() is None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                answered = r.status == 200
        except OSError:
            time.sleep(0.3)
    assert answered, (tmp_path / "serve.log").read_text()
    return server, log


def _stop_cleanly(server, tmp_path) -> None:
    """Ctrl-C: the command exits 0, every child is gone, nothing was printed in panic."""
    import signal
    import time

    deadline = time.monotonic() + 30
    while len(children := _children(server.pid)) < 3 and time.monotonic() < deadline:
        time.sleep(0.2)  # the second worker may still be starting
    server.send_signal(signal.SIGINT)
    assert server.wait(60) == 0
    deadline = time.monotonic() + 20
    while any(map(_alive, children)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not [pid for pid in children if _alive(pid)], "left running after Ctrl-C"
    output = (tmp_path / "serve.log").read_text()
    assert "Traceback" not in output and "exited with code" not in output, output


def test_serve_runs_one_process_per_worker_and_a_repeat_checker_and_stops_them_all(tmp_path):
    import time

    server, log = _start(tmp_path, "serve", "--workers", "2", "--no-scheduler")
    try:
        deadline = time.monotonic() + 30
        while len(children := _children(server.pid)) < 3 and time.monotonic() < deadline:
            time.sleep(0.2)  # the second worker may still be starting
        checkers = [pid for pid, command in children.items() if "link_repeats --follow" in command]
        workers = [pid for pid, command in children.items() if " serve " in command]
        assert len(checkers) == 1 and "--nice 10" in children[checkers[0]], children
        assert len(workers) == 2, children  # gunicorn runs in the serve process: its workers
        _stop_cleanly(server, tmp_path)
    finally:
        if server.poll() is None:
            server.kill()
        log.close()


def test_the_demo_serves_its_sites_and_stops_cleanly_on_ctrl_c(tmp_path):
    """The README's main command: the demo sites keep being served beside the web app (for
    re-checks); the forked web workers must not try to stop them when they exit."""
    server, log = _start(tmp_path, "demo", "--no-messages", "--workers", "2", "--no-scheduler")
    try:
        assert "排名与单项否决" in (tmp_path / "serve.log").read_text()
        _stop_cleanly(server, tmp_path)
    finally:
        if server.poll() is None:
            server.kill()
        log.close()


@pytest.mark.parametrize("option", [["--workers", "0"], ["--threads", "-1"], ["--workers", "x"]])
def test_serve_refuses_a_non_positive_process_or_thread_count(tmp_path, option):
    done = run("serve", *option, data_dir=tmp_path)
    assert done.returncode == 2 and "须为正整数" in done.stderr
