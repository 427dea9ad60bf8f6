"""Send the outbox's due e-mail and webhook deliveries (with ``--loop``: keep doing it, and
check the cases' deadlines, until SIGTERM or Ctrl-C)."""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from ecer.web.notifications import outbox


class Command(BaseCommand):
    help = "send due notification deliveries (e-mail, webhooks), retrying failures"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loop", action="store_true", help="keep running until stopped")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["loop"]:
            self.stdout.write(str(outbox.deliver_due()))
            return
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        try:
            while not stop.is_set():
                summary = outbox.run_once()
                if summary.sent or summary.retried or summary.failed:
                    self.stdout.write(str(summary))
                close_old_connections()
                stop.wait(settings.ECER_NOTIFY_POLL_SECONDS)
        except KeyboardInterrupt:
            pass
