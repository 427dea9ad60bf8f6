"""deploy/: the example nginx site passes `nginx -t`, the systemd units pass
`systemd-analyze verify`, and every process of `ecer serve` has its unit."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ecer.web.serve import NEEDS, PROCESSES, problems

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
UNITS = sorted((DEPLOY / "systemd").glob("ecer-*.service"))


def _tool(name: str, install: str) -> str:
    path = shutil.which(name) or next(
        (str(p) for p in (Path("/usr/sbin") / name, Path("/usr/bin") / name) if p.exists()), None
    )
    if path is None:
        pytest.fail(f"{name} is not installed: {install}", pytrace=False)
    return path


def test_every_process_has_a_unit() -> None:
    started = {re.search(r"ecer serve (\w+)", u.read_text()).group(1) for u in UNITS}  # type: ignore[union-attr]
    assert started == set(PROCESSES)
    target = (DEPLOY / "systemd" / "ecer.target").read_text()
    assert all(f"ecer-{p}.service" in target for p in PROCESSES)


def test_the_units_pass_systemd_analyze_verify(tmp_path: Path) -> None:
    verify = _tool("systemd-analyze", "apt-get install systemd")
    ecer = Path(sys.executable).with_name("ecer")
    assert ecer.exists(), ecer
    for source in [*UNITS, DEPLOY / "systemd" / "ecer.target"]:
        text = source.read_text().replace("/opt/ecer/.venv/bin/ecer", str(ecer))
        (tmp_path / source.name).write_text(text)
    names = [str(tmp_path / s.name) for s in [*UNITS, DEPLOY / "systemd" / "ecer.target"]]
    done = subprocess.run(
        [verify, "verify", "--man=no", *names], capture_output=True, text=True, check=False
    )
    # systemd-analyze exits 0 on some mistakes (an unknown Type=) but names them: no output.
    assert done.returncode == 0 and not done.stderr.strip(), done.stderr


def test_the_nginx_site_passes_nginx_t(tmp_path: Path) -> None:
    nginx = _tool("nginx", "make nginx (Debian's nginx-light)")
    openssl = _tool("openssl", "apt-get install openssl")
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
         "/CN=ecer.example.gov.cn", "-keyout", str(tmp_path / "privkey.pem"),
         "-out", str(tmp_path / "fullchain.pem")],
        capture_output=True, check=True,
    )  # fmt: skip
    site = (DEPLOY / "nginx" / "ecer.conf").read_text().replace("/etc/ssl/ecer", str(tmp_path))
    (tmp_path / "ecer.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n  access_log off;\n  include {tmp_path}/ecer.conf;\n}}\n"
    )
    done = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "syntax is ok" in done.stderr and "[warn]" not in done.stderr, done.stderr


def test_the_environment_example_sets_everything_serve_needs() -> None:
    lines = (DEPLOY / "ecer.env.example").read_text().splitlines()
    env = dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))
    for process in PROCESSES:
        assert problems(process, env) == [], process
    assert env["ECER_HTTPS"] == "1"


@pytest.mark.parametrize("process", PROCESSES)
def test_serve_names_what_is_missing(process: str) -> None:
    found = problems(process, {})
    assert len(found) == len(NEEDS[process])
    assert all(name in " ".join(found) for name in NEEDS[process])


def test_serve_refuses_debug_and_sqlite() -> None:
    env = {
        "SECRET_KEY": "x" * 50,
        "ECER_ALLOWED_HOSTS": "ecer.example.gov.cn",
        "DATABASE_URL": "sqlite:////tmp/ecer.sqlite3",
        "ECER_BROKER_URL": "amqp://127.0.0.1//",
        "ECER_DEBUG": "1",
    }
    found = " ".join(problems("web", env))
    assert "ECER_DEBUG" in found and "PostgreSQL" in found


def test_serve_stops_before_starting_anything_when_a_setting_is_missing() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "ecer.cli", "serve", "web"],
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(DEPLOY.parent / "src")},
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert "SECRET_KEY is not set" in done.stderr and "DATABASE_URL is not set" in done.stderr
