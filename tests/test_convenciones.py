"""The project's conventions, checked on dbt's own manifest (the project's stand-in for dbt-project-evaluator,
which cannot be installed here) and on the built tiny warehouse. Each rule names what breaks it; a deliberate
exception is a row of `seeds/convenciones_excepciones.csv` that says why.

Rules: every model has a key test; every mart has an enforced contract; every column of a model (staging,
intermediate or mart, as built in the warehouse) or of a source is declared and described; layers flow one way
(staging reads sources and seeds, intermediate reads staging and intermediate, marts read anything below them,
never the other way, and a staging model reads no other staging model but its source's `base_` models);
`source()` only in staging; every `var()` is declared in dbt_project.yml."""

from __future__ import annotations

import csv
import json
import re
from functools import cache
from pathlib import Path

import duckdb
import pytest
import yaml

from tests.conftest import ROOT, run_dbt

CAPAS = {"staging": 0, "intermediate": 1, "marts": 2}
PRUEBAS_DE_LLAVE = {"unique", "unique_combination_of_columns"}


@pytest.fixture(scope="module")
def manifiesto(tmp_path_factory) -> dict:
    destino = tmp_path_factory.mktemp("convenciones")
    r = run_dbt(destino / "p.duckdb", "parse", target=destino / "target")
    assert r.returncode == 0, r.stdout[-3000:]
    return json.loads((destino / "target" / "manifest.json").read_text(encoding="utf-8"))


@cache
def excepciones() -> dict[tuple[str, str], str]:
    with open(ROOT / "seeds" / "convenciones_excepciones.csv", encoding="utf-8") as f:
        return {(r["regla"], r["objeto"]): r["motivo"] for r in csv.DictReader(f)}


def _sin_excepcion(regla: str, objetos) -> list[str]:
    return sorted(o for o in objetos if (regla, o) not in excepciones())


def _modelos(m: dict) -> dict[str, dict]:
    return {k: n for k, n in m["nodes"].items() if n["resource_type"] == "model"}


def _capa(nodo: dict) -> str | None:
    partes = Path(nodo["original_file_path"]).parts
    return partes[1] if len(partes) > 1 and partes[0] == "models" and partes[1] in CAPAS else None


def test_every_exception_says_why():
    for (regla, objeto), motivo in excepciones().items():
        assert len(motivo.strip()) >= 20, f"exception {regla}/{objeto} needs a reason"


def test_every_model_has_a_key_test(manifiesto):
    con_llave = set()
    for nodo in manifiesto["nodes"].values():
        nombre = (nodo.get("test_metadata") or {}).get("name")
        if nodo["resource_type"] == "test" and nombre in PRUEBAS_DE_LLAVE:
            con_llave.update(nodo["depends_on"]["nodes"])
    for nodo in _modelos(manifiesto).values():  # a model whose contract declares a primary key also has one
        if any(c.get("type") == "primary_key" for c in nodo.get("constraints") or []):
            con_llave.add(nodo["unique_id"])
    sin = [n["name"] for k, n in _modelos(manifiesto).items() if k not in con_llave]
    assert _sin_excepcion("llave", sin) == [], "models without a unique / unique_combination_of_columns test"


def test_every_mart_has_an_enforced_contract(manifiesto):
    sin = [
        n["name"]
        for n in _modelos(manifiesto).values()
        if _capa(n) == "marts" and not (n["config"].get("contract") or {}).get("enforced")
    ]
    assert _sin_excepcion("contrato", sin) == []


def test_layers_flow_one_way_and_sources_are_read_only_in_staging(manifiesto):
    modelos = _modelos(manifiesto)
    atras, fuentes_fuera = [], []
    for nodo in modelos.values():
        capa = CAPAS[_capa(nodo)] if _capa(nodo) else None
        for dep in nodo["depends_on"]["nodes"]:
            if dep.startswith("source.") and _capa(nodo) != "staging":
                fuentes_fuera.append(nodo["name"])
            if dep in modelos and _capa(modelos[dep]) and capa is not None:
                origen = CAPAS[_capa(modelos[dep])]
                # staging may read its own source's base models (dbt's base/ pattern), nothing else of staging
                base = (
                    modelos[dep]["name"].startswith("base_")
                    and "base" in Path(modelos[dep]["original_file_path"]).parts
                )
                if origen > capa or (origen == capa == CAPAS["staging"] and not base):
                    atras.append(f"{modelos[dep]['name']}->{nodo['name']}")
    assert _sin_excepcion("capa", atras) == [], "an edge goes from a later layer back (or staging to staging)"
    assert _sin_excepcion("fuente", fuentes_fuera) == [], "source() outside staging"


def test_every_model_and_source_column_is_declared_and_described(manifiesto, built_tiny):
    con = duckdb.connect(str(built_tiny), read_only=True)
    try:
        reales = {}
        for esquema, tabla, columna in con.execute(
            "select table_schema, table_name, column_name from information_schema.columns"
        ).fetchall():
            reales.setdefault((esquema, tabla), []).append(columna)
    finally:
        con.close()
    faltan = []
    for nodo in _modelos(manifiesto).values():
        if _capa(nodo) is None:
            continue
        for col in reales.get((nodo["schema"], nodo["alias"]), []):
            if not (nodo["columns"].get(col) or {}).get("description", "").strip():
                faltan.append(f"{nodo['name']}.{col}")
    for fuente in manifiesto["sources"].values():
        columnas = reales.get((fuente["schema"], fuente["identifier"]), [])
        for col in columnas:
            if not (fuente["columns"].get(col) or {}).get("description", "").strip():
                faltan.append(f"{fuente['source_name']}.{fuente['name']}.{col}")
    assert _sin_excepcion("columna", faltan) == [], "undeclared or undescribed columns"


def test_every_var_is_declared():
    declaradas = set((yaml.safe_load((ROOT / "dbt_project.yml").read_text(encoding="utf-8")).get("vars") or {}))
    usadas = set()
    for ruta in [*ROOT.glob("models/**/*.sql"), *ROOT.glob("macros/**/*.sql"), *ROOT.glob("models/**/*.yml")]:
        usadas.update(re.findall(r"""\bvar\(\s*['"](\w+)['"]""", ruta.read_text(encoding="utf-8")))
    assert _sin_excepcion("var", usadas - declaradas) == []
