"""`make bench`: time `sidil demo` at a scale and report wall time and peak memory.

Target (issue 2) at full scale on the 2-core machine: at most 15 minutes, peak memory under 8 GB.
Results go to bench/results/demo_<scale>.json; the generated folder is deleted unless --keep.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import folder_size_gib, run_measured  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--scale", default="full")
    ap.add_argument("--seed", type=int, default=20261122)
    ap.add_argument("--out", type=Path, default=Path("bench_data"))
    ap.add_argument("--keep", action="store_true", help="keep the generated folder")
    args = ap.parse_args()
    out = args.out / f"demo_{args.scale}"
    sidil = Path(sys.executable).with_name("sidil")
    results = Path(__file__).resolve().parent / "results"
    label = f"demo_{args.scale}"
    result = run_measured(
        [str(sidil), "demo", "--scale", args.scale, "--seed", str(args.seed), "--out", str(out)], label, results
    )
    if out.exists():
        result["output_gib"] = folder_size_gib(out)
        (results / f"{label}.json").write_text(json.dumps(result, indent=2) + "\n")
        print(f"output size: {result['output_gib']} GiB")
        if not args.keep:
            shutil.rmtree(out)
    return result["returncode"]


if __name__ == "__main__":
    raise SystemExit(main())
