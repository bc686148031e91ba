"""SIAPI-SIPAS demo databases: five instances, the manual's query reproduces the truth under the
first-instance rule, copies differ, catalogs, dates, types and determinism."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sidil.demo import siapi
from sidil.demo.materias import SUBMATERIAS
from sidil.demo.scales import SCALES
from sidil.demo.truth import centro_trabajo_id
from sidil.demo.world import World
from tests.conftest import SEED

TABLAS = {
    "inspeccion": [
        "inspeccion_id",
        "centro_trabajo_id",
        "oficina_id",
        "entidad_federativa_id",
        "tipo_inspeccion_id",
        "subtipo_inspeccion_id",
        "insp_fecha_orden",
        "insp_fecha",
        "insp_num_trabajadores",
        "insp_estatus",
    ],
    "desahogo": ["desahogo_id", "inspeccion_id", "dshgo_tipo_desahogo", "dshgo_fecha"],
    "dshgo_alcance": ["dshgo_alcance_id", "desahogo_id", "submateria_id"],
    "dshgo_revision": ["dshgo_revision_id", "desahogo_id", "indicador_id", "drev_cumple"],
    "calif_violacion": ["calif_violacion_id", "dshgo_revision_id", "cviol_procede", "cviol_fecha"],
    "inspec_participantes": ["inspec_participante_id", "inspeccion_id", "participante_id", "ipart_responsable"],
    "tipo_inspeccion": ["tipo_inspeccion_id", "descripcion"],
    "subtipo_inspeccion": ["subtipo_inspeccion_id", "tipo_inspeccion_id", "descripcion"],
    "tipo_desahogo": ["dshgo_tipo_desahogo", "descripcion"],
    "materia": ["materia_id", "descripcion"],
    "submateria": ["submateria_id", "materia_id", "descripcion"],
    "indicador": ["indicador_id", "submateria_id", "ind_inciso", "ind_fundamento", "ind_descripcion"],
    "oficina": ["oficina_id", "entidad_federativa_id", "municipio_id", "nombre", "tipo_oficina"],
    "participantes": ["participante_id", "tipo_participante", "oficina_id", "clave", "activo"],
}

CONSULTA = """
select d.inspeccion_id, i.submateria_id, d.dshgo_tipo_desahogo,
       count(*) as nind, count(v.calif_violacion_id) as nvio, coalesce(sum(v.cviol_procede = 1), 0) as nvio_procede
from desahogo d
join dshgo_alcance a on a.desahogo_id = d.desahogo_id
join dshgo_revision r on r.desahogo_id = d.desahogo_id
join indicador i on i.indicador_id = r.indicador_id and i.submateria_id = a.submateria_id
left join calif_violacion v on v.dshgo_revision_id = r.dshgo_revision_id
{filtro}
group by 1, 2, 3
"""


def _escribir(tmp_path_factory, seed: int):
    out = tmp_path_factory.mktemp(f"siapi{seed}")
    ticks: list[str] = []
    world = World(SCALES["tiny"], seed)
    paths = siapi.write(world, out, ticks.append)
    return world, out, paths, ticks


@pytest.fixture(scope="module")
def generado(tmp_path_factory):
    return _escribir(tmp_path_factory, SEED)


@pytest.fixture(scope="module")
def verdad(generado) -> pd.DataFrame:
    _, out, _, _ = generado
    return pd.read_parquet(out / "truth" / "inspecciones.parquet")


def _leer(paths: list[Path], sql: str) -> pd.DataFrame:
    partes = []
    for k, p in enumerate(paths, start=1):
        with sqlite3.connect(p) as con:
            partes.append(pd.read_sql(sql, con).assign(base=k))
    return pd.concat(partes, ignore_index=True)


def _historial(paths: list[Path], primera: bool = True, filtro: str = "where d.dshgo_tipo_desahogo between 1 and 4"):
    """The manual's history: the query in every instance, kept only for each inspection's first (or last)
    instance."""
    ids = _leer(paths, "select inspeccion_id from inspeccion")
    indice = ids.sort_values("base").drop_duplicates("inspeccion_id", keep="first" if primera else "last")
    res = _leer(paths, CONSULTA.format(filtro=filtro))
    return res.merge(indice, on=["inspeccion_id", "base"])


def test_five_instances_in_order_with_every_table(generado):
    world, out, paths, ticks = generado
    assert [p.name for p in paths] == [f"{n}.sqlite" for n in siapi.INSTANCIAS]
    assert siapi.INSTANCIAS == (
        "SSI_DB_ReformaLaboral",
        "SSI_DB_Prod",
        "SSI_DB_Prod_Rgitas",
        "SSI_DB_SIAPI_ReFeSSAT_Prod",
        "SSI_DB_SIAPI_REFESSATV2",
    )
    assert ticks == [p.name for p in paths] and siapi.expected_files(world) == 5
    assert all(p.parent == out / "siapi" for p in paths)
    for p in paths:
        with sqlite3.connect(p) as con:
            for tabla, columnas in TABLAS.items():
                assert [r[1] for r in con.execute(f"pragma table_info({tabla})")] == columnas, (p.name, tabla)
            assert con.execute("select count(*) from inspeccion").fetchone()[0] > 0


def test_catalogs(generado):
    _, _, paths, _ = generado
    with sqlite3.connect(paths[0]) as con:
        assert con.execute("select count(*), count(distinct submateria_id) from indicador").fetchone() == (8148, 28)
        assert con.execute("select count(*) from materia").fetchone()[0] == 7
        oficinas = con.execute("select count(*), count(distinct entidad_federativa_id) from oficina").fetchone()
        assert oficinas == (109, 32)
        subtipos = dict(con.execute("select descripcion, tipo_inspeccion_id from subtipo_inspeccion").fetchall())
        assert subtipos == {
            "Inicial": 1,
            "Periódica": 1,
            "Comprobación de medidas": 1,
            "Extraordinaria": 2,
            "Orientación y asesoría": 2,
        }
        por_sub = dict(con.execute("select submateria_id, count(*) from indicador group by 1").fetchall())
        assert por_sub == {s.submateria_id: s.items for s in SUBMATERIAS}


def test_sql_history_equals_the_truth_for_first_instances(generado, verdad):
    _, _, paths, _ = generado
    h = _historial(paths)
    m = verdad.merge(h, on=["inspeccion_id", "submateria_id"], how="outer", indicator=True, suffixes=("", "_sql"))
    assert (m["_merge"] == "both").all()
    for col in ("nind", "nvio", "nvio_procede", "dshgo_tipo_desahogo"):
        assert (m[col] == m[f"{col}_sql"]).all(), col
    assert (m["instancia"] == m["base"]).all()
    assert ((verdad["nvio_procede"] > 0) == (verdad["violacion"] == 1)).all()


def test_copies_exist_and_differ_so_the_first_instance_rule_matters(generado, verdad):
    _, _, paths, _ = generado
    ids = _leer(paths, "select inspeccion_id from inspeccion")
    veces = ids.groupby("inspeccion_id").size()
    assert 0.15 < (veces > 1).mean() < 0.5 and veces.max() >= 3
    primera = ids.groupby("inspeccion_id")["base"].min()
    t = verdad.drop_duplicates("inspeccion_id").set_index("inspeccion_id")["instancia"]
    assert (primera.loc[t.index] == t).all()
    # Taking the last copy instead of the first gives other rows and other targets.
    ultima = _historial(paths, primera=False)
    m = verdad.merge(ultima, on=["inspeccion_id", "submateria_id"], how="outer", indicator=True, suffixes=("", "_u"))
    assert (m["_merge"] != "both").sum() > 0
    ambos = m[m["_merge"] == "both"]
    assert ((ambos["nvio_procede"] > 0) != (ambos["nvio_procede_u"] > 0)).sum() > 0
    # Without the type filter, cancelled proceedings add counts.
    sin_filtro = _historial(paths, filtro="")
    assert len(sin_filtro) > len(verdad) or sin_filtro["nind"].sum() > verdad["nind"].sum()


def test_items_in_revisions_exist_in_the_catalog(generado):
    _, _, paths, _ = generado
    for p in paths:
        with sqlite3.connect(p) as con:
            assert (
                con.execute(
                    "select count(*) from dshgo_revision r left join indicador i using (indicador_id) "
                    "where i.indicador_id is null"
                ).fetchone()[0]
                == 0
            )
            assert (
                con.execute(
                    "select count(*) from calif_violacion v left join dshgo_revision r "
                    "using (dshgo_revision_id) where r.dshgo_revision_id is null"
                ).fetchone()[0]
                == 0
            )
            assert (
                con.execute(
                    "select max(c) from (select count(*) c from calif_violacion group by dshgo_revision_id)"
                ).fetchone()[0]
                == 1
            )


def test_dates_within_each_instance_window(generado, verdad):
    _, _, paths, _ = generado
    insp = _leer(paths, "select inspeccion_id, insp_fecha, insp_fecha_orden from inspeccion")
    primera = insp.sort_values("base").drop_duplicates("inspeccion_id")
    for k, (desde, hasta) in enumerate(siapi.VENTANAS, start=1):
        f = primera.loc[primera["base"] == k, "insp_fecha"]
        assert len(f) and (f.str[:10] >= desde).all() and (f.str[:10] <= hasta).all(), k
        v = verdad.loc[verdad["instancia"] == k, "fecha"].astype(str)
        assert (v >= desde).all() and (v <= hasta).all()
    assert (insp["insp_fecha_orden"] < insp["insp_fecha"]).all()
    assert insp["insp_fecha"].str.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.000").all()


def test_volumes_types_and_cts(generado, verdad):
    world, _, paths, _ = generado
    insp = _leer(
        paths, "select inspeccion_id, centro_trabajo_id, tipo_inspeccion_id, subtipo_inspeccion_id from inspeccion"
    ).drop_duplicates("inspeccion_id")
    n = SCALES["tiny"].n_inspecciones
    assert len(insp) == n
    por_base = (
        insp.merge(
            _leer(paths, "select inspeccion_id from inspeccion").groupby("inspeccion_id")["base"].min().reset_index(),
            on="inspeccion_id",
        )
        .groupby("base_y")
        .size()
    )
    assert np.array_equal(por_base.to_numpy(), siapi.conteos(n))
    assert abs(por_base[5] / n - 0.06) < 0.005
    assert 0.35 < (insp["tipo_inspeccion_id"] == 1).mean() < 0.45
    assert set(insp.loc[insp["tipo_inspeccion_id"] == 1, "subtipo_inspeccion_id"]) == {1, 2, 3}
    assert set(insp.loc[insp["tipo_inspeccion_id"] == 2, "subtipo_inspeccion_id"]) == {4, 5}
    assert set(insp["centro_trabajo_id"]) <= set(centro_trabajo_id(world).tolist())
    assert insp.groupby("centro_trabajo_id").size().max() > 1  # some CTs inspected several times
    # A "comprobación de medidas" revisits a CT inspected before.
    insp = insp.sort_values("inspeccion_id")
    antes = insp.groupby("centro_trabajo_id").cumcount() > 0
    assert antes[insp["subtipo_inspeccion_id"] == 3].mean() > 0.95
    assert antes[insp["subtipo_inspeccion_id"] != 3].mean() < 0.75
    # Ordinary initial inspections cover more submaterias than orientation visits.
    cobertura = verdad.groupby(["inspeccion_id", "subtipo_inspeccion_id"]).size().groupby(level=1).mean()
    assert cobertura[1] > 2 * cobertura[5]
    # Pressure-vessel submaterias concentrate on CTs with vessels.
    rec = world.cts.recipientes[verdad["centro_trabajo_id"].to_numpy() - 100_001]
    assert rec[verdad["submateria_id"].isin([501, 502]).to_numpy()].mean() > 0.7


def test_truth_probabilities_and_outcomes(verdad):
    assert verdad["prob_violacion"].between(0, 1, inclusive="neither").all()
    assert not verdad.duplicated(["inspeccion_id", "submateria_id"]).any()
    assert (verdad["nind"] >= 1).all() and (verdad["nvio"] <= verdad["nind"]).all()
    assert (verdad["nvio_procede"] <= verdad["nvio"]).all()
    assert ((verdad["nvio"] > 0) == (verdad["violacion"] == 1)).all()
    assert (verdad["nvio"] > verdad["nvio_procede"]).any()  # some violations do not stand
    # Outcomes follow the planted probabilities.
    alto = verdad["prob_violacion"] > verdad["prob_violacion"].median()
    assert verdad.loc[alto, "violacion"].mean() > verdad.loc[~alto, "violacion"].mean() + 0.1
    assert abs(verdad["violacion"].mean() - verdad["prob_violacion"].mean()) < 0.03


def test_deterministic_for_a_seed(generado, tmp_path_factory):
    _, out, paths, _ = generado
    _, out2, again, _ = _escribir(tmp_path_factory, SEED)
    _, _, other, _ = _escribir(tmp_path_factory, SEED + 1)
    digest = lambda p: hashlib.sha256(p.read_bytes()).hexdigest()  # noqa: E731
    assert [digest(p) for p in paths] == [digest(p) for p in again]
    assert all(digest(a) != digest(b) for a, b in zip(paths, other))
    assert digest(out / "truth" / "inspecciones.parquet") == digest(out2 / "truth" / "inspecciones.parquet")
