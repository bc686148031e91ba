"""The Python layering rules, read from the imports of every module (top-level and inside functions):
the loaders never import ml or the `sidil` package (the command, the interface, the generator); the
synthetic-data generator imports neither the loaders nor ml (it must not know how its files are read); and
`settings` imports nothing of the project, so every layer may import it."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

PROYECTO = {"loaders", "ml", "sidil", "settings", "tests", "bench"}


def _importados(carpeta: Path) -> dict[str, set[str]]:
    """{module imported (absolute): files of `carpeta` importing it}; relative imports stay inside their package."""
    salida: dict[str, set[str]] = {}
    for archivo in sorted(carpeta.rglob("*.py")):
        for nodo in ast.walk(ast.parse(archivo.read_text(encoding="utf-8"), str(archivo))):
            if isinstance(nodo, ast.Import):
                nombres = [a.name for a in nodo.names]
            elif isinstance(nodo, ast.ImportFrom) and nodo.level == 0 and nodo.module:
                nombres = [nodo.module]
            else:
                continue
            for nombre in nombres:
                salida.setdefault(nombre, set()).add(archivo.relative_to(ROOT).as_posix())
    return salida


def _del_proyecto(carpeta: Path, permitidos: tuple[str, ...]) -> dict[str, set[str]]:
    """The project modules `carpeta` imports outside the allowed prefixes."""
    return {
        m: archivos
        for m, archivos in _importados(carpeta).items()
        if m.split(".")[0] in PROYECTO and not any(m == p or m.startswith(p + ".") for p in permitidos)
    }


def test_the_loaders_import_only_loaders_and_settings():
    assert _del_proyecto(ROOT / "loaders", ("loaders", "settings")) == {}


def test_the_generator_imports_neither_the_loaders_nor_ml():
    assert _del_proyecto(ROOT / "sidil" / "demo", ("sidil", "settings")) == {}


def test_settings_imports_only_the_standard_library():
    modulos = _importados(ROOT / "settings")
    assert modulos, "settings/ has no imports to check: the scan is broken"
    assert {m for m in modulos if m.split(".")[0] not in sys.stdlib_module_names and m != "__future__"} == set()
    # And at run time: importing it loads no module of the project (every layer can import it without cycles).
    r = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, settings; print(sorted(m for m in sys.modules if m.split('.')[0] in "
            f"{sorted(PROYECTO - {'settings'})!r}))",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert r.stdout.strip() == "[]"
