"""The `sidil` command. Messages for analysts are in Spanish."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

app = typer.Typer(
    help="SIDIL: sistema de inteligencia para la inspección laboral (STPS).",
    no_args_is_help=True,
    add_completion=False,
)
console = Console(soft_wrap=True)  # long messages name files: never cut them


@app.callback()
def main() -> None:
    """SIDIL: sistema de inteligencia para la inspección laboral (STPS)."""


@app.command()
def demo(
    scale: str = typer.Option("small", "--scale", help="Tamaño: tiny (pruebas), small (demostración) o full "
                                                        "(volúmenes de producción)."),
    seed: int = typer.Option(20261122, "--seed", help="Semilla: la misma semilla da archivos idénticos."),
    out: Path = typer.Option(Path("demo_data"), "--out", help="Carpeta de salida; una demostración anterior en ella se reemplaza."),
) -> None:
    """Genera insumos sintéticos en los formatos reales (ENOE, IMSS, Censo, DNE, SIAPI-SIPAS) y truth/."""
    from sidil.demo.generate import generate
    from sidil.demo.scales import SCALES

    if scale not in SCALES:
        console.print(f"***ERROR***: escala desconocida {scale!r}; use una de: {', '.join(SCALES)}")
        raise typer.Exit(2)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=False) as progress:

        def on_source(name: str, n_files: int):
            task = progress.add_task(f"INFO: generando {name}", total=n_files)
            return lambda _file: progress.advance(task)

        try:
            summary = generate(scale, seed, out, on_source)
        except FileExistsError as exc:
            console.print(f"***ERROR***: {exc}")
            raise typer.Exit(2) from None
    n = sum(len(v) for v in summary["archivos"].values())
    console.print(f"INFO: {n} archivos de insumo generados en {out.resolve()} (escala {scale}, semilla {seed}).")


FUENTES = ("enoe", "imss", "censo", "externos", "dne", "siapi")


@app.command()
def load(
    input: Path = typer.Option(..., "--input", help="Carpeta de insumos (enoe/, imss/, censo/, dne/, siapi/)."),
    source: str = typer.Option("all", "--source", help="Fuente a cargar: enoe, imss, censo, externos, dne, siapi o all."),
    solo_adicionales: bool = typer.Option(True, "--solo-adicionales/--todo",
                                          help="Omitir lo ya cargado sin cambios (predeterminado) o recargar todo."),
    dne_url: str = typer.Option(None, "--dne-url", help="URL SQLAlchemy del DNE (p. ej. mssql+pyodbc://...); "
                                                       "por omisión dne/dne.sqlite de la carpeta de insumos."),
    siapi_url: list[str] = typer.Option(None, "--siapi-url",
                                        help="INSTANCIA=URL de una instancia SIAPI-SIPAS (repetible); por omisión "
                                             "siapi/<instancia>.sqlite de la carpeta de insumos."),
    forzar: bool = typer.Option(False, "--forzar", help="Aceptar una entrega con muchas menos filas que lo ya "
                                                        "cargado (una corrección legítima); sin esta opción se "
                                                        "rechaza."),
    muestra: int = typer.Option(None, "--muestra", min=1,
                                help="Cargar del IMSS solo una muestra reproducible de N registros patronales "
                                     "(con sus puestos y riesgos), para probar un cambio rápido. El manifiesto la "
                                     "marca como muestra; una carga sin --muestra la reemplaza."),
) -> None:
    """Carga los insumos de una carpeta a DuckDB (esquema raw) y reporta su consistencia."""
    import contextlib

    import duckdb

    from loaders import databases, pseudonym, report
    from loaders.errors import WarehouseBusy
    from loaders.run import count_files, load_files
    from loaders.warehouse import connect, db_path

    if source != "all" and source not in FUENTES:
        console.print(f"***ERROR***: fuente desconocida {source!r}; use una de: {', '.join(FUENTES)} o all")
        raise typer.Exit(2)
    if not input.is_dir():
        console.print(f"***ERROR***: no existe la carpeta de insumos {input}")
        raise typer.Exit(2)
    sources = set(FUENTES) if source == "all" else {source}
    try:
        key = pseudonym.load_key(allow_demo_key=(input / "truth" / "demo.json").exists())
        con = connect()
    except (pseudonym.MissingKey, WarehouseBusy) as exc:
        console.print(f"***ERROR***: {exc}")
        raise typer.Exit(2) from None
    from datetime import datetime

    from loaders import manifest

    inicio = datetime.now()
    lines: list[str] = []

    def say(line: str) -> None:
        lines.append(line)
        console.print(line, markup=False)  # messages quote file names and headers: never read them as markup

    say(f"INFO: cargando {', '.join(sorted(sources))} de {input} en {db_path()}."
        + (f" IMSS: solo una muestra de {muestra:,} registros patronales (--muestra)." if muestra else ""))
    errores = 0
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console) as progress:
        task = progress.add_task("INFO: archivos", total=count_files(input, sources))
        try:
            outcome = load_files(con, input, sources, key, solo_adicionales, say, lambda _f: progress.advance(task),
                                 forzar=forzar, muestra=muestra)
            errores += outcome.count("error")
            for db_outcome in databases.load_databases(con, input, sources, dne_url, siapi_url or [],
                                                       solo_adicionales, say, forzar=forzar):
                errores += db_outcome.count("error")
        except Exception as exc:  # the key, or a failure no loader expected: one line, one bitacora row
            from sidil.pipeline import mensaje_inesperado

            final = (f"***ERROR***: {exc}" if isinstance(exc, pseudonym.KeyMismatch)
                     else mensaje_inesperado("load", exc) + " Lo cargado antes de este archivo sigue intacto.")
            say(pseudonym.Redactor(key)(final))
            with contextlib.suppress(duckdb.Error):
                con.execute("rollback")
            manifest.log_run(con, inicio, "load", f"input={input} source={source}", "error", lines[-1], lines)
            con.close()
            raise typer.Exit(2 if isinstance(exc, pseudonym.KeyMismatch) else 1) from None
    for line in report.consistency(con):
        say(line)
    final = (f"***ERROR***: {errores} insumo(s) no se cargaron; el resto sí. Vea los mensajes anteriores."
             if errores else "INFO: carga terminada.")
    say(final)
    params = (f"input={input} source={source} solo_adicionales={solo_adicionales} forzar={forzar}"
              + (f" muestra={muestra}" if muestra else ""))
    manifest.log_run(con, inicio, "load", params, "con_errores" if errores else "ok", final, lines)
    con.close()
    if errores:
        raise typer.Exit(1)


@app.command()
def status() -> None:
    """Muestra qué hay cargado: periodos por fuente y entidad, y los archivos con error."""
    from rich.table import Table

    from loaders import report
    from loaders.errors import WarehouseBusy
    from loaders.warehouse import connect, db_path

    try:
        con = connect(read_only=True)
    except (FileNotFoundError, WarehouseBusy) as exc:
        console.print(f"***ERROR***: {exc}")
        raise typer.Exit(2) from None
    table = Table(title=f"Insumos cargados en {db_path()}")
    for col in ("fuente", "entidad", "periodos cargados", "primero", "último", "con error"):
        table.add_column(col)
    rows = report.periods(con)
    for row in rows:
        table.add_row(*[str(v) if v is not None else "" for v in row])
    console.print(table)
    if not rows:
        console.print("INFO: no hay insumos cargados; ejecute `sidil load --input CARPETA`.")
    for line in report.samples(con):
        console.print(line, markup=False)
    runs = report.last_runs(con)
    if runs:
        log = Table(title="Últimas ejecuciones (bitácora)")
        for col in ("inicio", "fin", "usuario", "proceso", "resultado", "mensaje"):
            log.add_column(col)
        for row in runs:
            log.add_row(*[f"{v:%Y-%m-%d %H:%M:%S}" if hasattr(v, "strftime") else str(v) for v in row])
        console.print(log)
    from sidil.ml_steps import status_tables

    for t in status_tables(con):
        console.print(t)
    from sidil.alertas import tabla_alertas

    if (alertas := tabla_alertas(con)) is not None:
        console.print(alertas)
    con.close()


def _build(select: str | None, meses_recalculo: int | None = None) -> bool:
    import json
    from datetime import datetime

    from sidil.pipeline import dbt, mensaje_inesperado

    inicio = datetime.now()
    args = ["build"] + (["--select", select] if select else [])
    if meses_recalculo is not None:  # the IMSS look-back for this run (dbt_project.yml: imss_meses_recalculo)
        args += ["--vars", json.dumps({"imss_meses_recalculo": int(meses_recalculo)})]
    console.print(f"INFO: dbt {' '.join(args)} (modelos, semillas y pruebas de datos).")
    try:
        ok, failed = dbt(*args)
        final = ("INFO: modelos construidos y pruebas aprobadas." if ok else
                 f"***ERROR***: fallaron {len(failed)} modelo(s) o prueba(s): {', '.join(failed[:20])}. Vea "
                 f"logs/dbt.log; lo construido antes sigue disponible.")
    except Exception as exc:  # dbt itself broke: one Spanish line, the stack to the error log
        ok, final = False, mensaje_inesperado("build", exc) + " Lo construido antes sigue disponible."
    console.print(final, markup=False)
    if ok:
        from sidil.alertas import aviso_tras_build

        if aviso := aviso_tras_build():
            console.print(aviso, markup=False)
            final = f"{final} {aviso}"
    _registrar(inicio, "build", " ".join(args), ok, final)
    return ok


def _registrar(inicio, proceso: str, parametros: str, ok: bool, final: str) -> None:
    """The raw.bitacora row of a step that holds no connection of its own."""
    from sidil.pipeline import registrar

    if not registrar(inicio, proceso, parametros, "ok" if ok else "error", final, [final]):
        console.print(f"***ADVERTENCIA***: no se pudo registrar el paso {proceso} en raw.bitacora.")


MESES_RECALCULO_AYUDA = ("Meses del IMSS más recientes que se recalculan aunque sus insumos no hayan cambiado "
                         "(frecuencia_actualizacion del manual; 4 en su escenario 2). Por omisión 0 "
                         "(dbt_project.yml): solo los meses nuevos o recargados.")


@app.command()
def build(select: str = typer.Option(None, "--select", help="Selección de dbt (p. ej. marts.dne_plus+); "
                                                            "por omisión, todo."),
          meses_recalculo: int = typer.Option(None, "--meses-recalculo", min=0, help=MESES_RECALCULO_AYUDA),
          ) -> None:
    """Construye los modelos de dbt (staging, intermedios, marts) y corre sus pruebas de datos."""
    _exclusivo(lambda: _build(select, meses_recalculo))


def _exclusivo(paso) -> None:
    """Run a step under the warehouse's pipeline lock: exit 2 when another run holds it, 1 when it failed."""
    from sidil.pipeline import PipelineBusy, exclusive

    try:
        with exclusive():
            ok = paso()
    except PipelineBusy as exc:
        console.print(f"***ERROR***: {exc}")
        raise typer.Exit(2) from None
    if not ok:
        raise typer.Exit(1)


def _fecha(valor: str | None):
    from datetime import date

    if valor is None:
        return None
    try:
        return date.fromisoformat(valor)
    except ValueError:
        console.print(f"***ERROR***: fecha inválida {valor!r}; use AAAA-MM-DD.")
        raise typer.Exit(2) from None


@app.command()
def train(
    familia: str = typer.Option("bosque", "--familia", help="bosque (Random Forest, el del manual) o gradiente "
                                                           "(HistGradientBoosting)."),
    division: str = typer.Option("temporal", "--division", help="temporal (entrena antes del corte, evalúa "
                                                               "después) o aleatoria."),
    corte: str = typer.Option(None, "--corte", help="Fecha de corte AAAA-MM-DD; por omisión la que deja el 20 % "
                                                    "más reciente para evaluar."),
    fraccion_prueba: float = typer.Option(0.2, "--fraccion-prueba", help="Fracción de inspecciones para evaluar."),
    verdad: Path = typer.Option(None, "--verdad", help="Carpeta truth/ de una demostración: agrega el AUC máximo "
                                                       "alcanzable."),
    reentrenar: bool = typer.Option(True, "--reentrenar/--sin-reentrenar",
                                    help="Reentrenar con todas las inspecciones el modelo que se guarda."),
) -> None:
    """Entrena los modelos de riesgo con marts.entrenamiento, los evalúa y explica (SHAP) y guarda la corrida."""
    from sidil.ml_steps import train_step

    fecha_corte = _fecha(corte)
    _exclusivo(lambda: train_step(console, familia, division, fecha_corte, fraccion_prueba, verdad, reentrenar))


@app.command()
def predict(run_id: str = typer.Option(None, "--run", help="Corrida de modelo; por omisión la más reciente.")) -> None:
    """Calcula la matriz de predicción de riesgos (ml.mpr) para todo el universo de centros de trabajo."""
    from sidil.ml_steps import predict_step

    _exclusivo(lambda: predict_step(console, run_id))


@app.command()
def evaluate(run_ids: list[str] = typer.Option(None, "--run", help="Corridas a comparar (repetible); por omisión "
                                                                   "la más reciente de cada familia.")) -> None:
    """Compara lado a lado las métricas de evaluación de corridas de modelos."""
    from loaders.errors import WarehouseBusy
    from loaders.warehouse import connect
    from sidil.ml_steps import comparison_table, model_runs

    try:
        con = connect(read_only=True)
    except (FileNotFoundError, WarehouseBusy) as exc:
        console.print(f"***ERROR***: {exc}")
        raise typer.Exit(2) from None
    if not model_runs(con):
        console.print("INFO: no hay modelos entrenados; ejecute `sidil train`.")
        raise typer.Exit(1)
    console.print(comparison_table(con, run_ids or []))
    con.close()


@app.command()
def run(
    input: Path = typer.Option(..., "--input", help="Carpeta de insumos."),
    entrenar: bool = typer.Option(False, "--train", help="Reentrenar el modelo aunque ya exista uno."),
    familia: str = typer.Option("bosque", "--familia", help="Familia del modelo si se entrena."),
    docs: bool = typer.Option(True, "--docs/--sin-docs", help="Generar la documentación de dbt al final."),
    meses_recalculo: int = typer.Option(None, "--meses-recalculo", min=0, help=MESES_RECALCULO_AYUDA),
) -> None:
    """Proceso completo que llama el calendarizador: carga lo nuevo, construye los modelos de dbt, entrena
    (si no hay modelo o con --train), calcula la MPR y genera la documentación."""
    from rich.table import Table

    from loaders.warehouse import connect
    from ml.paths import models_store, salidas
    from ml.store import latest_run_id
    from sidil.ml_steps import predict_step, train_step
    from sidil.pipeline import PipelineBusy, dbt, exclusive

    from datetime import datetime

    from sidil.pipeline import mensaje_inesperado

    def ultimo_modelo() -> str | None:
        con = connect()
        try:
            return latest_run_id(con)
        finally:
            con.close()

    pasos: list[tuple[str, str]] = []
    verdad = input / "truth" if (input / "truth" / "inspecciones.parquet").exists() else None
    actual, inicio = "load", datetime.now()  # the step an unexpected failure is recorded under
    try:
        with exclusive():
            try:
                load(input=input, source="all", solo_adicionales=True, dne_url=None, siapi_url=None, forzar=False,
                     muestra=None)
                pasos.append(("carga", "ok"))
            except typer.Exit as exc:
                if exc.exit_code not in (0, 1):  # 1: some files refused, the rest loaded: keep going
                    raise
                pasos.append(("carga", "con archivos rechazados (vea arriba)"))
            if not _build(None, meses_recalculo):
                raise typer.Exit(1)
            pasos.append(("dbt build", "ok"))
            actual, inicio = "run", datetime.now()
            modelo = ultimo_modelo()
            if entrenar or modelo is None or not (models_store() / modelo).exists():
                if not train_step(console, familia, "temporal", None, 0.2, verdad, True):
                    raise typer.Exit(1)
                modelo = ultimo_modelo()
                pasos.append(("entrenamiento", f"modelo nuevo {modelo}; reporte {models_store() / modelo / 'reporte.html'}"))
            else:
                pasos.append(("entrenamiento", f"se usa el modelo {modelo} (use --train para reentrenar)"))
            if not predict_step(console, modelo):
                raise typer.Exit(1)
            pasos.append(("predicción", f"ml.mpr y {salidas() / 'mpr'} (mpr.parquet, mpr.csv)"))
            if docs:
                actual, inicio = "docs", datetime.now()
                ok, _ = dbt("docs", "generate", "--static")
                pasos.append(("documentación", "target/static_index.html" if ok else "no se pudo generar"))
    except PipelineBusy as exc:
        console.print(f"***ERROR***: {exc}")
        raise typer.Exit(2) from None
    except typer.Exit:
        raise
    except Exception as exc:  # a step with no handling of its own broke: one line, one bitacora row, exit 1
        final = mensaje_inesperado(actual, exc)
        console.print(final, markup=False)
        _registrar(inicio, actual, f"input={input}", False, final)
        raise typer.Exit(1) from None
    resumen = Table(title="Resumen de sidil run")
    resumen.add_column("paso")
    resumen.add_column("resultado")
    for paso, resultado in pasos:
        resumen.add_row(paso, resultado)
    console.print(resumen)
    console.print("INFO: para consultar la MPR en el navegador: `sidil users add USUARIO --rol planeador` y "
                  "`sidil serve` (http://127.0.0.1:8050).")


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Dirección en la que escucha la interfaz."),
    port: int = typer.Option(8050, "--port", help="Puerto de la interfaz."),
    mpr: Path = typer.Option(None, "--mpr", help="Carpeta o archivo mpr.parquet; por omisión salidas/mpr/."),
) -> None:
    """Inicia la interfaz de consulta de la matriz de predicción de riesgo (Módulo III)."""
    from sidil.interfaz.serve import servir

    raise typer.Exit(servir(host, port, mpr, console.print))


users_app = typer.Typer(help="Usuarios de la interfaz de consulta.", no_args_is_help=True)
app.add_typer(users_app, name="users")


@users_app.command("add")
def users_add(
    usuario: str = typer.Argument(..., help="Nombre de usuario."),
    rol: str = typer.Option(..., "--rol", help="planeador o administrador."),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Leer la contraseña de la entrada estándar."),
) -> None:
    """Agrega un usuario (o cambia su contraseña y rol)."""
    import sys

    from sidil.interfaz import usuarios

    if password_stdin:
        contrasena = sys.stdin.readline().rstrip("\r\n")
    else:
        contrasena = typer.prompt("Contraseña", hide_input=True, confirmation_prompt=True)
    try:
        existia = usuarios.agregar(usuario, contrasena, rol)
    except ValueError as exc:
        console.print(f"***ERROR***: {exc}")
        raise typer.Exit(2) from None
    console.print(f"INFO: usuario {usuario} {'actualizado' if existia else 'agregado'} con rol {rol} en "
                  f"{usuarios.ruta_usuarios()}.")


@users_app.command("remove")
def users_remove(usuario: str = typer.Argument(..., help="Nombre de usuario.")) -> None:
    """Quita un usuario."""
    from sidil.interfaz import usuarios

    if not usuarios.quitar(usuario):
        console.print(f"***ERROR***: no existe el usuario {usuario} en {usuarios.ruta_usuarios()}.")
        raise typer.Exit(1)
    console.print(f"INFO: usuario {usuario} quitado.")


if __name__ == "__main__":
    app()
