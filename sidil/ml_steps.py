"""The ML steps as the `sidil` command runs them: train, predict and the model tables of `sidil status`
and `sidil evaluate`. Each step prints in Spanish, records itself in raw.bitacora, and returns whether it
succeeded, so `sidil run` can chain them."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table

METRICAS_VISIBLES = ("roc_auc", "auc_maximo", "brecha_auc", "average_precision", "precision_top10",
                     "lift_top10", "f1")
ETIQUETAS = {"roc_auc": "AUC", "auc_maximo": "AUC máx.", "brecha_auc": "brecha", "average_precision": "AP",
             "precision_top10": "prec. 10 %", "lift_top10": "lift 10 %", "f1": "F1"}


def _fmt(v) -> str:
    return "—" if v is None or v != v else f"{v:.3f}"


def metrics_table(resumen: dict) -> Table:
    t = Table(title=f"Modelo {resumen['run_id']}: métricas en {resumen['n_prueba']:,} inspecciones de prueba")
    t.add_column("submateria", no_wrap=True, max_width=34)
    cols = [c for c in METRICAS_VISIBLES if any(c in f for f in resumen["metricas"])]
    for c in cols:
        t.add_column(ETIQUETAS[c], justify="right")
    for f in resumen["metricas"]:
        nombre = f"{f['submateria_id']} {f['submateria']}" if f["submateria_id"] else f["submateria"]
        t.add_row(nombre[:34], *[_fmt(f.get(c)) for c in cols], style="bold" if f["modelo"] != "submateria" else None)
    return t


class _Paso:
    """One step's messages: printed, kept, and recorded in raw.bitacora when the step ends."""

    def __init__(self, console: Console, proceso: str, parametros: str):
        from loaders import manifest
        from loaders.warehouse import connect

        self.console, self.proceso, self.parametros = console, proceso, parametros
        self.inicio, self.lines = datetime.now(), []
        self.con = connect()
        try:
            manifest.ensure(self.con)
        except BaseException:
            self.cerrar()
            raise

    @classmethod
    def abrir(cls, console: Console, proceso: str, parametros: str) -> _Paso | None:
        """The step, or None after one ***ERROR*** line when the warehouse cannot be opened (nothing to log in)."""
        from sidil.pipeline import mensaje_inesperado

        try:
            return cls(console, proceso, parametros)
        except Exception as exc:
            from loaders.errors import WarehouseBusy

            console.print(f"***ERROR***: {exc}" if isinstance(exc, WarehouseBusy)
                          else mensaje_inesperado(proceso, exc), markup=False)
            return None

    def say(self, line: str) -> None:
        self.lines.append(line)
        self.console.print(line, markup=False)  # messages name files and errors: never read them as markup

    def inesperado(self, exc: Exception, despues: str = "") -> bool:
        """An unexpected failure: one Spanish line (type and first line), the stack to the error log."""
        from sidil.pipeline import mensaje_inesperado

        return self.close(False, mensaje_inesperado(self.proceso, exc) + despues)

    def close(self, ok: bool, final: str) -> bool:
        """Print and record the final line, then close the warehouse. Never raises."""
        from loaders import manifest

        self.say(final)
        if self.con is None:
            return ok
        try:
            if not ok:  # whatever the failed step left open is not committed with the log row
                try:
                    self.con.execute("rollback")
                except Exception:
                    pass
            manifest.log_run(self.con, self.inicio, self.proceso, self.parametros, "ok" if ok else "error", final,
                             self.lines)
        except Exception as exc:
            self.console.print(f"***ADVERTENCIA***: no se pudo registrar el paso {self.proceso} en raw.bitacora "
                               f"({type(exc).__name__}).", markup=False)
        finally:
            self.cerrar()
        return ok

    def cerrar(self) -> None:
        if self.con is not None:
            con, self.con = self.con, None
            con.close()


def train_step(console: Console, familia: str, division: str, corte: date | None, fraccion_prueba: float,
               verdad: Path | None, reentrenar: bool) -> bool:
    from ml.features import FeatureMismatch
    from ml.paths import models_store
    from ml.train import TrainingError, train

    paso = _Paso.abrir(console, "train", f"familia={familia} division={division} corte={corte} verdad={verdad}")
    if paso is None:
        return False
    try:
        paso.say(f"INFO: entrenando los modelos de riesgo (familia {familia}).")
        resumen = train(paso.con, familia=familia, division=division, corte=corte, fraccion_prueba=fraccion_prueba,
                        verdad_dir=verdad, reentrenar=reentrenar, say=paso.say)
        console.print(metrics_table(resumen))
        folder = models_store() / resumen["run_id"]
        return paso.close(True, f"INFO: modelo {resumen['run_id']} guardado en {folder}; reporte en "
                                f"{folder / 'reporte.html'}.")
    except (TrainingError, FeatureMismatch, ValueError) as exc:
        return paso.close(False, f"***ERROR***: {exc}")
    except Exception as exc:
        return paso.inesperado(exc)
    finally:
        paso.cerrar()


def predict_step(console: Console, run_id: str | None) -> bool:
    from ml.features import FeatureMismatch
    from ml.predict import predict
    from ml.store import ModelNotFound

    vigente = " La MPR anterior sigue vigente."
    paso = _Paso.abrir(console, "predict", f"run={run_id}")
    if paso is None:
        return False
    try:
        resumen = predict(paso.con, run_id=run_id, say=paso.say)
        paso.parametros = f"run={resumen['run_id']}"
        return paso.close(True, f"INFO: predicción en {resumen['total_s']:.1f} s; exportada a "
                                f"{resumen['salidas']}/mpr.parquet y mpr.csv.")
    except (ModelNotFound, FeatureMismatch) as exc:  # ModeloDanado included
        return paso.close(False, f"***ERROR***: {exc}{vigente}")
    except Exception as exc:
        return paso.inesperado(exc, vigente)
    finally:
        paso.cerrar()


def model_runs(con, n: int = 5) -> list[tuple]:
    """The latest model runs, newest first (empty when none was trained)."""
    exists = con.execute("select count(*) from information_schema.tables where table_schema = 'ml' and "
                         "table_name = 'model_runs'").fetchone()[0]
    if not exists:
        return []
    return con.execute("""
        select run_id, creado_en, familia, division, corte, n_entrenamiento, n_prueba, auc_promedio,
               auc_general, brecha_auc_promedio, lift_top10_promedio
        from ml.model_runs order by creado_en desc, run_id desc limit ?
    """, [n]).fetchall()


def status_tables(con) -> list[Table]:
    out = []
    runs = model_runs(con)
    if runs:
        t = Table(title="Últimos modelos entrenados")
        for c in ("modelo", "familia", "evaluación", "entrenamiento", "prueba", "AUC prom.", "AUC general",
                  "brecha AUC", "lift 10 %"):
            t.add_column(c)
        for r in runs:
            t.add_row(r[0], r[2], f"temporal desde {r[4]}" if r[4] else r[3], f"{r[5]:,}", f"{r[6]:,}",
                      _fmt(r[7]), _fmt(r[8]), _fmt(r[9]), _fmt(r[10]))
        out.append(t)
    exists = con.execute("select count(*) from information_schema.tables where table_schema = 'ml' and "
                         "table_name = 'mpr_metadatos'").fetchone()[0]
    if exists:
        run_id, generado, n = con.execute("select run_id, generado_en, n_centros from ml.mpr_metadatos").fetchone()
        t = Table(title="Matriz de predicción de riesgos (ml.mpr)")
        for c in ("generada", "modelo", "centros de trabajo"):
            t.add_column(c)
        t.add_row(f"{generado:%Y-%m-%d %H:%M}", run_id, f"{n:,}")
        out.append(t)
    return out


def comparison_table(con, run_ids: list[str]) -> Table:
    """Side-by-side metrics of several runs (default: the latest run of each family)."""
    if not run_ids:
        run_ids = [r[0] for r in con.execute("""
            select arg_max(run_id, creado_en) from ml.model_runs group by familia order by familia
        """).fetchall()]
    rows = con.execute(f"""
        select run_id, modelo, coalesce(cast(submateria_id as varchar), modelo) as sub, metrica, valor
        from ml.model_metrics
        where run_id in ({", ".join("?" * len(run_ids))}) and metrica in ('roc_auc', 'lift_top10', 'brecha_auc')
    """, run_ids).fetchall()
    cortes = dict(con.execute(f"select run_id, coalesce(cast(corte as varchar), division) from ml.model_runs "
                              f"where run_id in ({', '.join('?' * len(run_ids))})", run_ids).fetchall())
    valores = {(r, s, m): v for r, _, s, m, v in rows}
    subs = sorted({s for _, _, s, _, _ in rows}, key=lambda s: (not s.isdigit(), s))
    t = Table(title="Comparación de modelos en sus inspecciones de prueba (" +
              "; ".join(f"{r}: {cortes.get(r)}" for r in run_ids) + ")")
    t.add_column("submateria")
    for r in run_ids:
        for m in ("roc_auc", "lift_top10"):
            t.add_column(f"{r.split('-')[-1]} {ETIQUETAS[m]}", justify="right")
    for s in subs:
        t.add_row(s, *[_fmt(valores.get((r, s, m))) for r in run_ids for m in ("roc_auc", "lift_top10")])
    return t
