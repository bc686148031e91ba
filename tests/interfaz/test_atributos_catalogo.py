"""Catalog-driven workplace attributes (spec 002 4.2.3.1): the DNE field catalog (seeds/dne_campos.csv) is the one
list of CT attributes. A new row reaches the model inputs, the MPR and a consultation filter with no code change;
DECLARE, prima de riesgo and rama industrial are attributes and filters of the real MPR."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from ml.data import leer_historia, leer_universo
from ml.features import feature_names
from sidil.interfaz import consultas
from sidil.interfaz.filtros import FiltroRango, FiltroValores, Seleccion
from sidil.interfaz.mpr import Matriz
from tests.conftest import ROOT

# A DNE field the demo does not have: added to the landed table and to the catalog, nothing else.
FILA_NUEVA = (
    "dne,centro_trabajo,ct_brigada_emergencia,Cuenta con brigada de emergencia,sí,combo,brigada_emergencia,booleano\n"
)


def _proyecto_con_fila_nueva(destino: Path) -> Path:
    """A copy of the dbt project whose DNE field catalog has one more row (and no other difference)."""
    destino.mkdir(parents=True)
    for nombre in ("dbt_project.yml", "profiles.yml"):
        shutil.copy(ROOT / nombre, destino / nombre)
    for carpeta in ("models", "macros", "seeds", "tests/dbt"):
        if (ROOT / carpeta).exists():
            shutil.copytree(ROOT / carpeta, destino / carpeta)
    catalogo = destino / "seeds" / "dne_campos.csv"
    texto = catalogo.read_text(encoding="utf-8")
    catalogo.write_text(texto + ("" if texto.endswith("\n") else "\n") + FILA_NUEVA, encoding="utf-8")
    return destino


def _dbt(proyecto: Path, db: Path, *args: str) -> None:
    env = dict(os.environ, SIDIL_DB=str(db), DBT_SEND_ANONYMOUS_USAGE_STATS="false")
    dbt = Path(sys.executable).with_name("dbt")
    r = subprocess.run(
        [
            str(dbt),
            *args,
            "--profiles-dir",
            str(proyecto),
            "--project-dir",
            str(proyecto),
            "--target-path",
            str(proyecto / "target"),
            "--log-path",
            str(proyecto / "logs"),
        ],
        cwd=proyecto,
        env=env,
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stdout[-6000:] + r.stderr[-2000:]


@pytest.fixture(scope="module")
def mpr_con_atributo_nuevo(built_tiny, tmp_path_factory) -> dict:
    """The tiny warehouse with a new DNE field landed, rebuilt from a project copy whose catalog has its row,
    then `sidil train` and `sidil predict`."""
    raiz = tmp_path_factory.mktemp("atributo_nuevo")
    db = raiz / "sidil.duckdb"
    shutil.copy(built_tiny, db)
    con = duckdb.connect(str(db))
    con.execute("alter table raw.dne_centro_trabajo add column ct_brigada_emergencia varchar")
    # every third workplace has a brigade ('1'), the others say no ('0'), and ids ending in 5 left it blank
    con.execute("""update raw.dne_centro_trabajo set ct_brigada_emergencia = case
                   when centro_trabajo_id::bigint % 10 = 5 then null
                   when centro_trabajo_id::bigint % 3 = 0 then '1' else '0' end""")
    con.close()
    proyecto = _proyecto_con_fila_nueva(raiz / "proyecto")
    _dbt(proyecto, db, "seed", "--select", "dne_campos")
    _dbt(proyecto, db, "run", "--select", "stg_dne__centro_trabajo+")
    env = dict(
        os.environ,
        SIDIL_DB=str(db),
        SIDIL_MODELOS=str(raiz / "models_store"),
        SIDIL_SALIDAS=str(raiz / "salidas"),
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
    )
    sidil = Path(sys.executable).with_name("sidil")
    for args in (["train", "--sin-reentrenar"], ["predict", "--publicar"]):
        r = subprocess.run([str(sidil), *args], env=env, capture_output=True, text=True)
        assert r.returncode == 0, f"sidil {' '.join(args)}:\n{r.stdout[-4000:]}\n{r.stderr[-4000:]}"
    return {"db": db, "mpr": raiz / "salidas" / "mpr"}


def test_a_new_catalog_row_reaches_model_inputs_mpr_and_a_filter(mpr_con_atributo_nuevo):
    con = duckdb.connect(str(mpr_con_atributo_nuevo["db"]), read_only=True)
    esperado = dict(
        con.execute("""
        select centro_trabajo_id::bigint, ct_brigada_emergencia = '1' from raw.dne_centro_trabajo""").fetchall()
    )
    # 1. model inputs: the training table and the universe carry it, and the feature list has it
    names = feature_names(con)
    assert "brigada_emergencia" in names
    k = names.index("brigada_emergencia")
    ids, X = leer_universo(con, names)
    codigo = {True: 1.0, False: 0.0, None: -1.0}
    assert [X[i, k] for i in range(len(ids))] == [codigo[esperado[int(c)]] for c in ids]
    h = leer_historia(con, names)
    assert set(h.X[:, k]) == {1.0, 0.0, -1.0}
    # (and the model: `sidil predict` refuses a run whose inputs differ from feature_names, so it was trained on it)
    con.close()
    # 2. the MPR: atrib_brigada_emergencia with the DNE's values, its label and filter type in the dictionary
    m = Matriz(mpr_con_atributo_nuevo["mpr"])
    col = m.columna("atrib_brigada_emergencia")
    assert col.grupo == "atributo" and col.etiqueta == "Cuenta con brigada de emergencia"
    assert col.tipo_filtro == "combo" and col.booleana
    filas = dict(m.cursor().execute("select centro_trabajo_id, atrib_brigada_emergencia from mpr").fetchall())
    assert filas == esperado
    # 3. a consultation filter: offered, one value at a time, counting what the DNE says
    assert "atrib_brigada_emergencia" in [c.nombre for c in consultas.columnas_atributo(m)]
    assert consultas.modo_filtro(m, "atrib_brigada_emergencia") == "uno"
    assert [e for _, e in consultas.opciones(m, "atrib_brigada_emergencia")] == ["No", "Sí", "Sin dato"]
    sel = Seleccion(atributos=(FiltroValores("atrib_brigada_emergencia", (True,)),))
    assert consultas.conteo(m, sel) == sum(1 for v in esperado.values() if v is True) > 0


def test_declare_prima_and_rama_are_mpr_attributes_and_filters(mpr_tiny):
    """DECLARE, prima de riesgo and rama industrial (already in dne_plus) are in the real MPR with the
    catalog's labels and filters; the branch shows its name from seeds/ramas_industriales.csv."""
    m = Matriz(mpr_tiny["mpr"])
    filtrables = {c.nombre: c for c in consultas.columnas_atributo(m)}
    for nombre, modo in (
        ("atrib_presento_declaracion", "uno"),
        ("atrib_prima_riesgo", "rango"),
        ("atrib_rama_industrial_id", "varios"),
        ("atrib_clase_riesgo", "uno"),
        ("geo2", "varios"),
        ("geo5", "varios"),
        ("atrib_num_trabajadores", "rango"),
    ):
        assert nombre in filtrables, nombre
        assert consultas.modo_filtro(m, nombre) == modo, nombre
    assert filtrables["atrib_presento_declaracion"].etiqueta == "Presentó declaración (DECLARE)"
    # identification and label columns are not offered as filters
    assert not {"centro_trabajo_id", "nombre_ct", "nom_geo2", "nom_rama_industrial"} & set(filtrables)
    ramas = dict(consultas.opciones(m, "atrib_rama_industrial_id"))
    assert ramas[1] == "1 Textil" and ramas[22] == "22 Servicios de banca y crédito"
    # a range on the premium counts what SQL counts
    sel = Seleccion(atributos=(FiltroRango("atrib_prima_riesgo", 1.0, 3.0),))
    directo = m.cursor().execute("select count(*) from mpr where atrib_prima_riesgo between 1 and 3").fetchone()[0]
    assert consultas.conteo(m, sel) == directo > 0
    con = duckdb.connect(str(mpr_tiny["db"]), read_only=True)
    dne = con.execute("""select count(*) filter (where presento_declaracion), count(prima_riesgo),
                                count(rama_industrial_id), count(*) filter (where rama_industrial_id is not null
                                                                            and nom_rama_industrial is null)
                         from marts.dne_plus""").fetchone()
    con.close()
    assert dne[0] > 0 and dne[1] > 0 and dne[2] > 0 and dne[3] == 0  # every branch of the demo has a name


def test_the_catalog_filter_type_decides_over_counting_values(mpr_manual):
    """With filter types in the dictionary, the catalog decides: numérico is a range even with few values,
    sel_mul a list even for a numeric column, combo one value; na (or no type) is not offered. Without types
    (an older MPR) the distinct values are counted, as before."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    antes = Matriz(mpr_manual)
    assert consultas.modo_filtro(antes, "atrib_clase_riesgo") == "varios"  # 5 values: a list
    assert consultas.modo_filtro(antes, "atrib_num_trabajadores") == "varios"  # 8 values: a list
    dicc = pq.read_table(mpr_manual / "mpr_diccionario.parquet").to_pylist()
    tipos = {
        "geo2": "sel_mul",
        "cat_tamanio": "na",
        "atrib_num_trabajadores": "numérico",
        "atrib_clase_riesgo": "sel_mul",
        "atrib_tiene_registro_imss": "combo",
        "atrib_ct_prioritario": "combo",
    }
    for fila in dicc:
        fila["tipo_filtro"] = tipos.get(fila["columna"])
    pq.write_table(pa.Table.from_pylist(dicc), mpr_manual / "mpr_diccionario.parquet")
    m = Matriz(mpr_manual)
    assert [c.nombre for c in consultas.columnas_atributo(m)] == [
        "geo2",
        "atrib_num_trabajadores",
        "atrib_clase_riesgo",
        "atrib_tiene_registro_imss",
        "atrib_ct_prioritario",
    ]
    assert consultas.modo_filtro(m, "atrib_num_trabajadores") == "rango"
    assert consultas.modo_filtro(m, "atrib_clase_riesgo") == "varios"
    assert consultas.modo_filtro(m, "atrib_ct_prioritario") == "uno"
    sel = Seleccion(atributos=(FiltroRango("atrib_num_trabajadores", 10, 100),))
    assert consultas.ids(m, sel) == [3, 4, 8]  # 12, 20 and 40 workers
