"""The consistency report printed after a load (like the manual's sequencer messages) and `sidil status`."""

from __future__ import annotations

import json

import duckdb

from loaders.sql import table_name
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


# Facts of each landed period the report prints (registros, puestos and share of women per IMSS month, the
# ENOE target population by sex per quarter). They are computed when a period lands (one period: cheap) and
# kept in raw.load_manifest.resumen, so a load with nothing new scans no big raw table (issue 17). Periods
# without them (landed by an earlier version, or whose manifest row is now an error row) are computed here,
# only those periods, and kept in the manifest when it has a landed row for them.
SUMMARISED = {("imss", "patrones"), ("imss", "puestos"), ("enoe", "sdem")}


def _key(periodo) -> str:
    """A raw table's period as the manifest writes it (IMSS months are dates in raw, YYYY-MM there)."""
    return f"{periodo:%Y-%m}" if hasattr(periodo, "year") else str(periodo)


def _facts(con: duckdb.DuckDBPyConnection, fuente: str, entidad: str, where: str, params: list) -> dict | None:
    """{raw period: facts} of the rows of raw.<fuente>_<entidad> matching `where` (a fixed filter of the
    loaders, values as parameters), grouped on the raw period so that DuckDB skips other periods' blocks.
    None when the table is not one the report summarises, or lacks the fields."""
    if (fuente, entidad) not in SUMMARISED:
        return None
    table = f"raw.{fuente}_{entidad}"
    cols = table_columns(con, table)
    # Checked before querying: a failed query inside a landing's transaction would abort the landing.
    if (
        not cols
        or (entidad == "patrones" and "cve_registro" not in cols)
        or (entidad == "puestos" and "sexo" not in cols)
    ):
        return None
    if entidad == "patrones":
        sql = f"select periodo, count(distinct cve_registro) from {table} where {where} group by 1"
        return {p: {"registros": n} for p, n in con.execute(sql, params).fetchall()}
    if entidad == "puestos":
        sql = (
            "select periodo, count(*), avg(case when sexo = 2 then 1.0 when sexo = 1 then 0.0 end) "
            f"from {table} where {where} group by 1"
        )
        return {p: {"puestos": n, "mujeres": m} for p, n, m in con.execute(sql, params).fetchall()}
    needed = {"sex", "clase2", "pos_ocu", "r_def", "c_res", "eda"}
    if not needed <= set(cols):
        return None
    weights = [w for w in ("fac", "fac_tri") if w in cols]
    weight = f"coalesce({', '.join(f'try_cast({w} as double)' for w in weights)})" if weights else "1"
    sql = f"""
        select periodo,
               count(*) filter (where sexo = 1), count(*) filter (where sexo = 2),
               sum({weight}) filter (where sexo = 1), sum({weight}) filter (where sexo = 2)
        from (select *, try_cast(sex as integer) as sexo from {table} where {where})
        where try_cast(r_def as integer) = 0 and try_cast(c_res as integer) in (1, 3)
          and try_cast(eda as integer) between 15 and 98
          and try_cast(clase2 as integer) = 1 and try_cast(pos_ocu as integer) = 1
        group by 1"""
    return {
        p: {"hombres": h, "mujeres": m, "expandida_hombres": ph, "expandida_mujeres": pm}
        for p, h, m, ph, pm in con.execute(sql, params).fetchall()
    }


def summarise(con: duckdb.DuckDBPyConnection, fuente: str, entidad: str, where: str, params: list) -> str | None:
    """The facts of the one period a file just landed, as JSON for raw.load_manifest.resumen, or None (not
    summarised). `{}`: the period has no rows the report counts (e.g. no ENOE target population)."""
    facts = _facts(con, fuente, entidad, where, params)
    if facts is None:
        return None
    return json.dumps(next(iter(facts.values()), {}), sort_keys=True)


def _periods_facts(con: duckdb.DuckDBPyConnection, fuente: str, entidad: str) -> dict[str, dict]:
    """{period as the manifest writes it: facts} of every period in the raw table, from the manifest where
    it kept them (a scan of the period column only), computed for the others and kept for next time."""
    tabla = table_name(f"raw.{fuente}_{entidad}")  # constant names from the callers, quoted all the same
    present = [r[0] for r in con.execute(f"select distinct periodo from {tabla}").fetchall()]
    kept: dict[str, dict] = {}
    with_summaries = "resumen" in table_columns(con, "raw.load_manifest")
    if with_summaries:
        for periodo, resumen in con.execute(
            "select periodo, resumen from raw.load_manifest where fuente = ? and entidad = ? "
            "and resumen is not null and estado in ('cargado', 'reemplazado') order by cargado_en",
            [fuente, entidad],
        ).fetchall():
            kept[periodo] = json.loads(resumen)
    missing = [p for p in present if _key(p) not in kept]
    facts = _facts(con, fuente, entidad, f"periodo in ({', '.join('?' for _ in missing)})", missing) if missing else {}
    computed = {_key(p): f for p, f in (facts or {}).items()}
    if facts is not None and missing and with_summaries:
        try:
            con.executemany(
                "update raw.load_manifest set resumen = ? where fuente = ? and entidad = ? and periodo = ? "
                "and estado in ('cargado', 'reemplazado') and resumen is null",
                [[json.dumps(computed.get(_key(p), {}), sort_keys=True), fuente, entidad, _key(p)] for p in missing],
            )
        except duckdb.Error:
            pass  # a read-only connection: they are computed again next time
    out = {_key(p): kept.get(_key(p), computed.get(_key(p))) for p in present}
    return {k: v for k, v in out.items() if v}


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
        for periodo, f in sorted(_periods_facts(con, "imss", "patrones").items()):
            out.append(f"INFO: IMSS {periodo}: {f['registros']:,} registros patronales.")
    if _exists(con, "raw.imss_puestos"):
        for periodo, f in sorted(_periods_facts(con, "imss", "puestos").items()):
            out.append(
                f"INFO: IMSS {periodo}: {f['puestos']:,} puestos asegurados; mujeres {100 * (f['mujeres'] or 0):.1f} %."
            )
    out.extend(_enoe_sex(con))
    return out


def _enoe_sex(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Persons by sex in the ENOE target population (employed, paid subordinate) per quarter."""
    if not _exists(con, "raw.enoe_sdem"):
        return []
    lines = []
    for periodo, f in sorted(_periods_facts(con, "enoe", "sdem").items()):
        hombres, mujeres = f["hombres"], f["mujeres"]
        lines.append(
            f"INFO: ENOE {periodo}: población objetivo (subordinada y remunerada) en muestra "
            f"{hombres:,} hombres y {mujeres:,} mujeres; expandida {f['expandida_hombres'] or 0:,.0f} y "
            f"{f['expandida_mujeres'] or 0:,.0f}."
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
