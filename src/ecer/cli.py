"""The `ecer` command: a thin shell that dispatches to the layers below.

Each domain module contributes its sub-commands through a ``register(subparsers)`` function
that adds a parser and sets ``func`` to a handler taking the parsed arguments and returning
an exit status.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

# Modules that contribute sub-commands, in the order their help is listed.
COMMAND_MODULES = [
    "ecer.plan.cli",
    "ecer.web.cli",
    "ecer.hj212.cli",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ecer", description="ECER 节能减排综合管理平台 — command-line tools"
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module_name in COMMAND_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                continue  # that domain is not built yet
            raise
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # `ecer manage ...` hands everything after it to Django's own command line untouched.
    if argv[:1] == ["manage"]:
        from ecer.web.cli import run_django_command

        return run_django_command(argv[1:])
    # `ecer hj212 parse` sits in pipes: it starts without importing every other command.
    if argv[:2] == ["hj212", "parse"]:
        from ecer.hj212.cli import parse_main

        return parse_main(argv[2:])
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
