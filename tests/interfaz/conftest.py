"""Fixtures of the interface tests: the real MPR of the tiny demo (`sidil train` and `sidil predict` run for
real on a copy of the built warehouse), a hand-made MPR small enough to compute by hand, users, the browser
(Debian's chromium driven by Playwright) and `sidil serve` on a free local port."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def navegador():
    """Chromium for the browser tests; missing in CI is a failure (make test installs it), elsewhere a skip."""
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("Falta /usr/bin/chromium en CI: `make test` debe instalarlo (apt-get install chromium).")
        pytest.skip("Falta /usr/bin/chromium (apt-get install -y chromium).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield b
        b.close()


def puerto_libre() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def sidil_serve(env: dict, *args: str) -> Iterator[str]:
    """`sidil serve` with `env` and `args` on a free local port, once it answers; yields its base URL and
    stops it afterwards."""
    puerto = puerto_libre()
    sidil = str(Path(sys.executable).with_name("sidil"))
    proc = subprocess.Popen([sidil, "serve", "--port", str(puerto), *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)  # fmt: skip
    url = f"http://127.0.0.1:{puerto}"
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(url + "/login", timeout=1)
                break
            except (urllib.error.URLError, ConnectionError):
                if proc.poll() is not None:
                    pytest.fail(f"sidil serve terminó: {proc.stdout.read()}")
                time.sleep(0.2)
        else:
            pytest.fail("sidil serve no respondió en 30 s")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="session")
def mpr_tiny(built_tiny, tmp_path_factory) -> dict:
    """The tiny demo after `sidil train` and `sidil predict`: {'db', 'mpr' (folder), 'env'}."""
    root = tmp_path_factory.mktemp("interfaz")
    db = root / "sidil.duckdb"
    shutil.copy(built_tiny, db)
    env = dict(
        os.environ,
        SIDIL_DB=str(db),
        SIDIL_MODELOS=str(root / "models_store"),
        SIDIL_SALIDAS=str(root / "salidas"),
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
    )
    sidil = Path(sys.executable).with_name("sidil")
    for args in (["train", "--sin-reentrenar"], ["predict", "--publicar"]):
        r = subprocess.run([str(sidil), *args], env=env, capture_output=True, text=True)
        assert r.returncode == 0, f"sidil {' '.join(args)}:\n{r.stdout[-4000:]}\n{r.stderr[-4000:]}"
    mpr = root / "salidas" / "mpr"
    assert (mpr / "mpr.parquet").exists() and (mpr / "mpr_diccionario.parquet").exists()
    return {"db": db, "mpr": mpr, "env": env}


# Eight CTs: every figure the tests expect can be checked on paper.
#   id  geo2 tamaño  pred_201  ind_a  prioritario  trabajadores
#    1   01    1       0.10    0.90     sí           5
#    2   01    1       0.20    0.80     no           8
#    3   01    2       0.30    0.70     sí          12
#    4   02    3       0.40    0.60     no          20
#    5   02    NULL    0.50    0.50     sí         NULL
#    6   02    6       0.60    0.40     no         300
#    7   09    6       0.70    0.30     sí         400
#    8   09    NULL    0.80    0.20     NULL        40
ESTADOS = {"01": "Aguascalientes", "02": "Baja California", "09": "Ciudad de México"}
TAMANIOS = {1: "0 a 10 personas", 2: "11 a 15 personas", 3: "16 a 50 personas", 6: "251 y más personas"}


def escribir_mpr_manual(carpeta: Path, orden: list[int] | None = None) -> Path:
    geo2 = ["01", "01", "01", "02", "02", "02", "09", "09"]
    tam = [1, 1, 2, 3, None, 6, 6, None]
    filas = {
        "centro_trabajo_id": pa.array(range(1, 9), pa.int64()),
        "nombre_ct": [f"CT {i}" for i in range(1, 9)],
        "ct_imss_registro": ["A1", None, "A3", "A4", None, "A6", "A7", None],
        "geo2": geo2,
        "nom_geo2": [ESTADOS[g] for g in geo2],
        "geo5": [g + "001" for g in geo2],
        "nom_geo5": ["Municipio " + g for g in geo2],
        "scian2018_2": ["31"] * 4 + ["46"] * 4,
        "nom_scian2018_2": ["Industrias manufactureras"] * 4 + ["Comercio"] * 4,
        "scian2018_3": ["311"] * 4 + ["461"] * 4,
        "nom_scian2018_3": ["Alimentaria"] * 4 + ["Comercio al por menor"] * 4,
        "cat_tamanio": pa.array(tam, pa.int32()),
        "nom_cat_tamanio": [TAMANIOS.get(t) for t in tam],
        "atrib_num_trabajadores": pa.array([5, 8, 12, 20, None, 300, 400, 40], pa.int32()),
        "atrib_clase_riesgo": pa.array([1, 2, 3, 4, 5, 1, 2, 3], pa.int32()),
        "atrib_tiene_registro_imss": [True, False, True, True, False, True, True, False],
        "atrib_ct_prioritario": [True, False, True, False, True, False, True, None],
        "ind_a": [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2],
        "pred_201": [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8],
        "riesgo": [0.15, 0.25, 0.35, 0.45, 0.55, 0.65, 0.75, 0.85],
    }
    tabla = pa.table(filas)
    if orden:
        tabla = tabla.take([i - 1 for i in orden])
    carpeta.mkdir(parents=True, exist_ok=True)
    pq.write_table(tabla, carpeta / "mpr.parquet")
    dicc = [
        ("centro_trabajo_id", "identificacion", "Centro de trabajo", ""),
        ("geo2", "identificacion", "Clave de entidad", "Entidad federativa"),
        ("cat_tamanio", "identificacion", "Tamaño", "Categoría de tamaño"),
        ("atrib_num_trabajadores", "atributo", "Trabajadores", ""),
        ("atrib_clase_riesgo", "atributo", "Clase de riesgo IMSS", ""),
        ("atrib_tiene_registro_imss", "atributo", "Con registro IMSS", ""),
        ("atrib_ct_prioritario", "atributo", "Centro prioritario", ""),
        ("ind_a", "indicador", "Indicador A", "Un indicador de prueba (1 = peor)"),
        ("pred_201", "prediccion", "Riesgo en contratación", "Probabilidad en la submateria 201"),
        ("riesgo", "riesgo", "Riesgo compuesto", "Probabilidad en alguna submateria"),
    ]
    cols = list(zip(*dicc))
    pq.write_table(
        pa.table({"columna": cols[0], "grupo": cols[1], "etiqueta": cols[2], "descripcion": cols[3]}),
        carpeta / "mpr_diccionario.parquet",
    )
    (carpeta / "mpr_metadatos.json").write_text(
        json.dumps({"run_id": "r-manual", "familia": "bosque", "generado_en": "2026-11-20T10:30:00", "n_centros": 8})
    )
    return carpeta


@pytest.fixture
def mpr_manual(tmp_path) -> Path:
    return escribir_mpr_manual(tmp_path / "mpr")
