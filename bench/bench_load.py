"""Loader benchmarks at production scale (issue 3 targets, 2-core machine):
- one IMSS month (1M patrones + 20M puestos, .tab) landed in at most 90 s, peak memory under 6 GB;
- one ENOE quarter (SDEM, COE1, COE2 DBF, ~400k SDEM rows) in at most 20 s;
- DBF reading at least 10x faster than dbfread on the same file.
Needs a full-scale demo folder (bench_demo.py --keep writes bench_data/demo_full).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import run_measured  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"


def _subset(src: Path, rels: list[str]) -> Path:
    """A folder with hard links to some files of the demo (no copies of 2 GB files)."""
    root = Path(tempfile.mkdtemp(prefix="sidil_bench_", dir=src.parent))
    for rel in rels:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        os.link(src / rel, root / rel)
    return root


def _load(root: Path, source: str, label: str) -> dict:
    db = root.parent / f"{root.name}.duckdb"  # beside the input folder, not inside it
    env_db = os.environ.get("SIDIL_DB")
    os.environ["SIDIL_DB"] = str(db)
    os.environ.setdefault("SIDIL_PSEUDO_KEY", "clave-de-benchmark")
    try:
        sidil = Path(sys.executable).with_name("sidil")
        return run_measured([str(sidil), "load", "--input", str(root), "--source", source], label, RESULTS)
    finally:
        if env_db is None:
            os.environ.pop("SIDIL_DB", None)
        else:
            os.environ["SIDIL_DB"] = env_db


def dbf_speed(path: Path) -> dict:
    import dbfread

    from loaders.dbf import read_dbf

    read_dbf(path)  # warm the imports
    t = time.perf_counter()
    table = read_dbf(path)
    ours = time.perf_counter() - t
    t = time.perf_counter()
    n = sum(1 for _ in dbfread.DBF(str(path)))
    theirs = time.perf_counter() - t
    result = {
        "benchmark": "dbf_read",
        "file": path.name,
        "rows": table.num_rows,
        "rows_dbfread": n,
        "sidil_seconds": round(ours, 2),
        "dbfread_seconds": round(theirs, 2),
        "speedup": round(theirs / ours, 1),
    }
    (RESULTS / "dbf_read.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--input", type=Path, default=Path("bench_data/demo_full"))
    args = ap.parse_args()
    src = args.input.resolve()
    if not (src / "truth" / "demo.json").exists():
        print(f"No full-scale demo at {src}: run `bench/bench_demo.py --scale full --keep` first.")
        return 2
    import shutil

    month = _subset(src, ["imss/patrones/PATRONES_STPS_20260931.tab", "imss/puestos/PAFINALMES_F_20260931.tab"])
    quarter = _subset(src, [f"enoe/ENOEN_{t}T326.dbf" for t in ("SDEM", "COE1", "COE2")])
    try:
        rc = _load(month, "imss", "load_imss_month_full")["returncode"]
        rc |= _load(quarter, "enoe", "load_enoe_quarter_full")["returncode"]
        dbf_speed(quarter / "enoe" / "ENOEN_SDEMT326.dbf")
    finally:
        for folder in (month, quarter):
            shutil.rmtree(folder, ignore_errors=True)
            for leftover in folder.parent.glob(f"{folder.name}.duckdb*"):
                leftover.unlink()
    return rc


if __name__ == "__main__":
    raise SystemExit(main())
