"""`ecer plan ...`: validate a plan file, or load it into the database."""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import Any

from ecer.plan.loader import PlanValidationError, default_plan_path, load_plan_file


def register(subparsers: Any) -> None:
    plan = subparsers.add_parser("plan", help="plan catalog files (targets, tasks, rules)")
    plan_sub = plan.add_subparsers(dest="plan_command", metavar="PLAN_COMMAND", required=True)

    validate = plan_sub.add_parser("validate", help="check a plan YAML file and list its errors")
    validate.add_argument("file", nargs="?", help="plan YAML file (default: the Beihai plan)")
    validate.set_defaults(func=validate_command)

    load = plan_sub.add_parser("load", help="validate a plan YAML file and load it into the DB")
    load.add_argument("file", nargs="?", help="plan YAML file (default: the Beihai plan)")
    load.set_defaults(func=load_command)


def validate_command(args: argparse.Namespace) -> int:
    """Print ``OK: N targets, M tasks, K rules`` or every error, one per line (exit 1)."""
    try:
        catalog = load_plan_file(args.file or default_plan_path())
    except PlanValidationError as exc:
        for error in exc.errors:
            print(error, file=sys.stderr)
        return 1
    print(
        f"OK: {len(catalog.targets)} targets, {len(catalog.tasks)} tasks, "
        f"{len(catalog.rules)} rules"
    )
    return 0


def load_command(args: argparse.Namespace) -> int:
    """Validate the file, then hand the catalog to the Django catalog app (idempotent load)."""
    try:
        catalog = load_plan_file(args.file or default_plan_path())
    except PlanValidationError as exc:
        for error in exc.errors:
            print(error, file=sys.stderr)
        return 1
    # Django only now, through import_module: `plan validate` and the type-checking of this
    # pure layer must not depend on the web layer.
    web_cli = importlib.import_module("ecer.web.cli")
    web_cli.setup_django()
    loading = importlib.import_module("ecer.web.catalog.loading")
    summary = loading.load_catalog_into_db(catalog)
    print(summary)
    return 0
