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


FUENTES = ("enoe", "imss", "censo", "dne", "siapi")


@app.command()
def load(
    input: Path = typer.Option(..., "--input", help="Carpeta de insumos (enoe/, imss/, censo/, dne/, siapi/)."),
    source: str = typer.Option("all", "--source", help="Fuente a cargar: enoe, imss, censo, dne, siapi o all."),
    solo_adicionales: bool = typer.Option(True, "--solo-adicionales/--todo",
                                          help="Omitir lo ya cargado sin cambios (predeterminado) o recargar todo."),
    dne_url: str = typer.Option(None, "--dne-url", help="URL SQLAlchemy del DNE (p. ej. mssql+pyodbc://...); "
                                                       "por omisión dne/dne.sqlite de la carpeta de insumos."),
    siapi_url: list[str] = typer.Option(None, "--siapi-url",
                                        help="INSTANCIA=URL de una instancia SIAPI-SIPAS (repetible); por omisión "
                                             "siapi/<instancia>.sqlite de la carpeta de insumos."),
) -> None:
    """Carga los insumos de una carpeta a DuckDB (esquema raw) y reporta su consistencia."""
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
        console.print(line)

    say(f"INFO: cargando {', '.join(sorted(sources))} de {input} en {db_path()}.")
    errores = 0
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console) as progress:
        task = progress.add_task("INFO: archivos", total=count_files(input, sources))
        outcome = load_files(con, input, sources, key, solo_adicionales, say, lambda _f: progress.advance(task))
        errores += outcome.count("error")
        for db_outcome in databases.load_databases(con, input, sources, dne_url, siapi_url or [],
                                                   solo_adicionales, say):
            errores += db_outcome.count("error")
    for line in report.consistency(con):
        say(line)
    final = (f"***ERROR***: {errores} insumo(s) no se cargaron; el resto sí. Vea los mensajes anteriores."
             if errores else "INFO: carga terminada.")
    say(final)
    params = f"input={input} source={source} solo_adicionales={solo_adicionales}"
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
    runs = report.last_runs(con)
    if runs:
        log = Table(title="Últimas ejecuciones (bitácora)")
        for col in ("inicio", "fin", "usuario", "proceso", "resultado", "mensaje"):
            log.add_column(col)
        for row in runs:
            log.add_row(*[f"{v:%Y-%m-%d %H:%M:%S}" if hasattr(v, "strftime") else str(v) for v in row])
        console.print(log)
    con.close()


def _build(select: str | None) -> bool:
    from datetime import datetime

    from loaders import manifest
    from loaders.warehouse import connect
    from sidil.pipeline import dbt

    inicio = datetime.now()
    args = ["build"] + (["--select", select] if select else [])
    console.print(f"INFO: dbt {' '.join(args)} (modelos, semillas y pruebas de datos).")
    ok, failed = dbt(*args)
    final = ("INFO: modelos construidos y pruebas aprobadas." if ok else
             f"***ERROR***: fallaron {len(failed)} modelo(s) o prueba(s): {', '.join(failed[:20])}. Vea "
             f"logs/dbt.log; lo construido antes sigue disponible.")
    console.print(final)
    con = connect()
    manifest.ensure(con)
    manifest.log_run(con, inicio, "build", " ".join(args), "ok" if ok else "error", final, [final])
    con.close()
    return ok


@app.command()
def build(select: str = typer.Option(None, "--select", help="Selección de dbt (p. ej. marts.dne_plus+); "
                                                            "por omisión, todo.")) -> None:
    """Construye los modelos de dbt (staging, intermedios, marts) y corre sus pruebas de datos."""
    from sidil.pipeline import PipelineBusy, exclusive

    try:
        with exclusive():
            ok = _build(select)
    except PipelineBusy as exc:
        console.print(f"***ERROR***: {exc}")
        raise typer.Exit(2) from None
    if not ok:
        raise typer.Exit(1)


@app.command()
def run(
    input: Path = typer.Option(..., "--input", help="Carpeta de insumos."),
    docs: bool = typer.Option(True, "--docs/--sin-docs", help="Generar la documentación de dbt al final."),
) -> None:
    """Proceso completo que llama el calendarizador: carga lo nuevo, construye los modelos y genera la
    documentación (el paso de entrenamiento y predicción se agrega con el módulo de aprendizaje)."""
    from sidil.pipeline import PipelineBusy, dbt, exclusive

    try:
        with exclusive():
            try:
                load(input=input, source="all", solo_adicionales=True, dne_url=None, siapi_url=None)
            except typer.Exit as exc:
                if exc.exit_code not in (0, 1):  # 1: some files refused, the rest loaded: keep going
                    raise
            if not _build(None):
                raise typer.Exit(1)
            if docs:
                ok, _ = dbt("docs", "generate", "--static")
                console.print("INFO: documentación generada en target/static_index.html." if ok
                              else "***ADVERTENCIA***: no se pudo generar la documentación de dbt.")
    except PipelineBusy as exc:
        console.print(f"***ERROR***: {exc}")
        raise typer.Exit(2) from None


if __name__ == "__main__":
    app()
