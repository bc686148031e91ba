"""The steps `sidil run` chains (load -> dbt build -> docs), one after another under one lock.

DuckDB allows one writing process per file, so a second `sidil run`/`build` on the same warehouse fails
at once with a clear message instead of waiting or corrupting anything.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from loaders.warehouse import db_path

PROJECT_DIR = Path(__file__).resolve().parents[1]


class PipelineBusy(Exception):
    pass


@contextlib.contextmanager
def exclusive(db: Path | None = None) -> Iterator[None]:
    """Hold the warehouse's pipeline lock (a file beside the DuckDB file) for the duration."""
    db = Path(db or db_path()).resolve()
    db.parent.mkdir(parents=True, exist_ok=True)
    lock_path = db.with_name(db.name + ".sidil.lock")
    with open(lock_path, "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise PipelineBusy(
                f"Otro proceso de SIDIL está trabajando sobre {db}; espere a que termine (un solo proceso "
                f"de escritura a la vez)."
            ) from None
        lock.write(str(os.getpid()))
        lock.flush()
        yield


def dbt(*args: str) -> tuple[bool, list[str]]:
    """Run a dbt command on the project against the warehouse. Returns (success, failed node names)."""
    from dbt.cli.main import dbtRunner

    os.environ["SIDIL_DB"] = str(db_path().resolve())
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    result = dbtRunner().invoke([*args, "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR)])
    failed: list[str] = []
    res = getattr(result, "result", None)
    for r in getattr(res, "results", None) or []:
        if str(getattr(r, "status", "")).lower() in ("error", "fail", "runtime error"):
            failed.append(getattr(getattr(r, "node", None), "name", "?"))
    return bool(result.success), failed
