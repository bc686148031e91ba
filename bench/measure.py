"""Measure a command: wall time and the peak resident memory of that command's own process
(os.wait4 gives the rusage of exactly that child, so earlier measurements never leak into later ones)."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import time
from pathlib import Path


def run_measured(cmd: list[str], label: str, results_dir: Path, extra: dict | None = None) -> dict:
    start = time.perf_counter()
    proc = subprocess.Popen(cmd)
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    peak_kib = usage.ru_maxrss  # KiB on Linux
    result = {
        "benchmark": label,
        "command": " ".join(cmd),
        "returncode": proc.returncode,
        "wall_seconds": round(wall, 1),
        "peak_rss_gib": round(peak_kib / 1024**2, 2),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        **(extra or {}),
    }
    results_dir.mkdir(parents=True, exist_ok=True)
    (results_dir / f"{label}.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return result


def folder_size_gib(path: Path) -> float:
    return round(sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1024**3, 2)
