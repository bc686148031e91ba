"""Module II on the tiny demo: one row per DNE workplace, nominative values where the CT has a registro,
and imputed indicators that carry the planted signal."""

from __future__ import annotations

import duckdb


def test_one_row_per_dne_workplace_with_every_indicator(built_tiny):
    con = duckdb.connect(str(built_tiny), read_only=True)
    n_dne = con.execute("select count(*) from raw.dne_centro_trabajo").fetchall()[0][0]
    n, distinct = con.execute(
        "select count(*), count(distinct centro_trabajo_id) from marts.universo_ct_con_indicadores"
    ).fetchall()[0]
    assert n == distinct == n_dne
    indicadores = [r[0] for r in con.execute("select indicador from staging.indicadores").fetchall()]
    for ind in indicadores:
        nulls = con.execute(
            f"select count(*) from marts.universo_ct_con_indicadores where ind_{ind} is null "
            f"or valor_{ind} is null or origen_{ind} is null"
        ).fetchall()[0][0]
        assert nulls == 0, ind
    con.close()


def test_workplaces_with_a_registro_get_their_own_imss_values(built_tiny):
    con = duckdb.connect(str(built_tiny), read_only=True)
    rows = con.execute("""
        select u.centro_trabajo_id, u.valor_sm105, n.valor
        from marts.universo_ct_con_indicadores as u
        inner join marts.indicadores_nominativos as n
            on n.cve_registro = u.ct_imss_registro and n.indicador = 'sm105' and n.frecuencia = 'mensual'
        inner join (select distinct periodo from marts.indicadores_coyuntura where indicador = 'sm105') as p
            on n.periodo = p.periodo
        where u.origen_sm105 = 'nominativo' and n.valor is not null
    """).fetchall()
    assert len(rows) > 100
    assert all(abs(a - b) < 1e-9 for _, a, b in rows)
    # And none without a registro is nominative.
    assert (
        con.execute(
            "select count(*) from marts.universo_ct_con_indicadores where ct_imss_registro is null "
            "and origen_rotacion = 'nominativo'"
        ).fetchall()[0][0]
        == 0
    )
    con.close()


def test_scaled_indicators_carry_the_planted_working_conditions(built_tiny, tiny_demo):
    """Nominative wage indicators of a CT track its latent conditions: worse conditions, higher
    (worse) scaled value."""
    con = duckdb.connect(str(built_tiny), read_only=True)
    latent = str(tiny_demo / "truth" / "ct_latente.parquet")
    corr = con.execute(f"""
        select corr(u.ind_sm105, t.calidad)
        from marts.universo_ct_con_indicadores as u
        inner join '{latent}' as t using (centro_trabajo_id)
        where u.origen_sm105 = 'nominativo'
    """).fetchall()[0][0]
    assert corr < -0.3, corr
    con.close()
