"""One feature definition for training and scoring: the same CT values give the same model inputs from
marts.entrenamiento and marts.universo_ct_con_indicadores, missing and infinite values become -1."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pytest

from ml.data import leer_historia, leer_universo
from ml.features import FeatureMismatch, atributos_del_modelo, check_same, feature_names, select_list

INDICADORES = ["rotacion", "sm105", "seg_soc"]
SEED_DNE = Path(__file__).resolve().parents[2] / "seeds" / "dne_campos.csv"
# The CT attributes the DNE field catalog marks as model inputs, in its order (seeds/dne_campos.csv).
ATRIBUTOS = [
    "geo2",
    "scian2018_2",
    "rama_industrial_id",
    "num_trabajadores",
    "clase_riesgo",
    "prima_riesgo",
    "sustancias_peligrosas",
    "recipientes_sujetos_presion",
    "materiales_piroforicos",
    "maquinaria_peligrosa",
    "trabajos_altura",
    "espacios_confinados",
    "ct_prioritario",
    "presento_declaracion",
]


def _tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema staging; create schema marts")
    con.execute("create table staging.indicadores (fuente varchar, indicador varchar, entra_al_modelo varchar)")
    con.execute(
        "insert into staging.indicadores values ('imss', 'rotacion', 'sí'), ('imss', 'sm105', 'sí'), "
        "('enoe', 'seg_soc', 'sí'), ('enoe', 'ing_min', 'no')"
    )
    con.execute("create table staging.dne_campos as select * from read_csv(?, all_varchar = true)", [str(SEED_DNE)])
    attrs = """geo2 varchar, scian2018_2 varchar, rama_industrial_id integer, num_trabajadores integer,
               clase_riesgo integer, prima_riesgo double, sustancias_peligrosas boolean,
               recipientes_sujetos_presion boolean, materiales_piroforicos boolean, maquinaria_peligrosa boolean,
               trabajos_altura boolean, espacios_confinados boolean, ct_prioritario boolean,
               presento_declaracion boolean,
               valor_rotacion double, valor_sm105 double, valor_seg_soc double, valor_ing_min double"""
    con.execute(f"""create table marts.entrenamiento (inspeccion_id bigint, submateria_id integer,
                    submateria_modelada boolean, fecha_inspeccion date, violacion boolean, {attrs})""")
    con.execute(f"create table marts.universo_ct_con_indicadores (centro_trabajo_id bigint, {attrs})")
    con.execute("create table marts.inspecciones_historicas (submateria_id integer, submateria varchar)")
    valores = """'09', '31-33', null, 12, 3, 2.5984, true, false, null, true, false, false, true, false,
                 'infinity'::double, null, 0.5, 0.9"""
    # inspection 1 checked two submaterias: its inputs are read once
    con.execute(f"insert into marts.entrenamiento values (1, 201, true, date '2020-01-01', true, {valores})")
    con.execute(f"insert into marts.entrenamiento values (1, 202, true, date '2020-01-01', false, {valores})")
    con.execute(f"insert into marts.universo_ct_con_indicadores values (100001, {valores})")


def test_same_values_give_the_same_inputs_in_training_and_scoring():
    con = duckdb.connect()
    _tables(con)
    names = feature_names(con)
    assert atributos_del_modelo(con) == ATRIBUTOS  # the DNE catalog's model inputs, municipality excluded
    assert names == ATRIBUTOS + ["valor_seg_soc", "valor_rotacion", "valor_sm105"]  # catalog order, no ing_min
    h = leer_historia(con, names)
    ids, X = leer_universo(con, names)
    assert h.X.shape == (1, len(names)) and X.shape == (1, len(names))
    np.testing.assert_array_equal(h.X[0], X[0])
    row = dict(zip(names, X[0]))
    assert row["geo2"] == 9 and row["scian2018_2"] == 31  # codes as numbers; 31-33 is manufacturing
    assert row["rama_industrial_id"] == -1  # missing
    assert row["prima_riesgo"] == pytest.approx(2.5984) and row["presento_declaracion"] == 0
    assert row["sustancias_peligrosas"] == 1 and row["recipientes_sujetos_presion"] == 0
    assert row["materiales_piroforicos"] == -1
    assert row["valor_rotacion"] == -1  # infinite
    assert row["valor_sm105"] == -1  # missing
    assert row["valor_seg_soc"] == pytest.approx(0.5)
    assert h.cualquier_violacion.tolist() == [True]
    assert {s: y.tolist() for s, (_, y) in h.etiquetas.items()} == {201: [True], 202: [False]}


def test_real_tables_have_every_input(built_tiny):
    con = duckdb.connect(str(built_tiny), read_only=True)
    names = feature_names(con)
    h = leer_historia(con, names)
    ids, X = leer_universo(con, names)
    assert len(ids) == con.execute("select count(*) from marts.universo_ct_con_indicadores").fetchone()[0]
    # the universe falls back to national estimates: no indicator input is missing there
    ind = [i for i, n in enumerate(names) if n.startswith("valor_")]
    assert (X[:, ind] != -1).all()
    assert np.isfinite(h.X).all() and np.isfinite(X).all()
    # Under the manual's rule a CT's attributes are today's: its training rows and its universe row give the
    # same inputs. Point in time, only the worker count and size class are dated at the inspection (the
    # only attributes with a dated source, IMSS); every other attribute is still today's.
    todos = atributos_del_modelo(con)
    fechados = {"num_trabajadores", "cat_tamanio"}
    for tabla, attrs in (
        ("marts.entrenamiento_manual", todos),
        ("marts.entrenamiento", [a for a in todos if a not in fechados]),
    ):
        pares = con.execute(f"""
            with e as (select distinct centro_trabajo_id, {select_list(attrs)} from {tabla}),
                 u as (select centro_trabajo_id, {select_list(attrs)} from marts.universo_ct_con_indicadores)
            select {", ".join(f"count(*) filter (where e.{a} is distinct from u.{a})" for a in attrs)}, count(*)
            from e inner join u using (centro_trabajo_id)
        """).fetchone()
        assert pares[-1] > 100  # enough inspected CTs to compare
        assert dict(zip(attrs, pares[:-1])) == {a: 0 for a in attrs}, tabla
    con.close()


def test_a_different_feature_list_is_refused_with_a_clear_message():
    with pytest.raises(FeatureMismatch, match="valor_rotacion.*ya no tienen"):
        check_same(["geo2", "valor_rotacion"], ["geo2"], "r1")
    with pytest.raises(FeatureMismatch, match="valor_nuevo.*no conoce"):
        check_same(["geo2"], ["geo2", "valor_nuevo"], "r1")
    with pytest.raises(FeatureMismatch, match="otro orden"):
        check_same(["a", "b"], ["b", "a"], "r1")
    check_same(["a", "b"], ["a", "b"], "r1")
