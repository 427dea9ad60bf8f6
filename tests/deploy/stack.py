"""Starting the production processes as docs/deploy.md does, for the deploy tests."""

from __future__ import annotations

import contextlib
import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

SERVICES = {
    "PostgreSQL": ("127.0.0.1", 5432),
    "RabbitMQ": ("127.0.0.1", 5672),
    "NATS": ("127.0.0.1", 4222),
}
ECER = [sys.executable, "-m", "ecer.cli"]
SRC = str(Path(__file__).resolve().parents[2] / "src")


def require_services() -> None:
    """Fail, never skip, when a service the production stack needs is not running."""
    missing = []
    for name, address in SERVICES.items():
        try:
            socket.create_connection(address, timeout=3).close()
        except OSError as exc:
            missing.append(f"{name} at {address[0]}:{address[1]} ({exc})")
    if missing:
        pytest.fail(
            "the production smoke test needs these services running: " + "; ".join(missing),
            pytrace=False,
        )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def base_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ECER_", "PYTEST_"))}
    env.pop("DATABASE_URL", None)
    env.pop("SECRET_KEY", None)
    env["PYTHONPATH"] = SRC + os.pathsep + env.get("PYTHONPATH", "")
    env.update(extra)
    return env


def run(args: list[str], env: dict[str, str], timeout: float = 300) -> str:
    print(f"{time.strftime('%H:%M:%S')} ecer {' '.join(args[:3])}", flush=True)
    done = subprocess.run(
        [*ECER, *args], env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert done.returncode == 0, f"ecer {' '.join(args)}: {done.stdout}\n{done.stderr}"
    return done.stdout


class Process:
    """A process of the stack in its own session (so kill -9 reaches its children too)."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], logs: Path) -> None:
        self.name, self.args, self.env = name, args, env
        self.log = logs / f"{name}.log"
        self.popen: subprocess.Popen[bytes] | None = None

    def start(self) -> Process:
        handle = self.log.open("ab")
        self.popen = subprocess.Popen(
            [*ECER, *self.args],
            env=self.env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        handle.close()
        return self

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def kill9(self) -> None:
        assert self.popen is not None
        os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait(timeout=60)

    def terminate(self, timeout: float = 90) -> int:
        """SIGTERM to the process (as systemd sends it), then its exit status."""
        assert self.popen is not None
        self.popen.send_signal(signal.SIGTERM)
        try:
            return self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait()
            raise AssertionError(f"{self.name} did not stop on SIGTERM:\n{self.output()}") from None

    def stop_quietly(self) -> None:
        if self.popen is not None and self.popen.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait()


def wait_for(
    what: str, check: Callable[[], Any], processes: list[Process], limit: float = 300
) -> Any:
    """Poll ``check`` until it returns something true. The limit only bounds a broken run:
    nothing is asserted about how long it took."""
    deadline = time.monotonic() + limit
    print(f"{time.strftime('%H:%M:%S')} waiting for {what}", flush=True)
    while True:
        for process in processes:
            if not process.alive():
                raise AssertionError(
                    f"{process.name} exited while waiting for {what}:\n{process.output()[-4000:]}"
                )
        try:
            value = check()
        except (OSError, urllib.error.URLError):
            value = None
        if value:
            return value
        if time.monotonic() > deadline:
            logs = "\n".join(f"--- {p.name}\n{p.output()[-3000:]}" for p in processes)
            raise AssertionError(f"gave up waiting for {what}\n{logs}")
        time.sleep(0.3)


def get(url: str, opener: Any = None) -> tuple[int, str, dict[str, str]]:
    try:
        response = (opener or urllib.request.build_opener()).open(url, timeout=30)
        return response.status, response.read().decode("utf-8", "replace"), dict(response.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace"), dict(exc.headers)


def signed_in(base: str, username: str, password: str) -> Any:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    status, page, _ = get(f"{base}/login/", opener)
    assert status == 200, page
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token, page
    post(
        opener,
        f"{base}/login/",
        {"username": username, "password": password, "csrfmiddlewaretoken": token.group(1)},
    )
    assert any(c.name == "sessionid" for c in jar), "sign-in failed"
    return opener


def post(opener: Any, url: str, fields: dict[str, str]) -> tuple[int, str]:
    data = urllib.parse.urlencode(fields).encode()
    request = urllib.request.Request(url, data=data, headers={"Referer": url})
    try:
        response = opener.open(request, timeout=60)
        return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")


def csrf_token(opener: Any, url: str) -> str:
    _, page, _ = get(url, opener)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token, page[:2000]
    return token.group(1)
