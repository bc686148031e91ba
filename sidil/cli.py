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
    scale: str = typer.Option(
        "small", "--scale", help="Tamaño: tiny (pruebas), small (demostración) o full (volúmenes de producción)."
    ),
    seed: int = typer.Option(20261122, "--seed", help="Semilla: la misma semilla da archivos idénticos."),
    out: Path = typer.Option(
        Path("demo_data"), "--out", help="Carpeta de salida; una demostración anterior en ella se reemplaza."
    ),
) -> None:
    """Genera insumos sintéticos en los formatos reales (ENOE, IMSS, Censo, DNE, SIAPI-SIPAS) y truth/."""
    from sidil.demo.generate import generate
    from sidil.demo.scales import SCALES

    if scale not in SCALES:
        console.print(f"***ERROR***: escala desconocida {scale!r}; use una de: {', '.join(SCALES)}")
        raise typer.Exit(2)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as progress:

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


def _salida():
    """The terminal's Salida: lines printed as they come (never read as markup: they quote file names and
    headers), tables drawn, progress bars live."""
    import contextlib

    from sidil.pipeline import Salida

    @contextlib.contextmanager
    def barra(descripcion: str, total: int):
        with Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console
        ) as progress:
            tarea = progress.add_task(descripcion, total=total)
            yield lambda *_a: progress.advance(tarea)

    return Salida(decir=lambda linea: console.print(linea, markup=False), mostrar=console.print, barra=barra)


def _terminar(codigo: int) -> None:
    if codigo:
        raise typer.Exit(codigo)


def _con_candado(paso, nombre: str) -> int:
    """Run one step under the warehouse's pipeline lock: 2 when another run holds it."""
    from sidil.pipeline import PipelineBusy, exclusive

    try:
        with exclusive(pasos=[nombre]):
            return paso()
    except PipelineBusy as exc:
        console.print(f"***ERROR***: {exc}", markup=False)
        return 2


@app.command()
def load(
    input: Path = typer.Option(..., "--input", help="Carpeta de insumos (enoe/, imss/, censo/, dne/, siapi/)."),
    source: str = typer.Option(
        "all", "--source", help="Fuente a cargar: enoe, imss, censo, externos, dne, siapi o all."
    ),
    solo_adicionales: bool = typer.Option(
        True, "--solo-adicionales/--todo", help="Omitir lo ya cargado sin cambios (predeterminado) o recargar todo."
    ),
    dne_url: str = typer.Option(
        None,
        "--dne-url",
        help="URL SQLAlchemy del DNE (p. ej. mssql+pyodbc://...); por omisión dne/dne.sqlite de la carpeta de insumos.",
    ),
    siapi_url: list[str] = typer.Option(
        None,
        "--siapi-url",
        help="INSTANCIA=URL de una instancia SIAPI-SIPAS (repetible); por omisión "
        "siapi/<instancia>.sqlite de la carpeta de insumos.",
    ),
    forzar: bool = typer.Option(
        False,
        "--forzar",
        help="Aceptar una entrega con muchas menos filas que lo ya "
        "cargado (una corrección legítima); sin esta opción se "
        "rechaza.",
    ),
    muestra: int = typer.Option(
        None,
        "--muestra",
        min=1,
        help="Cargar del IMSS solo una muestra reproducible de N registros patronales "
        "(con sus puestos y riesgos), para probar un cambio rápido. El manifiesto la "
        "marca como muestra; una carga sin --muestra la reemplaza.",
    ),
) -> None:
    """Carga los insumos de una carpeta a DuckDB (esquema raw) y reporta su consistencia."""
    from sidil.pipeline import cargar

    _terminar(
        cargar(
            _salida(),
            input,
            source,
            solo_adicionales=solo_adicionales,
            dne_url=dne_url,
            siapi_url=siapi_url or [],
            forzar=forzar,
            muestra=muestra,
        )
    )


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


MESES_RECALCULO_AYUDA = (
    "Meses del IMSS más recientes que se recalculan aunque sus insumos no hayan cambiado "
    "(frecuencia_actualizacion del manual; 4 en su escenario 2). Por omisión 0 "
    "(dbt_project.yml): solo los meses nuevos o recargados."
)


@app.command()
def build(
    select: str = typer.Option(None, "--select", help="Selección de dbt (p. ej. marts.dne_plus+); por omisión, todo."),
    meses_recalculo: int = typer.Option(None, "--meses-recalculo", min=0, help=MESES_RECALCULO_AYUDA),
) -> None:
    """Construye los modelos de dbt (staging, intermedios, marts) y corre sus pruebas de datos."""
    from sidil.pipeline import construir

    _terminar(_con_candado(lambda: construir(_salida(), select, meses_recalculo), "build"))


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
    familia: str = typer.Option(
        "bosque", "--familia", help="bosque (Random Forest, el del manual) o gradiente (HistGradientBoosting)."
    ),
    division: str = typer.Option(
        "temporal", "--division", help="temporal (entrena antes del corte, evalúa después) o aleatoria."
    ),
    corte: str = typer.Option(
        None, "--corte", help="Fecha de corte AAAA-MM-DD; por omisión la que deja el 20 % más reciente para evaluar."
    ),
    fraccion_prueba: float = typer.Option(0.2, "--fraccion-prueba", help="Fracción de inspecciones para evaluar."),
    verdad: Path = typer.Option(
        None, "--verdad", help="Carpeta truth/ de una demostración: agrega el AUC máximo alcanzable."
    ),
    reentrenar: bool = typer.Option(
        True, "--reentrenar/--sin-reentrenar", help="Reentrenar con todas las inspecciones el modelo que se guarda."
    ),
    historico: str = typer.Option(
        "puntual",
        "--historico",
        help="puntual (cada inspección solo ve lo publicado "
        "antes de su fecha) o manual (la regla del "
        "manual, con anticipación).",
    ),
    calibracion: str = typer.Option(
        "auto",
        "--calibracion",
        help="auto, isotonica, sigmoide o ninguna: calibración con las inspecciones más recientes del entrenamiento.",
    ),
    linea_base: bool = typer.Option(
        True, "--linea-base/--sin-linea-base", help="Evaluar también la configuración del manual en la misma división."
    ),
    recalibracion: str = typer.Option(
        "ventana",
        "--recalibracion",
        help="ventana (ajusta las probabilidades a la tasa de violación de los 12 meses de inspecciones más "
        "recientes: cada año de prueba con los anteriores, el modelo guardado con los últimos) o ninguna "
        "(calibración fija).",
    ),
) -> None:
    """Entrena los modelos de riesgo con marts.entrenamiento, los evalúa y explica (SHAP) y guarda la corrida."""
    from sidil.pipeline import entrenar

    fecha_corte = _fecha(corte)
    _terminar(
        _con_candado(
            lambda: entrenar(
                _salida(),
                familia,
                division,
                fecha_corte,
                fraccion_prueba,
                verdad,
                reentrenar,
                historico,
                calibracion,
                linea_base,
                recalibracion,
            ),
            "train",
        )
    )


@app.command()
def predict(
    run_id: str = typer.Option(None, "--run", help="Corrida de modelo; por omisión la más reciente."),
    publicar: bool = typer.Option(
        False, "--publicar", help="Enviar la MPR nueva a consulta sin revisión (para el calendarizador)."
    ),
    usuario: str = typer.Option(None, "--usuario", help="Usuario que se registra en la bitácora."),
) -> None:
    """Calcula la matriz de predicción de riesgos (ml.mpr y salidas/mpr_revision/) para todo el universo de
    centros de trabajo; la consulta sigue mostrando la MPR publicada hasta `sidil publish` (o --publicar)."""
    from sidil import pipeline

    def pasos() -> int:
        with pipeline.como_usuario(usuario):
            codigo = pipeline.predecir(_salida(), run_id)
            return pipeline.publicar(_salida(), usuario) if codigo == 0 and publicar else codigo

    _terminar(_con_candado(pasos, "predict"))


@app.command()
def publish(
    usuario: str = typer.Option(None, "--usuario", help="Usuario que envía (por omisión el del sistema)."),
    comentario: str = typer.Option("", "--comentario", help="Comentario que se archiva con la versión."),
) -> None:
    """Envía a consulta la MPR de la última predicción: la interfaz de consulta la muestra desde ahora y se
    archiva en salidas/mpr_publicadas/ con fecha, usuario y comentario."""
    from sidil.pipeline import publicar

    _terminar(_con_candado(lambda: publicar(_salida(), usuario, comentario), "publish"))


@app.command()
def plan(
    capacidad: Path = typer.Option(
        None, "--capacidad", help="CSV geo2,periodo,capacidad; por omisión seeds/plan_capacidad.csv."
    ),
    periodo: str = typer.Option(
        None, "--periodo", help="Periodo de la capacidad (p. ej. 2027-T1); por omisión el más reciente."
    ),
    reglas: Path = typer.Option(None, "--reglas", help="CSV de reglas; por omisión seeds/plan_reglas.csv."),
    pesos: Path = typer.Option(None, "--pesos", help="CSV submateria_id,peso; por omisión seeds/plan_submaterias.csv."),
    prioritarios: Path = typer.Option(
        None, "--prioritarios", help="CSV con la columna centro_trabajo_id de los centros que deben entrar."
    ),
    semilla: int = typer.Option(
        1, "--semilla", help="Semilla de la exploración aleatoria y del plan aleatorio de comparación."
    ),
    meses: int = typer.Option(
        None, "--meses", help="Excluir los inspeccionados en los últimos N meses (por omisión, el catálogo)."
    ),
    exploracion: float = typer.Option(None, "--exploracion", help="Fracción de cada oficina elegida al azar (0 a 1)."),
    max_municipio: int = typer.Option(
        None, "--max-municipio", help="Máximo de inspecciones por municipio (0: sin máximo)."
    ),
    fecha: str = typer.Option(
        None, "--fecha", help="Fecha de referencia AAAA-MM-DD de las exclusiones (por omisión, hoy)."
    ),
    verdad: Path = typer.Option(
        None, "--verdad", help="Carpeta truth/ de una demostración (por omisión, la de la carga)."
    ),
) -> None:
    """Plan de inspección: por oficina, los centros con más infracciones esperadas bajo la capacidad y las reglas."""
    from sidil.plan_step import planear_paso

    fecha_referencia = _fecha(fecha)
    _terminar(
        _con_candado(
            lambda: planear_paso(
                _salida(),
                capacidad=capacidad,
                periodo=periodo,
                reglas_csv=reglas,
                pesos_csv=pesos,
                prioritarios=prioritarios,
                semilla=semilla,
                meses=meses,
                exploracion=exploracion,
                max_municipio=max_municipio,
                fecha_referencia=fecha_referencia,
                verdad=verdad,
            ),
            "plan",
        )
    )


@app.command()
def evaluate(
    run_ids: list[str] = typer.Option(
        None, "--run", help="Corridas a comparar (repetible); por omisión la más reciente de cada familia."
    ),
) -> None:
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
    pasos: str = typer.Option(
        None,
        "--pasos",
        help="Pasos a ejecutar, separados por comas, de entre load, build, "
        "train, predict, publish y docs; siempre corren en ese orden. "
        "Por omisión: load, build, train (solo si no hay modelo), "
        "predict y docs.",
    ),
    entrenar: bool = typer.Option(False, "--train", help="Reentrenar el modelo aunque ya exista uno."),
    publicar: bool = typer.Option(
        False,
        "--publicar",
        help="Enviar la MPR nueva a consulta al final (para el calendarizador; sin esta opción queda por revisar).",
    ),
    familia: str = typer.Option("bosque", "--familia", help="Familia del modelo si se entrena."),
    docs: bool = typer.Option(True, "--docs/--sin-docs", help="Generar la documentación de dbt al final."),
    meses_recalculo: int = typer.Option(None, "--meses-recalculo", min=0, help=MESES_RECALCULO_AYUDA),
    usuario: str = typer.Option(
        None,
        "--usuario",
        help="Usuario que se registra en la bitácora (la interfaz de automatización pasa el del operador).",
    ),
    completo: bool = typer.Option(
        False,
        "--completo",
        help="Construir todos los modelos de dbt, no solo lo que depende de insumos, modelos o catálogos "
        "que cambiaron desde la última construcción.",
    ),
) -> None:
    """Proceso completo que llama el calendarizador (y la interfaz de automatización): carga lo nuevo,
    construye los modelos de dbt que dependen de lo que cambió (todos con --completo), entrena (si no hay
    modelo o con --train), calcula la MPR, la publica con --publicar y genera la documentación. Si nada
    cambió, conserva la MPR y la documentación que ya había."""
    from rich.table import Table

    from sidil import pipeline

    try:
        elegidos = pipeline.ordenar(
            (
                pasos.split(",")
                if pasos is not None
                else ["load", "build", "train", "predict"] + (["docs"] if docs else [])
            )
            + (["train"] if entrenar else [])
            + (["publish"] if publicar else [])
        )
    except ValueError as exc:
        console.print(f"***ERROR***: {exc}", markup=False)
        raise typer.Exit(2) from None
    # The scheduler's run trains only when there is no model yet; a step list that names train always trains.
    si_falta = pasos is None and not entrenar
    resumen = pipeline.ejecutar(
        _salida(),
        input,
        elegidos,
        familia=familia,
        meses_recalculo=meses_recalculo,
        usuario=usuario,
        entrenar_si_falta=si_falta,
        completo=completo,
    )
    tabla = Table(title="Resumen de sidil run")
    tabla.add_column("paso")
    tabla.add_column("resultado")
    for paso, resultado in resumen.pasos:
        tabla.add_row(paso, resultado)
    console.print(tabla)
    if resumen.codigo in (0, 1) and ("predict" in elegidos or "publish" in elegidos):
        console.print(
            "INFO: la MPR nueva queda por revisar en salidas/mpr_revision/; se envía a consulta con "
            "`sidil publish` o desde la interfaz de automatización (`sidil serve`)."
            if "publish" not in elegidos
            else "INFO: para consultar la MPR en el navegador: `sidil users add USUARIO --rol planeador` y "
            "`sidil serve` (http://127.0.0.1:8050).",
            markup=False,
        )
    _terminar(resumen.codigo)


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Dirección en la que escucha la interfaz."),
    port: int = typer.Option(8050, "--port", help="Puerto de la interfaz."),
    mpr: Path = typer.Option(None, "--mpr", help="Carpeta o archivo mpr.parquet; por omisión salidas/mpr/."),
    insumos: Path = typer.Option(
        None,
        "--insumos",
        help="Carpeta de insumos de la interfaz de operación; por omisión SIDIL_INSUMOS o demo_data/.",
    ),
) -> None:
    """Inicia la interfaz web: la consulta de la matriz de predicción de riesgo (Módulo III) para quienes
    planean y la interfaz de automatización (Módulos I y II) para operadores y administradores."""
    from sidil.interfaz.serve import servir

    raise typer.Exit(servir(host, port, mpr, console.print, insumos))


users_app = typer.Typer(help="Usuarios de la interfaz web (consulta y operación).", no_args_is_help=True)
app.add_typer(users_app, name="users")


@users_app.command("add")
def users_add(
    usuario: str = typer.Argument(..., help="Nombre de usuario."),
    rol: str = typer.Option(..., "--rol", help="planeador, operador o administrador."),
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
    console.print(
        f"INFO: usuario {usuario} {'actualizado' if existia else 'agregado'} con rol {rol} en "
        f"{usuarios.ruta_usuarios()}."
    )


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
