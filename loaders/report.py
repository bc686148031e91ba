"""The consistency report printed after a load (like the manual's sequencer messages) and `sidil status`."""

from __future__ import annotations

import duckdb

from loaders.tables import table_columns


def _exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    return bool(table_columns(con, table))


def periods(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, int, str, str, int]]:
    """(fuente, entidad, files landed, first period, last period, files with error) from the manifest."""
    if not _exists(con, "raw.load_manifest"):
        return []
    return con.execute("""
        select fuente, entidad,
               count(*) filter (where estado in ('cargado', 'reemplazado')) as cargados,
               min(periodo) filter (where estado in ('cargado', 'reemplazado')),
               max(periodo) filter (where estado in ('cargado', 'reemplazado')),
               count(*) filter (where estado = 'error') as errores
        from raw.load_manifest group by all order by fuente, entidad""").fetchall()


def samples(con: duckdb.DuckDBPyConnection) -> list[str]:
    """A warning per source and entity with periods landed as a sample (`sidil load --muestra N`)."""
    if "muestra" not in table_columns(con, "raw.load_manifest"):
        return []
    return [
        f"***ADVERTENCIA***: {fuente} {entidad}: {n} periodo(s) ({first} a {last}) cargado(s) como MUESTRA de "
        f"{sizes} registros patronales (sidil load --muestra), no completos; cárguelos sin --muestra antes de "
        f"publicar resultados."
        for fuente, entidad, n, first, last, sizes in con.execute("""
                select fuente, entidad, count(*), min(periodo), max(periodo), string_agg(distinct muestra::varchar, ', ')
                from raw.load_manifest where muestra is not null and estado in ('cargado', 'reemplazado')
                group by all order by all""").fetchall()
    ]


def consistency(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Lines in Spanish: INFO for facts, ***ADVERTENCIA*** for what needs a person's attention."""
    out: list[str] = []
    for fuente, entidad, n, first, last, errors in periods(con):
        out.append(f"INFO: {fuente} {entidad}: {n} periodo(s) cargado(s), de {first} a {last}.")
        if errors:
            out.append(
                f"***ADVERTENCIA***: {fuente} {entidad}: {errors} archivo(s) con error; vea "
                f"raw.load_manifest y raw.load_rejects."
            )
    out.extend(samples(con))
    if _exists(con, "raw.imss_patrones") and _exists(con, "raw.imss_puestos"):
        rows = con.execute("""
            with p as (select distinct periodo from raw.imss_patrones),
                 q as (select distinct periodo from raw.imss_puestos)
            select coalesce(p.periodo, q.periodo) as periodo, p.periodo is not null, q.periodo is not null
            from p full join q on p.periodo = q.periodo
            where p.periodo is null or q.periodo is null order by 1""").fetchall()
        for periodo, has_p, _has_q in rows:
            falta = "puestos" if has_p else "patrones"
            out.append(
                f"***ADVERTENCIA***: IMSS {periodo:%Y-%m}: hay {'patrones' if has_p else 'puestos'} pero "
                f"no {falta}; los indicadores que combinan ambos no se calcularán para ese mes."
            )
    if _exists(con, "raw.imss_patrones"):
        for periodo, n in con.execute(
            "select periodo, count(distinct cve_registro) from raw.imss_patrones group by 1 order by 1"
        ).fetchall():
            out.append(f"INFO: IMSS {periodo:%Y-%m}: {n:,} registros patronales.")
    if _exists(con, "raw.imss_puestos"):
        for periodo, n, mujeres in con.execute(
            "select periodo, count(*), avg(case when sexo = 2 then 1.0 when sexo = 1 then 0.0 end) "
            "from raw.imss_puestos group by 1 order by 1"
        ).fetchall():
            out.append(f"INFO: IMSS {periodo:%Y-%m}: {n:,} puestos asegurados; mujeres {100 * (mujeres or 0):.1f} %.")
    out.extend(_enoe_sex(con))
    return out


def _enoe_sex(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Persons by sex in the ENOE target population (employed, paid subordinate) per quarter."""
    sdem = table_columns(con, "raw.enoe_sdem")
    needed = {"sex", "clase2", "pos_ocu", "r_def", "c_res", "eda"}
    if not sdem or not needed <= set(sdem):
        return []
    weights = [w for w in ("fac", "fac_tri") if w in sdem]
    weight = f"coalesce({', '.join(f'try_cast({w} as double)' for w in weights)})" if weights else "1"
    lines = []
    for periodo, hombres, mujeres, ph, pm in con.execute(f"""
            select periodo,
                   count(*) filter (where sexo = 1), count(*) filter (where sexo = 2),
                   sum({weight}) filter (where sexo = 1), sum({weight}) filter (where sexo = 2)
            from (select *, try_cast(sex as integer) as sexo from raw.enoe_sdem)
            where try_cast(r_def as integer) = 0 and try_cast(c_res as integer) in (1, 3)
              and try_cast(eda as integer) between 15 and 98
              and try_cast(clase2 as integer) = 1 and try_cast(pos_ocu as integer) = 1
            group by 1 order by 1""").fetchall():
        lines.append(
            f"INFO: ENOE {periodo}: población objetivo (subordinada y remunerada) en muestra "
            f"{hombres:,} hombres y {mujeres:,} mujeres; expandida {ph or 0:,.0f} y {pm or 0:,.0f}."
        )
        if not hombres or not mujeres:
            lines.append(f"***ADVERTENCIA***: ENOE {periodo}: un sexo no tiene casos en la población objetivo.")
    return lines


def last_runs(con: duckdb.DuckDBPyConnection, n: int = 5) -> list[tuple]:
    """The latest executions recorded in raw.bitacora, newest first."""
    if not _exists(con, "raw.bitacora"):
        return []
    return con.execute(
        "select inicio, fin, usuario, proceso, resultado, mensaje from raw.bitacora order by inicio desc limit ?", [n]
    ).fetchall()
