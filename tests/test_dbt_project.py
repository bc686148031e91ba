"""The dbt project builds on an empty DuckDB file: seeds load with their types and every data test passes."""

from __future__ import annotations

import duckdb

from tests.conftest import run_dbt


def test_dbt_build_loads_seeds_and_passes_data_tests(repo_root, tmp_path):
    db = tmp_path / "sidil.duckdb"
    # Seeds and the tests whose every parent is a seed (cautious: no test of a model that was not built).
    result = run_dbt(db, "build", "--select", "resource_type:seed", "--indirect-selection", "cautious")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    con = duckdb.connect(str(db), read_only=True)
    # Seeds land in the `staging` schema, never in a prefixed one (generate_schema_name).
    schemas = {r[0] for r in con.execute("select distinct table_schema from information_schema.tables").fetchall()}
    assert schemas == {"staging"}
    assert con.execute("select count(*) from staging.inegi_municipios").fetchone()[0] == 2478
    # Codes keep their leading zeros and real values survive the load.
    assert (
        con.execute("select nom_mun from staging.inegi_municipios where cvegeo = '01001'").fetchone()[0]
        == "Aguascalientes"
    )
    wage = con.execute(
        "select salario_diario from staging.salarios_minimos_diarios "
        "where zona = 'general' and fecha = date '2025-01-01'"
    ).fetchone()[0]
    assert wage == 278.80
    # The nominal series (the 2005-2018 rows were once a deflated one): January 2012's national average.
    assert (
        con.execute(
            "select salario_diario from staging.salarios_minimos_diarios "
            "where zona = 'general' and fecha = date '2012-01-01'"
        ).fetchone()[0]
        == 60.75
    )
    assert con.execute("select count(*) from staging.scian2018 where nivel = 'subsector'").fetchone()[0] == 94
    con.close()


def test_dbt_anonymous_usage_stats_are_off(repo_root):
    text = (repo_root / "dbt_project.yml").read_text()
    assert "send_anonymous_usage_stats: false" in text


def test_a_minimum_wage_that_falls_fails_its_data_test(built_tiny, tmp_path):
    import shutil

    db = tmp_path / "sidil.duckdb"
    shutil.copy(built_tiny, db)
    con = duckdb.connect(str(db))
    con.execute(
        "update staging.salarios_minimos_diarios set salario_diario = 50 "
        "where zona = 'general' and fecha = date '2016-06-01'"
    )
    con.close()
    result = run_dbt(db, "test", "--select", "salarios_minimos_diarios,test_name:no_decreciente")
    assert result.returncode != 0 and "no_decreciente" in result.stdout, result.stdout[-3000:]
