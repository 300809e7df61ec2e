"""The command line: generate, serve until SIGTERM; and no Django anywhere."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import urllib.request

from govsite.demosites.cli import main


def test_main_generates(tmp_path, h, capsys):
    base = h.free_base_port()
    out = tmp_path / "sites"
    argv = ["--out", str(out), "--today", "2025-11-20", "--base-port", str(base), "--scale", "1"]
    assert main(argv) == 0
    gt = json.loads((out / "ground_truth.json").read_text("utf-8"))
    assert gt["today"] == "2025-11-20"
    assert gt["sites"][0]["url"] == f"http://127.0.0.1:{base}/"
    assert "ground truth" in capsys.readouterr().out
    assert main(argv) == 0  # regenerating in place is fine


def test_main_refuses_a_foreign_directory(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("x")
    assert main(["--out", str(tmp_path), "--today", "2025-11-20"]) == 2
    assert "refusing" in capsys.readouterr().err


def test_serve_until_sigterm(tmp_path, h):
    base = h.free_base_port()
    cmd = [sys.executable, "-m", "govsite.demosites", "--out", str(tmp_path / "s")]
    cmd += ["--today", "2025-11-20", "--base-port", str(base), "--serve"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        lines = []
        for line in proc.stdout:
            lines.append(line)
            if "Ctrl-C" in line:
                break
        assert any(f"http://127.0.0.1:{base}/" in ln and "示范市人民政府" in ln for ln in lines)
        with urllib.request.urlopen(f"http://127.0.0.1:{base}/", timeout=5) as resp:
            assert resp.status == 200
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=10)
        assert proc.returncode == 0, err
        assert "stopped" in out
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_imports_no_django():
    code = (
        "import sys, govsite.demosites, govsite.demosites.server, govsite.demosites.cli, "
        "govsite.demosites.contract; "
        "print(any(m == 'django' or m.startswith('django.') for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
