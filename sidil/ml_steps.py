"""The model tables the `sidil` command shows: a run's metrics after training, the models and the MPR in
`sidil status`, and the side-by-side comparison of `sidil evaluate`. The train and predict steps themselves
are in `sidil/pipeline.py`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.table import Table

if TYPE_CHECKING:  # ml is imported by the steps that train, not by every `sidil` command
    from ml.resultado import ResultadoEntrenamiento

METRICAS_VISIBLES = (
    "roc_auc",
    "auc_maximo",
    "brecha_auc",
    "average_precision",
    "precision_top10",
    "lift_top10",
    "f1",
    "brier",
    "brier_referencia",
    "ece",
)
ETIQUETAS = {
    "roc_auc": "AUC",
    "auc_maximo": "AUC máx.",
    "brecha_auc": "brecha",
    "average_precision": "AP",
    "precision_top10": "prec. 10 %",
    "lift_top10": "lift 10 %",
    "f1": "F1",
    "brier": "Brier",
    "brier_referencia": "Brier base",
    "ece": "ECE",
}
# Rows of a run's metrics shown after training: its own models, then the averages of what it is compared with.
NOMBRE_COMPARACION = {
    "linea_base_manual": "Línea base del manual (prom.)",
    "historico_manual": "Histórico del manual (prom.)",
    "historico_puntual": "Histórico puntual (prom.)",
}


def _fmt(v) -> str:
    return "—" if v is None or v != v else f"{v:.3f}"


def metrics_table(resultado: ResultadoEntrenamiento) -> Table:
    t = Table(title=f"Modelo {resultado.run_id}: métricas en {resultado.n_prueba:,} inspecciones de prueba")
    t.add_column("submateria", no_wrap=True, max_width=34)
    cols = [c for c in METRICAS_VISIBLES if any(c in f for f in resultado.metricas)]
    for c in cols:
        t.add_column(ETIQUETAS[c], justify="right")
    for f in resultado.metricas:
        if f["modelo"] in NOMBRE_COMPARACION:
            if f["submateria_id"] is not None:
                continue
            nombre = NOMBRE_COMPARACION[f["modelo"]]
        else:
            nombre = f"{f['submateria_id']} {f['submateria']}" if f["submateria_id"] else f["submateria"]
        t.add_row(nombre[:34], *[_fmt(f.get(c)) for c in cols], style="bold" if f["modelo"] != "submateria" else None)
    return t


def model_runs(con, n: int = 5) -> list[tuple]:
    """The latest model runs, newest first (empty when none was trained)."""
    exists = con.execute(
        "select count(*) from information_schema.tables where table_schema = 'ml' and table_name = 'model_runs'"
    ).fetchone()[0]
    if not exists:
        return []
    return con.execute(
        """
        select run_id, creado_en, familia, division, corte, n_entrenamiento, n_prueba, auc_promedio,
               auc_general, brecha_auc_promedio, lift_top10_promedio
        from ml.model_runs order by creado_en desc, run_id desc limit ?
    """,
        [n],
    ).fetchall()


def status_tables(con) -> list[Table]:
    out = []
    runs = model_runs(con)
    if runs:
        t = Table(title="Últimos modelos entrenados")
        for c in (
            "modelo",
            "familia",
            "evaluación",
            "entrenamiento",
            "prueba",
            "AUC prom.",
            "AUC general",
            "brecha AUC",
            "lift 10 %",
            "ECE prom.",
            "lift manual",
        ):
            t.add_column(c)
        extra = _promedios_calibracion(con, [r[0] for r in runs])
        for r in runs:
            t.add_row(
                r[0],
                r[2],
                f"temporal desde {r[4]}" if r[4] else r[3],
                f"{r[5]:,}",
                f"{r[6]:,}",
                _fmt(r[7]),
                _fmt(r[8]),
                _fmt(r[9]),
                _fmt(r[10]),
                *[_fmt(v) for v in extra.get(r[0], (None, None))],
            )
        out.append(t)
    exists = con.execute(
        "select count(*) from information_schema.tables where table_schema = 'ml' and table_name = 'mpr_metadatos'"
    ).fetchone()[0]
    if exists:
        run_id, generado, n = con.execute("select run_id, generado_en, n_centros from ml.mpr_metadatos").fetchone()
        t = Table(title="Matriz de predicción de riesgos (ml.mpr)")
        for c in ("generada", "modelo", "centros de trabajo"):
            t.add_column(c)
        t.add_row(f"{generado:%Y-%m-%d %H:%M}", run_id, f"{n:,}")
        out.append(t)
    if (t := confidence_table(con)) is not None:
        out.append(t)
    if (t := drift_table(con)) is not None:
        out.append(t)
    return out


def _promedios_calibracion(con, run_ids: list[str]) -> dict[str, tuple]:
    """{run: (average ECE, average lift of the manual's baseline)} from ml.model_metrics."""
    filas = con.execute(
        f"""
        select run_id,
               any_value(valor) filter (where modelo = 'promedio' and metrica = 'ece'),
               any_value(valor) filter (where modelo = 'linea_base_manual' and submateria_id is null
                                        and metrica = 'lift_top10')
        from ml.model_metrics where run_id in ({", ".join("?" * len(run_ids))}) group by run_id
    """,
        run_ids,
    ).fetchall()
    return {r: (e, l) for r, e, l in filas}


def confidence_table(con) -> Table | None:
    """The confidence of every prediction column of the MPR (None before predictions carried it)."""
    cols = {
        r[0]
        for r in con.execute(
            "select column_name from information_schema.columns where table_schema = 'ml' "
            "and table_name = 'mpr_diccionario'"
        ).fetchall()
    }
    if "confianza" not in cols:
        return None
    filas = con.execute("""
        select columna, etiqueta, confianza, apta_para_priorizar, auc_prueba, lift_top10_prueba, brier_prueba,
               ece_prueba
        from ml.mpr_diccionario where confianza is not null order by columna = 'riesgo', columna
    """).fetchall()
    if not filas:
        return None
    t = Table(title="Confianza de cada predicción de la MPR (métricas en las inspecciones de prueba)")
    for c in ("columna", "predicción", "confianza", "apta para priorizar", "AUC", "lift 10 %", "Brier", "ECE"):
        t.add_column(c)
    for col, etiqueta, nivel, apta, auc, lift, brier, ece in filas:
        t.add_row(
            col,
            etiqueta[:40],
            nivel,
            "sí" if apta else "NO",
            _fmt(auc),
            _fmt(lift),
            _fmt(brier),
            _fmt(ece),
            style=None if apta else "bold red",
        )
    return t


def drift_table(con) -> Table | None:
    """Inputs and risks with moderate or high drift (PSI) in the latest prediction (table ml.deriva)."""
    from ml.drift import ultima

    filas = ultima(con)
    if not filas:
        return None
    t = Table(
        title=f"Deriva en la predicción del {filas[0][0]:%Y-%m-%d %H:%M} (PSI; umbrales en la semilla deriva_umbrales)"
    )
    for c in ("comparación", "variable", "PSI", "deriva"):
        t.add_column(c)
    que = {"entrenamiento_vs_universo": "entrenamiento vs. universo", "mpr_anterior_vs_nueva": "MPR anterior vs. nueva"}
    for _, _, comparacion, variable, psi, nivel in filas:
        t.add_row(
            que.get(comparacion, comparacion), variable, _fmt(psi), nivel, style="bold red" if nivel == "alta" else None
        )
    return t


def comparison_table(con, run_ids: list[str]) -> Table:
    """Side-by-side metrics of several runs (default: the latest run of each family)."""
    if not run_ids:
        run_ids = [
            r[0]
            for r in con.execute("""
            select arg_max(run_id, creado_en) from ml.model_runs group by familia order by familia
        """).fetchall()
        ]
    rows = con.execute(
        f"""
        select run_id, modelo, coalesce(cast(submateria_id as varchar), modelo) as sub, metrica, valor
        from ml.model_metrics
        where run_id in ({", ".join("?" * len(run_ids))}) and metrica in ('roc_auc', 'lift_top10', 'brecha_auc')
              and modelo in ('submateria', 'general', 'promedio')
    """,
        run_ids,
    ).fetchall()
    cortes = dict(
        con.execute(
            f"select run_id, coalesce(cast(corte as varchar), division) from ml.model_runs "
            f"where run_id in ({', '.join('?' * len(run_ids))})",
            run_ids,
        ).fetchall()
    )
    valores = {(r, s, m): v for r, _, s, m, v in rows}
    subs = sorted({s for _, _, s, _, _ in rows}, key=lambda s: (not s.isdigit(), s))
    t = Table(
        title="Comparación de modelos en sus inspecciones de prueba ("
        + "; ".join(f"{r}: {cortes.get(r)}" for r in run_ids)
        + ")"
    )
    t.add_column("submateria")
    for r in run_ids:
        for m in ("roc_auc", "lift_top10"):
            t.add_column(f"{r.split('-')[-1]} {ETIQUETAS[m]}", justify="right")
    for s in subs:
        t.add_row(s, *[_fmt(valores.get((r, s, m))) for r in run_ids for m in ("roc_auc", "lift_top10")])
    return t
