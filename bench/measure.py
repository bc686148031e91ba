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


def _tree_rss_bytes(root: int) -> int:
    """Resident memory of a process and all its descendants now (Linux /proc), in bytes."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    page = os.sysconf("SC_PAGE_SIZE")
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
            with open(f"/proc/{entry.name}/statm", "rb") as f:
                resident = int(f.read().split()[1])
        except (OSError, IndexError, ValueError):
            continue  # the process ended while being read
        pid = int(entry.name)
        parents[pid] = int(fields[1])
        rss[pid] = resident * page
    total, pending = 0, [root]
    seen = set()
    while pending:
        pid = pending.pop()
        if pid in seen:
            continue
        seen.add(pid)
        total += rss.get(pid, 0)
        pending.extend(child for child, parent in parents.items() if parent == pid)
    return total


def run_measured_tree(
    cmd: list[str], label: str, results_dir: Path, extra: dict | None = None, env: dict | None = None
) -> dict:
    """Like run_measured, plus the peak of the whole process tree's resident memory (sampled every 0.25 s:
    joblib workers and dbt threads included), which is what a machine's RAM must hold."""
    import threading

    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env)
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _tree_rss_bytes(proc.pid))
            done.wait(0.25)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _pid, status, usage = os.wait4(proc.pid, 0)
    done.set()
    sampler.join()
    wall = time.perf_counter() - start
    result = {
        "benchmark": label,
        "command": " ".join(cmd),
        "returncode": os.waitstatus_to_exitcode(status),
        "wall_seconds": round(wall, 1),
        "peak_rss_gib": round(usage.ru_maxrss / 1024**2, 2),
        "peak_tree_rss_gib": round(peak[0] / 1024**3, 2),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        **(extra or {}),
    }
    results_dir.mkdir(parents=True, exist_ok=True)
    (results_dir / f"{label}.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return result
