"""Module IV on the tiny demo: each past inspection sees the indicators of its own year, the training
table has one row per inspection x submateria with the true target, and the first-instance rule
survives a re-load."""

from __future__ import annotations

import shutil

import duckdb

from tests.conftest import load_all, run_dbt


def _anios(con, anio):
    return dict(
        con.execute(
            """
        select i.fuente, any_value(i.anio_estimacion)
        from intermediate.int_historico__imputacion_inspeccion as i
        inner join intermediate.int_historico__inspecciones as h using (inspeccion_id)
        where h.anio = ? group by i.fuente""",
            [anio],
        ).fetchall()
    )


def test_an_inspection_sees_the_indicators_of_its_year(built_tiny):
    con = duckdb.connect(str(built_tiny), read_only=True)
    assert _anios(con, 2015) == {"enoe": 2015, "imss": 2019}  # IMSS starts in 2019
    assert _anios(con, 2022) == {"enoe": 2022, "imss": 2022}
    # The value a non-nominative inspection got is the historical estimate of that year and level.
    mismatches = con.execute("""
        select count(*)
        from intermediate.int_historico__imputacion_inspeccion as i
        inner join intermediate.int_historico__inspecciones as h using (inspeccion_id)
        inner join marts.dne_plus as ct using (centro_trabajo_id)
        inner join marts.indicadores_historicos as e
            on e.indicador = i.indicador and e.anio = i.anio_estimacion and e.agregacion = i.origen
            and e.geo2 is not distinct from (case when e.geo2 is null then null else ct.geo2 end)
            and e.geo5 is not distinct from (case when e.geo5 is null then null else ct.geo5 end)
            and e.scian2018_3 is not distinct from (case when e.scian2018_3 is null then null else ct.scian2018_3 end)
            and e.scian2018_2 is not distinct from (case when e.scian2018_2 is null then null else ct.scian2018_2 end)
            and e.cat_tamanio is not distinct from (case when e.cat_tamanio is null then null else ct.cat_tamanio end)
        where h.anio = 2015 and i.fuente = 'enoe' and abs(e.valor - i.valor) > 1e-12
    """).fetchall()[0][0]
    assert mismatches == 0
    n_2015 = con.execute("select count(*) from intermediate.int_historico__inspecciones where anio = 2015").fetchall()[
        0
    ][0]
    assert n_2015 > 0
    con.close()


def test_training_table_has_one_row_per_inspection_and_submateria_with_the_true_target(built_tiny, tiny_demo):
    con = duckdb.connect(str(built_tiny), read_only=True)
    truth = str(tiny_demo / "truth" / "inspecciones.parquet")
    n, distinct, wrong = con.execute(f"""
        select count(*), count(distinct (e.inspeccion_id, e.submateria_id)),
               count(*) filter (where e.violacion <> (t.violacion = 1))
        from marts.entrenamiento as e
        inner join '{truth}' as t using (inspeccion_id, submateria_id)""").fetchall()[0]
    n_truth = con.execute(f"select count(*) from '{truth}'").fetchall()[0][0]
    assert n == distinct == n_truth
    assert wrong == 0
    # Model inputs only, never missing on the demo; modelled submaterias are Condiciones Generales.
    cols = [r[0] for r in con.execute("describe marts.entrenamiento").fetchall()]
    assert "valor_ing_min" not in cols and "valor_subcontratacion" not in cols and "valor_rotacion" in cols
    modeladas = {
        r[0]
        for r in con.execute(
            "select distinct submateria_id from marts.entrenamiento where submateria_modelada"
        ).fetchall()
    }
    assert modeladas and all(200 < s < 300 for s in modeladas)
    con.close()


def test_first_instance_rule_survives_a_reload(built_tiny, tiny_demo, tmp_path):
    db = tmp_path / "w.duckdb"
    shutil.copy(built_tiny, db)
    before = (
        duckdb.connect(str(db), read_only=True)
        .execute(
            "select count(*), sum(hash(inspeccion_id, submateria_id, nind, nvio, nvio_procede, instancia)) "
            "from intermediate.int_inspecciones__revision_submateria"
        )
        .fetchall()
    )
    con = duckdb.connect(str(db))
    out = load_all(con, tiny_demo, {"siapi"}, solo_adicionales=False)
    assert {e.estado for e in out.entries} == {"reemplazado"}
    con.close()
    result = run_dbt(db, "run", "--select", "+int_inspecciones__revision_submateria")
    assert result.returncode == 0, result.stdout[-3000:]
    after = (
        duckdb.connect(str(db), read_only=True)
        .execute(
            "select count(*), sum(hash(inspeccion_id, submateria_id, nind, nvio, nvio_procede, instancia)) "
            "from intermediate.int_inspecciones__revision_submateria"
        )
        .fetchall()
    )
    assert after == before
