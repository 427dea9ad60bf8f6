"""Escalate cases whose step deadline passed; with ``--warnings YEAR`` also open cases for the
districts' red warning lights of that year (run daily from cron)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from ecer.web.cases import services


class Command(BaseCommand):
    help = "escalate overdue cases; optionally open cases for red warning lights"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--warnings", type=int, metavar="YEAR", help="open red-warning cases")

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        if options["warnings"]:
            opened = services.open_from_warnings(options["warnings"], now)
            self.stdout.write(f"opened {opened} red-warning cases")
        self.stdout.write(f"sent {services.check_deadlines(now)} escalations")
