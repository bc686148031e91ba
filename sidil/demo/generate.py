"""`sidil demo`: write a complete synthetic input folder for one scale and seed.

Layout (the loaders read it as they would the real deliveries):
    enoe/  imss/patrones/  imss/puestos/  imss/riesgos/  censo/  externos/  dne/  siapi/  truth/
Each source module exposes `expected_files(world) -> int` and `write(world, out, tick) -> list[Path]`,
where `tick(name)` is called once per file written (drives the progress bar).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

from sidil.demo import censo, dne, enoe, externos, imss, siapi, truth
from sidil.demo.scales import SCALES
from sidil.demo.world import World

SOURCES: dict[str, ModuleType] = {
    "enoe": enoe,
    "imss": imss,
    "censo": censo,
    "externos": externos,
    "dne": dne,
    "siapi": siapi,
}


def generate(
    scale: str, seed: int, out: Path, on_source: Callable[[str, int], Callable[[str], None]] | None = None
) -> dict:
    """Generate every source into `out` (replaced if it exists). Returns the summary written to
    truth/demo.json. `on_source(name, n_files)` may return a per-file `tick` callback."""
    if scale not in SCALES:
        raise ValueError(f"Escala desconocida: {scale!r}; use una de {', '.join(SCALES)}")
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        # Only ever replace a folder this command wrote: never wipe an arbitrary directory.
        if not (out / "truth" / "demo.json").exists():
            raise FileExistsError(
                f"La carpeta {out} existe y no es una carpeta de demostración de SIDIL; elija otra con --out."
            )
        shutil.rmtree(out)
    out.mkdir(parents=True)
    world = World(SCALES[scale], seed)
    files: dict[str, list[str]] = {}
    for name, module in SOURCES.items():
        tick = on_source(name, module.expected_files(world)) if on_source else (lambda _f: None)
        written = module.write(world, out, tick)
        files[name] = sorted(str(p.relative_to(out)) for p in written)
    truth.write_ct_submateria(world, out / "truth")
    truth.write_por_anio(world, out / "truth")
    summary = {"escala": scale, "semilla": seed, "archivos": files}
    (out / "truth" / "demo.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return summary
