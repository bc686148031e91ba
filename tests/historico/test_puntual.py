"""Point-in-time historical matching (issue 16) on the tiny demo: no input of marts.entrenamiento was
published on or after its inspection's date, nothing is back-filled, the nominative IMSS inputs equal an
independent recomputation from the registro's monthly values, and the manual's table keeps its rule with
the same columns and keys."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd
import pytest

IMSS = [
    "valor_rotacion",
    "valor_brecha_imss",
    "valor_sm105",
    "valor_concentracion",
    "valor_tasa_accidentes",
    "valor_tasa_dias",
]


@pytest.fixture(scope="module")
def con(built_tiny):
    c = duckdb.connect(str(built_tiny), read_only=True)
    yield c
    c.close()


def test_no_input_was_published_on_or_after_the_inspection_date(con):
    n, tarde = con.execute("""
        with publicacion as (
            select distinct indicador, periodo, fecha_publicacion
            from intermediate.int_historico__estimaciones_fechadas
        )
        select count(*), count(*) filter (where p.fecha_publicacion >= h.fecha_inspeccion)
        from intermediate.int_historico__imputacion_puntual as i
        inner join intermediate.int_historico__inspecciones as h using (inspeccion_id)
        inner join publicacion as p on p.indicador = i.indicador and p.periodo = i.periodo_hasta
    """).fetchone()
    assert n > 10_000
    assert tarde == 0
    # The manual's rule does look ahead on the same history: 2012-2018 inspections get 2019's IMSS values.
    adelantadas = con.execute("""
        select count(*) from intermediate.int_historico__imputacion_inspeccion as i
        inner join intermediate.int_historico__inspecciones as h using (inspeccion_id)
        where i.fuente = 'imss' and i.anio_estimacion > h.anio
    """).fetchone()[0]
    assert adelantadas > 0


def test_before_the_imss_history_imss_inputs_are_missing_not_back_filled(con):
    cols = ", ".join(f"count({c})" for c in IMSS)
    pit = con.execute(
        f"select count(*), {cols}, count(valor_hrs_trab) from marts.entrenamiento "
        "where fecha_inspeccion < date '2019-10-21'"
    ).fetchone()
    manual = con.execute(
        f"select count(*), {cols}, count(valor_hrs_trab) from marts.entrenamiento_manual "
        "where fecha_inspeccion < date '2019-10-21'"
    ).fetchone()
    assert pit[0] == manual[0] > 1000
    assert pit[1:7] == (0,) * 6  # nothing published yet (the first IMSS month is September 2019)
    assert all(v == manual[0] for v in manual[1:7])  # the manual gives them 2019's values
    assert pit[7] == manual[7] == pit[0]  # ENOE starts in 2012 for both


def test_nominative_inputs_equal_the_registros_published_months(con):
    """Recompute, in pandas, valor_rotacion of every nominative point-in-time input: the plain mean of the
    registro's monthly values of the 12 months ending with the newest month published 20 days before the
    inspection date."""
    insp = con.execute("""
        select distinct e.inspeccion_id, e.fecha_inspeccion, e.valor_rotacion, m.valor_rotacion as manual,
               ct.ct_imss_registro
        from marts.entrenamiento as e
        inner join marts.entrenamiento_manual as m using (inspeccion_id, submateria_id)
        inner join marts.dne_plus as ct on ct.centro_trabajo_id = e.centro_trabajo_id
        inner join intermediate.int_historico__imputacion_puntual as i
            on i.inspeccion_id = e.inspeccion_id and i.indicador = 'rotacion' and i.origen = 'nominativo'
    """).df()
    assert len(insp) > 20
    meses = con.execute("""
        select cve_registro, strptime(periodo, '%Y-%m')::date as mes, valor
        from marts.indicadores_nominativos
        where frecuencia = 'mensual' and indicador = 'rotacion' and valor is not null
    """).df()
    meses["mes"] = pd.to_datetime(meses["mes"])
    por_registro = dict(tuple(meses.groupby("cve_registro")))
    distintos = 0
    for fila in insp.itertuples():
        limite = fila.fecha_inspeccion - dt.timedelta(days=20)
        ultimo = pd.Timestamp(limite.year, limite.month, 1) - pd.DateOffset(months=1)
        m = por_registro[fila.ct_imss_registro]
        ventana = m[(m["mes"] <= ultimo) & (m["mes"] > ultimo - pd.DateOffset(months=12))]
        assert len(ventana) > 0
        assert fila.valor_rotacion == pytest.approx(ventana["valor"].mean(), abs=1e-9)
        distintos += abs(fila.valor_rotacion - fila.manual) > 1e-9
    assert distintos > 0  # the look-ahead does change inputs on the demo


def test_both_tables_have_the_same_columns_and_keys(con):
    def columnas(t):
        return [(r[0], r[1]) for r in con.execute(f"describe marts.{t}").fetchall()]

    assert columnas("entrenamiento") == columnas("entrenamiento_manual")
    diferencia = con.execute("""
        select count(*) from (
            (select inspeccion_id, submateria_id, violacion from marts.entrenamiento
             except select inspeccion_id, submateria_id, violacion from marts.entrenamiento_manual)
            union all
            (select inspeccion_id, submateria_id, violacion from marts.entrenamiento_manual
             except select inspeccion_id, submateria_id, violacion from marts.entrenamiento)
        )""").fetchone()[0]
    assert diferencia == 0


def test_worker_count_is_the_one_known_on_the_date(con):
    # Inspections before the IMSS history of CTs whose DNE lacks the count: unknown then, today's in manual.
    pit, manual = con.execute("""
        select count(e.num_trabajadores), count(m.num_trabajadores)
        from marts.entrenamiento as e
        inner join marts.entrenamiento_manual as m using (inspeccion_id, submateria_id)
        inner join intermediate.int_historico__atributos_fechados as a using (inspeccion_id)
        inner join staging.stg_dne__centro_trabajo as d on d.centro_trabajo_id = e.centro_trabajo_id
        where d.num_trabajadores is null and d.ct_imss_registro is not null and e.fecha_inspeccion < '2019-10-01'
    """).fetchone()
    assert pit == 0 and manual > 0
