"""Gunicorn settings of `ecer serve web`, read from the environment (docs/deploy.md)."""

from __future__ import annotations

import os
from typing import Any

bind = os.environ.get("ECER_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("ECER_WEB_WORKERS", "0") or 0) or (os.cpu_count() or 1) * 2 + 1
threads = int(os.environ.get("ECER_WEB_THREADS", "1") or 1)
# Report downloads and imports of large workbooks take a while; uploads are bounded anyway.
timeout = int(os.environ.get("ECER_WEB_TIMEOUT", "120") or 120)
graceful_timeout = int(os.environ.get("ECER_WEB_GRACEFUL_TIMEOUT", "30") or 30)
# A worker is replaced after this many requests: memory held by one huge page goes back.
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
errorlog = "-"
# The reverse proxy on this machine may say the request came over https.
forwarded_allow_ips = os.environ.get("ECER_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
proc_name = "ecer-web"


def child_exit(server: Any, worker: Any) -> None:
    """A worker ended: its live gauges leave /metrics (prometheus_client multiprocess)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]
