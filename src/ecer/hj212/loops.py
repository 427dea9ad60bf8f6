"""The event loop the gateway runs on: uvloop when it is installed (an optional dependency,
pinned in requirements.lock; libuv's loop, measured in ``benchmarks/hj212.py``), else
asyncio's own. The gateway uses only the asyncio API, so both behave the same; the tests
run the gateway process on each."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any, Final, TypeVar

T = TypeVar("T")

CHOICES: Final = ("auto", "uvloop", "asyncio")


def loop_factory(choice: str) -> Callable[[], asyncio.AbstractEventLoop] | None:
    """The factory for ``asyncio.Runner``: None is asyncio's default loop.

    choice: ``auto`` (uvloop if importable), ``uvloop`` (required) or ``asyncio``.
    Raises LookupError when ``uvloop`` is asked for and not installed.
    """
    if choice not in CHOICES:
        raise LookupError(f"unknown event loop {choice!r} (known: {', '.join(CHOICES)})")
    if choice == "asyncio":
        return None
    try:
        import uvloop
    except ImportError:
        if choice == "uvloop":
            raise LookupError("uvloop is not installed (pip install uvloop)") from None
        return None
    return uvloop.new_event_loop


def loop_name(factory: Callable[[], asyncio.AbstractEventLoop] | None) -> str:
    return "asyncio" if factory is None else "uvloop"


def run(main: Coroutine[Any, Any, T], factory: Callable[[], asyncio.AbstractEventLoop] | None) -> T:
    """``asyncio.run`` on the chosen loop."""
    with asyncio.Runner(loop_factory=factory) as runner:
        return runner.run(main)
