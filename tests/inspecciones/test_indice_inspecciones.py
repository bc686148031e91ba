"""The first-instance rule: each inspection counts once, from the first SIAPI-SIPAS instance where it
appears, with that instance's proceedings and violations only (checked against the demo's truth)."""

from __future__ import annotations

import duckdb


def test_counts_per_inspection_and_submateria_equal_the_first_instance_truth(built_tiny, tiny_demo):
    con = duckdb.connect(str(built_tiny), read_only=True)
    truth = str(tiny_demo / "truth" / "inspecciones.parquet")
    missing, extra, different, total = con.execute(f"""
        select count(*) filter (where r.inspeccion_id is null),
               count(*) filter (where t.inspeccion_id is null),
               count(*) filter (where r.nind <> t.nind or r.nvio <> t.nvio or r.nvio_procede <> t.nvio_procede
                                or r.instancia <> t.instancia),
               count(*)
        from '{truth}' as t
        full join intermediate.int_inspecciones__revision_submateria as r using (inspeccion_id, submateria_id)
    """).fetchall()[0]
    assert (missing, extra, different) == (0, 0, 0)
    assert total > 1000
    con.close()


def test_copies_in_later_instances_exist_differ_and_are_ignored(built_tiny):
    con = duckdb.connect(str(built_tiny), read_only=True)
    # Inspections copied into a later instance whose copy has a different number of standing violations.
    rows = con.execute("""
        with por_instancia as (
            select i.instancia, i.inspeccion_id, count(v.calif_violacion_id) filter (where v.procede) as procede
            from staging.stg_siapi__inspeccion as i
            left join staging.stg_siapi__desahogo as d using (instancia, inspeccion_id)
            left join staging.stg_siapi__dshgo_revision as r using (instancia, desahogo_id)
            left join staging.stg_siapi__calif_violacion as v using (instancia, revision_id)
            group by all
        )
        select primera.inspeccion_id, primera.instancia, copia.instancia, primera.procede, copia.procede
        from por_instancia as primera
        inner join por_instancia as copia
            on primera.inspeccion_id = copia.inspeccion_id and copia.instancia > primera.instancia
        inner join intermediate.int_inspecciones__indice as indice
            on indice.inspeccion_id = primera.inspeccion_id and indice.instancia = primera.instancia
        where primera.procede <> copia.procede
    """).fetchall()
    assert rows, "the demo plants copies whose violations differ"
    inspeccion_id, primera, _copia, procede_primera, _ = rows[0]
    got = con.execute(
        "select sum(nvio_procede), min(instancia) from intermediate.int_inspecciones__revision_submateria "
        "where inspeccion_id = ?",
        [inspeccion_id],
    ).fetchall()[0]
    assert got[1] == primera
    # Only valid proceedings count, so the mart can be below the raw count but never takes the copy's.
    assert got[0] is None or got[0] <= procede_primera
    n_multi = con.execute(
        "select count(*) from intermediate.int_inspecciones__indice where n_instancias > 1"
    ).fetchall()[0][0]
    assert n_multi > 0
    con.close()
