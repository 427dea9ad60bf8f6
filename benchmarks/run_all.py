"""Run every benchmark in turn (`make bench`); each prints its ratios against its baseline."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = [
    ["hj212.py"],
    ["uploads.py"],
    ["uploads.py", "--postgres"],
    ["jetstream.py"],
    ["jetstream.py", "--postgres"],
    ["dashboard.py", "--postgres"],
]


def main() -> int:
    failed = 0
    for script, *args in BENCHMARKS:
        print(f"== {script} {' '.join(args)}", flush=True)
        failed |= subprocess.call([sys.executable, str(HERE / script), *args])
    return failed


if __name__ == "__main__":
    sys.exit(main())
