"""Reference-value alerts (marts.alertas_referencia) for `sidil status` and the build step's warning.

The mart holds every period; here only each source's latest loaded period matters: that is what a new
delivery added and what an analyst must look at before the indicators are used."""

from __future__ import annotations

from rich.table import Table

# Latest loaded period of each source, in the mart's format ('YYYYTq' ENOE, 'YYYY-MM' IMSS).
_ULTIMOS_PERIODOS = """
    select 'enoe' as fuente, max(periodo) as periodo from intermediate.int_enoe__indicadores
    union all
    select 'imss', strftime(max(periodo), '%Y-%m') from intermediate.int_imss__indicadores_mensuales
"""


def _existe(con, esquema: str, tabla: str) -> bool:
    return (
        con.execute(
            "select count(*) from information_schema.tables where table_schema = ? and table_name = ?", [esquema, tabla]
        ).fetchone()[0]
        > 0
    )


def ultimos_periodos(con) -> dict[str, str]:
    """{fuente: latest period}; falls back on the mart's own latest periods when the inputs are missing."""
    if _existe(con, "intermediate", "int_enoe__indicadores") and _existe(
        con, "intermediate", "int_imss__indicadores_mensuales"
    ):
        filas = con.execute(_ULTIMOS_PERIODOS).fetchall()
    else:
        filas = con.execute("select fuente, max(periodo) from marts.alertas_referencia group by fuente").fetchall()
    return {f: p for f, p in filas if p is not None}


def alertas_recientes(con) -> list[tuple]:
    """Alerts of each source's latest period: national ones first, then the largest deviations relative
    to their tolerance.
    Rows: fuente, periodo, regla, indicador, nivel, claves, valor, referencia, periodo_referencia,
    desviacion, tipo_tolerancia, tolerancia. Empty when the mart was never built."""
    if not _existe(con, "marts", "alertas_referencia"):
        return []
    periodos = ultimos_periodos(con)
    if not periodos:
        return []
    return con.execute(
        """
        select fuente, periodo, regla, indicador, nivel, claves, valor, referencia, periodo_referencia,
            desviacion, tipo_tolerancia, tolerancia,
        from marts.alertas_referencia
        inner join (select unnest(?::varchar[]) as fuente, unnest(?::varchar[]) as periodo) as ultimos
            using (fuente, periodo)
        order by fuente, nivel <> '0_geo0', abs(desviacion) / nullif(tolerancia, 0) desc, regla, indicador,
            nivel, claves
    """,
        [list(periodos), list(periodos.values())],
    ).fetchall()


def formato_numero(v: float | None) -> str:
    if v is None:
        return ""
    return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:,.3f}"


def formato_desviacion(v: float, tipo: str, signo: bool = True) -> str:
    s = "+" if signo else ""
    return f"{100 * v:{s}.1f} %" if tipo == "relativa" else f"{v:{s}.2f}"


COLUMNAS = (
    "fuente",
    "periodo",
    "regla",
    "indicador",
    "nivel",
    "claves",
    "valor",
    "referencia",
    "desviación",
    "tolerancia",
)


def formatear(filas: list[tuple]) -> list[dict[str, str]]:
    """Rows of `alertas_recientes` as every table shows them (`COLUMNAS`): numbers formatted, the reference
    with its period, deviation and tolerance in the unit of their tolerance type."""
    return [
        dict(zip(COLUMNAS, (fuente, periodo, regla, indicador, nivel, claves, formato_numero(valor),
                            f"{formato_numero(referencia)} ({periodo_ref})", formato_desviacion(desviacion, tipo),
                            formato_desviacion(tolerancia, tipo, signo=False))))
        for (fuente, periodo, regla, indicador, nivel, claves, valor, referencia, periodo_ref, desviacion, tipo,
             tolerancia) in filas
    ]  # fmt: skip


def tabla_alertas(con, limite: int = 25) -> Table | None:
    """Rich table (Spanish) of the latest periods' alerts, at most `limite` rows; None without alerts."""
    filas = alertas_recientes(con)
    if not filas:
        return None
    mostradas = filas[:limite]
    titulo = f"Alertas de referencia del último periodo ({len(filas):,} en total"
    titulo += f"; se muestran las {len(mostradas)} mayores)" if len(filas) > len(mostradas) else ")"
    por_regla: dict[str, int] = {}
    for fila in filas:
        por_regla[fila[2]] = por_regla.get(fila[2], 0) + 1
    t = Table(
        title=titulo,
        caption="Por regla: "
        + ", ".join(f"{r} {n:,}" for r, n in sorted(por_regla.items()))
        + ". Todas en marts.alertas_referencia; reglas y tolerancias en seeds/alertas_tolerancias.csv.",
    )
    for c in COLUMNAS:
        t.add_column(c, justify="right" if c in ("valor", "referencia", "desviación", "tolerancia") else "left")
    for fila in formatear(mostradas):
        t.add_row(*fila.values())
    return t


def aviso_alertas(con) -> str | None:
    """The run's one-line warning when the latest periods have alerts, else None."""
    filas = alertas_recientes(con)
    if not filas:
        return None
    por_fuente: dict[tuple[str, str], int] = {}
    for fila in filas:
        por_fuente[(fila[0], fila[1])] = por_fuente.get((fila[0], fila[1]), 0) + 1
    detalle = "; ".join(f"{f} {p}: {n:,}" for (f, p), n in sorted(por_fuente.items()))
    return (
        f"***ADVERTENCIA***: {len(filas):,} alerta(s) de referencia en el último periodo ({detalle}): valores "
        f"que se apartan del periodo anterior más de lo tolerado. Revíselas con `sidil status` o en "
        f"marts.alertas_referencia antes de usar los indicadores."
    )


def aviso_tras_build() -> str | None:
    """Open the warehouse read-only and return the warning line; None when there is nothing to say or the
    warehouse cannot be read (the warning must never break a build that succeeded)."""
    try:
        from loaders.warehouse import connect

        con = connect(read_only=True)
        try:
            return aviso_alertas(con)
        finally:
            con.close()
    except Exception:  # noqa: BLE001 - a warning is best effort
        return None
