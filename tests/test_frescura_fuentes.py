"""Source freshness (models/staging/*/_*__sources.yml): every raw table is checked on `cargado_en` with
thresholds from its publication calendar, and `dbt source freshness` runs on a loaded warehouse."""

from __future__ import annotations

import json
import shutil

import duckdb
import pytest

from tests.conftest import run_dbt

CATALOGOS_SIN_FRESCURA = {  # rarely-changing snapshots: an unchanged one is not reloaded, so age means nothing
    "dne.dne_grupo_empresa",
    "siapi.siapi_tipo_inspeccion",
    "siapi.siapi_subtipo_inspeccion",
    "siapi.siapi_tipo_desahogo",
    "siapi.siapi_materia",
    "siapi.siapi_submateria",
    "siapi.siapi_indicador",
    "siapi.siapi_oficina",
    "siapi.siapi_participantes",
}


def _frescura(db, target) -> tuple[int, dict[str, str]]:
    r = run_dbt(db, "source", "freshness", target=target)
    salida = json.loads((target / "sources.json").read_text(encoding="utf-8"))
    estados = {x["unique_id"].removeprefix("source.sidil."): x["status"] for x in salida["results"]}
    return r.returncode, estados


def _envejecer(db, dias: int) -> None:
    """Move every raw row's landing time `dias` days back, as if nothing had been delivered since."""
    con = duckdb.connect(str(db))
    try:
        for (tabla,) in con.execute(
            "select distinct table_name from information_schema.columns "
            "where table_schema = 'raw' and column_name = 'cargado_en'"
        ).fetchall():
            con.execute(f'update raw."{tabla}" set cargado_en = cargado_en - to_days(?)', [dias])
    finally:
        con.close()


@pytest.fixture()
def almacen(loaded_tiny, tmp_path):
    src, _ = loaded_tiny
    db = tmp_path / "sidil.duckdb"
    shutil.copy(src, db)
    return db


def test_a_fresh_load_passes_every_checked_source(almacen, tmp_path):
    rc, estados = _frescura(almacen, tmp_path / "target")
    assert rc == 0
    assert len(estados) == 19 and not set(estados) & CATALOGOS_SIN_FRESCURA
    assert set(estados.values()) == {"pass"}, estados


def test_thresholds_follow_the_publication_calendar(almacen, tmp_path):
    _envejecer(almacen, 60)  # two months without a delivery
    rc, estados = _frescura(almacen, tmp_path / "target")
    assert rc == 0  # warnings only
    assert estados["imss.imss_patrones"] == "warn"  # monthly: warn after 45 days
    assert estados["externos.canasta_alimentaria"] == "warn"
    assert estados["dne.dne_centro_trabajo"] == "warn"  # read at every run: warn after 35 days
    assert estados["siapi.siapi_inspeccion"] == "warn"
    assert estados["enoe.sdem"] == "pass"  # quarterly: warn after 150 days
    assert estados["imss.imss_riesgos"] == "pass"
    assert estados["censo.censo_c3"] == "pass"  # quinquennial
    _envejecer(almacen, 40)  # 100 days: a second monthly delivery missed
    rc, estados = _frescura(almacen, tmp_path / "target2")
    assert rc != 0
    assert estados["imss.imss_puestos"] == "error" and estados["dne.dne_empresa"] == "error"
    assert estados["enoe.coe1"] == "pass" and estados["externos.itaee"] == "pass"
