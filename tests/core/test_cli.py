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


def test_serve_runs_one_process_per_worker_and_a_repeat_checker_and_stops_them_all(tmp_path):
    import signal
    import socket
    import time
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    environment = {**os.environ, "GOVSITE_DATA_DIR": str(tmp_path)}
    for name in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "REDIS_URL"):
        environment.pop(name, None)
    server = subprocess.Popen([str(GOVSITE), "serve", "--port", str(port), "--workers", "2",
                               "--no-scheduler"], env=environment, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        deadline, answered = time.monotonic() + 90, False
        while time.monotonic() < deadline and not answered:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    answered = r.status == 200
            except OSError:
                time.sleep(0.3)
        assert answered, "govsite serve did not answer /healthz"
        deadline = time.monotonic() + 30
        while len(children := _children(server.pid)) < 3 and time.monotonic() < deadline:
            time.sleep(0.2)  # the second worker may still be starting
        checkers = [pid for pid, command in children.items() if "link_repeats --follow" in command]
        workers = [pid for pid, command in children.items() if " serve " in command]
        assert len(checkers) == 1 and "--nice 10" in children[checkers[0]], children
        assert len(workers) == 2, children  # gunicorn runs in the serve process: its workers
        server.send_signal(signal.SIGINT)  # Ctrl-C
        assert server.wait(30) == 0
        deadline = time.monotonic() + 20
        while any(map(_alive, children)) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not [pid for pid in children if _alive(pid)], "left running after Ctrl-C"
    finally:
        if server.poll() is None:
            server.kill()
