"""A real SMTP server (aiosmtpd) and real HTTP receivers for group-robot webhooks, each on a
free port of this machine, for the notification tests."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.header import decode_header, make_header
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Mailbox:
    messages: list[dict[str, str]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = message_from_bytes(envelope.content)
        body = parsed.get_payload(decode=True) or b""
        self.messages.append(
            {
                "to": ",".join(envelope.rcpt_tos),
                "subject": str(make_header(decode_header(parsed["Subject"]))),
                "body": body.decode(parsed.get_content_charset() or "utf-8"),
            }
        )
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server(settings: Any) -> Iterator[Mailbox]:
    """aiosmtpd listening on a free port; Django's SMTP backend pointed at it."""
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    try:
        yield mailbox
    finally:
        controller.stop()


class Receiver:
    """An HTTP server that records each POST and answers with the next planned status
    (then 200 with WeCom/DingTalk's ``{"errcode": 0}`` once the plan runs out)."""

    def __init__(self, plan: list[int] | None = None) -> None:
        self.plan = list(plan or [])
        self.calls: list[dict[str, Any]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length) or b"{}")
                receiver.calls.append({"path": self.path, "json": body})
                status = receiver.plan.pop(0) if receiver.plan else 200
                answer = json.dumps({"errcode": 0 if status == 200 else 500, "errmsg": "ok"})
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(answer.encode())

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/robot/send?key=test"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receivers() -> Iterator[Any]:
    made: list[Receiver] = []

    def make(plan: list[int] | None = None) -> Receiver:
        made.append(Receiver(plan))
        return made[-1]

    yield make
    for receiver in made:
        receiver.close()
