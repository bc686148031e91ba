"""The pipeline's steps, in one place for the CLI and the operators' web interface: load, build, train,
predict, publish and docs.

Every step has the same shape: it takes a `Salida` (where its Spanish messages go), opens a `Paso` that
keeps the messages and writes exactly one `raw.bitacora` row when the step ends, turns every failure into a
message (an unexpected one into one line plus its stack in the error log), and returns an exit code:
0 done, 1 failed (for the load: some inputs refused, the rest landed), 2 could not start (the warehouse is
busy, the key is missing or wrong, an argument is invalid). `ejecutar` chains the steps asked for, always in
the order of `ORDEN`, under the warehouse's pipeline lock: DuckDB allows one writing process per file, so a
second run fails at once with a clear message instead of waiting or corrupting anything.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import settings
from loaders.warehouse import MEMORIA_ENV, db_path, memoria
from settings import PROJECT_DIR

ORDEN = ("load", "build", "train", "predict", "publish", "docs")
ETIQUETAS = {
    "load": "Carga de insumos",
    "build": "Construcción de modelos (dbt)",
    "train": "Entrenamiento",
    "predict": "Predicción (MPR)",
    "publish": "Publicación de la MPR",
    "docs": "Documentación de dbt",
}
PASOS = {
    "load": "la carga",
    "build": "la construcción de dbt",
    "train": "el entrenamiento",
    "predict": "la predicción",
    "publish": "la publicación",
    "docs": "la documentación de dbt",
    "plan": "el plan de inspección",
    "run": "el proceso completo",
}
FUENTES = ("enoe", "imss", "censo", "externos", "dne", "siapi")
OK, FALLO, NO_INICIA = 0, 1, 2


class PipelineBusy(Exception):
    pass


def ordenar(pasos) -> list[str]:
    """The steps asked for, in the pipeline's order, each once. Unknown codes raise ValueError (Spanish)."""
    pedidos = {str(p).strip() for p in pasos if str(p).strip()}
    if desconocidos := sorted(pedidos - set(ORDEN)):
        raise ValueError(f"paso(s) desconocido(s): {', '.join(desconocidos)}; use {', '.join(ORDEN)}")
    return [p for p in ORDEN if p in pedidos]


# --- the lock -----------------------------------------------------------------------------------------------


def _ruta_candado(db: Path | None = None) -> Path:
    db = Path(db or db_path()).resolve()
    return db.with_name(db.name + ".sidil.lock")


@contextlib.contextmanager
def exclusive(
    db: Path | None = None, pasos: list[str] | tuple[str, ...] = (), usuario: str | None = None
) -> Iterator[None]:
    """Hold the warehouse's pipeline lock (a file beside the DuckDB file) for the duration; the file says
    who holds it, for `en_curso`."""
    ruta = _ruta_candado(db)
    ruta.parent.mkdir(parents=True, exist_ok=True)
    with open(ruta, "a+") as lock:  # never truncate before holding it: the holder's note would be lost
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            quien = en_curso(db)
            detalle = (
                (
                    f" ({', '.join(quien.get('pasos') or []) or 'un paso'} de {quien.get('usuario')}, desde "
                    f"{quien.get('inicio')})"
                )
                if quien
                else ""
            )
            raise PipelineBusy(
                f"Otro proceso de SIDIL está trabajando sobre {Path(db or db_path()).resolve()}{detalle}; espere a "
                f"que termine (un solo proceso de escritura a la vez)."
            ) from None
        lock.seek(0)
        lock.truncate()
        json.dump(
            {
                "pid": os.getpid(),
                "pasos": list(pasos),
                "usuario": usuario or usuario_actual(),
                "inicio": datetime.now().replace(microsecond=0).isoformat(),
            },
            lock,
            ensure_ascii=False,
        )
        lock.flush()
        try:
            yield
        finally:
            lock.seek(0)
            lock.truncate()


def en_curso(db: Path | None = None) -> dict | None:
    """Who holds the pipeline lock ({"pid", "pasos", "usuario", "inicio"}), or None when it is free.

    It only reads the holder's note (written once the lock is held, emptied when it is let go) and checks that
    its process is alive: taking even a shared lock here would make a run that starts during the web's
    polling fail as if another run held the warehouse."""
    try:
        texto = _ruta_candado(db).read_text(encoding="utf-8")
        datos = json.loads(texto) if texto.strip() else None
    except (OSError, ValueError):
        return None
    if not isinstance(datos, dict):
        return None
    try:
        os.kill(int(datos.get("pid")), 0)  # signal 0: only asks whether the process exists
    except (ProcessLookupError, TypeError, ValueError):
        return None  # a note left by a process that died: the kernel already released its lock
    except PermissionError:
        pass  # alive, under another user
    return datos


def usuario_actual() -> str:
    """The user recorded in raw.bitacora (SIDIL_USUARIO, else the OS user)."""
    return settings.usuario()


# --- messages -------------------------------------------------------------------------------------------------


def ruta_errores() -> Path:
    """Technical detail of unexpected failures: `logs/sidil_errores.log` (SIDIL_ERRORES_LOG overrides)."""
    return settings.errores_log()


def _primera_linea(exc: BaseException, largo: int = 300) -> str:
    texto = str(exc).strip()
    linea = texto.splitlines()[0] if texto else ""
    return linea if len(linea) <= largo else linea[:largo] + "…"


def _registrar_traza(proceso: str, exc: BaseException) -> Path | None:
    """Append the failure's stack (exception types, files, lines, functions) to the error log. The
    exception messages and local values are left out, so the log never holds data (personal or not)."""
    import traceback

    partes = [f"{datetime.now():%Y-%m-%d %H:%M:%S} proceso={proceso}\n"]
    visto: set[int] = set()
    actual: BaseException | None = exc
    while actual is not None and id(actual) not in visto:
        visto.add(id(actual))
        partes.append(f"{type(actual).__module__}.{type(actual).__qualname__}\n")
        partes.extend(traceback.format_list(traceback.extract_tb(actual.__traceback__)))
        actual = actual.__cause__ or (None if actual.__suppress_context__ else actual.__context__)
    ruta = ruta_errores()
    try:
        ruta.parent.mkdir(parents=True, exist_ok=True)
        with open(ruta, "a", encoding="utf-8") as f:
            f.write("".join(partes) + "\n")
    except OSError:
        return None
    return ruta


def mensaje_inesperado(proceso: str, exc: BaseException) -> str:
    """The one Spanish line an unexpected failure of a step becomes (its stack goes to the error log)."""
    detalle = f"{type(exc).__name__}: {_primera_linea(exc)}" if _primera_linea(exc) else type(exc).__name__
    ruta = _registrar_traza(proceso, exc)
    donde = f" Detalle técnico en {ruta}." if ruta else ""
    return f"***ERROR***: falló {PASOS.get(proceso, proceso)} por un error inesperado ({detalle}).{donde}"


@dataclass
class Salida:
    """Where a step's output goes. `decir` takes each message line; `mostrar` a table for a terminal (the
    web ignores it); `barra(descripcion, total)` a context manager giving a function to call per item."""

    decir: Callable[[str], None] = print
    mostrar: Callable[[Any], None] = lambda _tabla: None
    barra: Callable[[str, int], contextlib.AbstractContextManager] = field(
        default=lambda _d, _n: contextlib.nullcontext(lambda *_a: None)
    )


class Paso:
    """One step: its messages (passed on and kept), a warehouse connection opened when the step asks for
    one, and one raw.bitacora row when it ends."""

    def __init__(self, salida: Salida, proceso: str, parametros: str, usuario: str | None = None):
        self.salida, self.proceso, self.parametros, self.usuario = salida, proceso, parametros, usuario
        self.inicio, self.lineas = datetime.now(), []
        self._con = None

    @property
    def con(self):
        if self._con is None:
            from loaders import manifest
            from loaders.warehouse import connect

            con = connect()
            try:
                manifest.ensure(con)
            except BaseException:
                con.close()
                raise
            self._con = con
        return self._con

    def decir(self, linea: str) -> None:
        self.lineas.append(linea)
        self.salida.decir(linea)

    def inesperado(self, exc: BaseException, despues: str = "") -> int:
        """An unexpected failure: one Spanish line (type and first line), the stack to the error log."""
        self.terminar(False, mensaje_inesperado(self.proceso, exc) + despues)
        return FALLO

    def terminar(self, ok: bool, final: str, resultado: str | None = None) -> bool:
        """Say and record the final line, then close the warehouse. Never raises."""
        from loaders import manifest

        self.decir(final)
        try:
            if self._con is not None and not ok:  # whatever the failed step left open is not committed
                with contextlib.suppress(Exception):
                    self._con.execute("rollback")
            manifest.log_run(
                self.con,
                self.inicio,
                self.proceso,
                self.parametros,
                resultado or ("ok" if ok else "error"),
                final,
                self.lineas,
                quien=self.usuario,
            )
        except Exception as exc:
            self.salida.decir(
                f"***ADVERTENCIA***: no se pudo registrar el paso {self.proceso} en raw.bitacora "
                f"({type(exc).__name__})."
            )
        finally:
            self.cerrar()
        return ok

    def cerrar(self) -> None:
        if self._con is not None:
            con, self._con = self._con, None
            con.close()


def _abrir_almacen(paso: Paso) -> bool:
    """Open the step's warehouse connection; False after one ***ERROR*** line when it cannot be opened (no
    row can be logged then)."""
    from loaders.errors import WarehouseBusy

    try:
        paso.con
        return True
    except Exception as exc:
        paso.salida.decir(
            f"***ERROR***: {exc}" if isinstance(exc, WarehouseBusy) else mensaje_inesperado(paso.proceso, exc)
        )
        return False


# --- dbt --------------------------------------------------------------------------------------------------------


def dbt(*args: str) -> tuple[bool, list[str]]:
    """Run a dbt command on the project against the warehouse. Returns (success, failed node names)."""
    r = dbt_con_resultados(*args)
    return r.ok, r.fallidos


@dataclass
class ResultadoDbt:
    """What one dbt call did, from its run_results.json."""

    ok: bool
    fallidos: list[str] = field(default_factory=list)  # nodes that errored or failed
    modelos: list[str] = field(default_factory=list)  # models that ran successfully
    segundos: dict[str, float] = field(default_factory=dict)  # unique_id -> execution seconds


def _entorno_dbt() -> None:
    """What every dbt call reads from the environment: the active seeds, the warehouse, the memory setting."""
    from sidil.catalogos import preparar_semillas

    preparar_semillas()  # the operators' active catalog versions over the shipped seeds (SIDIL_SEMILLAS)
    os.environ[settings.DB_ENV] = str(db_path().resolve())
    os.environ[MEMORIA_ENV] = memoria()  # the pipeline's one memory setting, validated, for profiles.yml
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")


def dbt_con_resultados(*args: str) -> ResultadoDbt:
    """Run a dbt command: its success, failed nodes, models built and seconds per node.

    dbt runs in a child process: DuckDB keeps what it allocated for as long as its process lives, so a build
    in this process would add its 4 GB to the training or scoring that follows in the same command (measured:
    6.4 GiB for `sidil train` after a rebuild, against 2.8 GiB for training alone). Its log goes to the same
    console; its results are read from run_results.json, removed first so that a dbt that stops before
    writing them is never taken for the previous call's."""
    _entorno_dbt()
    run_results = _carpeta_target() / "run_results.json"
    run_results.unlink(missing_ok=True)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "dbt.cli.main",
            *args,
            "--project-dir",
            str(PROJECT_DIR),
            "--profiles-dir",
            str(PROJECT_DIR),
        ],
        env=os.environ.copy(),
        check=False,
    )
    try:
        resultados = json.loads(run_results.read_text(encoding="utf-8"))["results"]
    except (OSError, ValueError, KeyError):
        resultados = []
    r = ResultadoDbt(ok=proc.returncode == 0)
    for fila in resultados:
        uid = str(fila.get("unique_id", "?"))
        tipo, _, resto = uid.partition(".")
        nombre = resto.split(".")[1] if "." in resto else resto
        estado = str(fila.get("status", "")).lower()
        r.segundos[uid] = round(float(fila.get("execution_time") or 0.0), 2)
        if estado in ("error", "fail", "runtime error"):
            r.fallidos.append(nombre)
        elif estado == "success" and tipo == "model":
            r.modelos.append(nombre)
    return r


def dbt_listar(*args: str) -> list[str]:
    """`dbt ls` with these arguments: the names of the nodes selected (raises when dbt cannot list). In this
    process: listing reads the manifest only, it never opens the warehouse."""
    from dbt.cli.main import dbtRunner

    _entorno_dbt()
    result = dbtRunner().invoke(
        [
            "ls",
            "--output",
            "name",
            "--quiet",
            *args,
            "--project-dir",
            str(PROJECT_DIR),
            "--profiles-dir",
            str(PROJECT_DIR),
        ]
    )
    if not result.success:
        raise RuntimeError(f"dbt ls no pudo listar los nodos ({getattr(result, 'exception', '')})")
    return sorted(str(n) for n in (result.result or []))


def dbt_manifest() -> Path:
    """The project's manifest as it is now (`dbt parse` in this process: it reads the project files only,
    never the warehouse); raises when the project does not parse."""
    from dbt.cli.main import dbtRunner

    _entorno_dbt()
    result = dbtRunner().invoke(["parse", "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR)])
    if not result.success:
        raise RuntimeError(f"dbt parse no pudo leer el proyecto ({getattr(result, 'exception', '')})")
    return _carpeta_target() / "manifest.json"


# --- the steps ----------------------------------------------------------------------------------------------


def cargar(
    salida: Salida,
    entrada: Path,
    fuente: str = "all",
    *,
    solo_adicionales: bool = True,
    dne_url: str | None = None,
    siapi_url: list[str] | tuple[str, ...] = (),
    forzar: bool = False,
    muestra: int | None = None,
) -> int:
    """Land the inputs of a folder into the raw schema (only what is new, unless solo_adicionales=False).
    1 when some inputs were refused (the rest landed)."""
    from loaders import databases, pseudonym, report
    from loaders.run import count_files, load_files

    if fuente != "all" and fuente not in FUENTES:
        salida.decir(f"***ERROR***: fuente desconocida {fuente!r}; use una de: {', '.join(FUENTES)} o all")
        return NO_INICIA
    entrada = Path(entrada)
    if not entrada.is_dir():
        salida.decir(f"***ERROR***: no existe la carpeta de insumos {entrada}")
        return NO_INICIA
    fuentes = set(FUENTES) if fuente == "all" else {fuente}
    try:
        clave = pseudonym.load_key(allow_demo_key=(entrada / "truth" / "demo.json").exists())
    except pseudonym.MissingKey as exc:
        salida.decir(f"***ERROR***: {exc}")
        return NO_INICIA
    parametros = f"input={entrada} source={fuente} solo_adicionales={solo_adicionales} forzar={forzar}" + (
        f" muestra={muestra}" if muestra else ""
    )
    from sidil.catalogos import preparar_semillas

    preparar_semillas()  # the loaders read the active field catalogs (an operator's version if there is one)
    paso = Paso(salida, "load", parametros)
    if not _abrir_almacen(paso):
        return NO_INICIA
    # Messages quote file names and headers: a pseudonymisation key never lets an NSS/CURP through them.
    redactar = pseudonym.Redactor(clave)
    paso.decir(
        f"INFO: cargando {', '.join(sorted(fuentes))} de {entrada} en {db_path()}."
        + (f" IMSS: solo una muestra de {muestra:,} registros patronales (--muestra)." if muestra else "")
    )
    errores = 0
    try:
        with salida.barra("INFO: archivos", count_files(entrada, fuentes)) as avanzar:
            resultado = load_files(
                paso.con,
                entrada,
                fuentes,
                clave,
                solo_adicionales,
                paso.decir,
                lambda _f: avanzar(),
                forzar=forzar,
                muestra=muestra,
            )
        errores += resultado.count("error")
        for de_base in databases.load_databases(
            paso.con, entrada, fuentes, dne_url, list(siapi_url or []), solo_adicionales, paso.decir, forzar=forzar
        ):
            errores += de_base.count("error")
    except pseudonym.KeyMismatch as exc:
        paso.terminar(False, redactar(f"***ERROR***: {exc}"))
        return NO_INICIA
    except Exception as exc:  # a failure no loader expected: one line, one bitacora row
        paso.terminar(
            False, redactar(mensaje_inesperado("load", exc) + " Lo cargado antes de este archivo sigue intacto.")
        )
        return FALLO
    for linea in report.consistency(paso.con):
        paso.decir(linea)
    if errores:
        paso.terminar(
            False,
            f"***ERROR***: {errores} insumo(s) no se cargaron; el resto sí. Vea los mensajes anteriores.",
            resultado="con_errores",
        )
        return FALLO
    paso.terminar(True, "INFO: carga terminada.")
    return OK


@dataclass
class Construccion:
    """What a build did, for the later steps of a run and its summary."""

    modelos: list[str] = field(default_factory=list)  # models that ran
    nada: bool = False  # nothing had changed: dbt was not called
    segundos: dict[str, float] = field(default_factory=dict)  # dbt node -> execution seconds


def construir(
    salida: Salida,
    select: str | None = None,
    meses_recalculo: int | None = None,
    *,
    por_cambios: bool = False,
    completo: bool = False,
    informe: Construccion | None = None,
    con_entrenamiento: bool = True,
) -> int:
    """`dbt build` (models, seeds and their data tests), optionally a selection; the IMSS look-back of this
    run when meses_recalculo is given (dbt_project.yml: imss_meses_recalculo). With `por_cambios` (the
    scheduler's `sidil run`) only what changed since the last successful build and its descendants are
    built (sidil/cambios.py), everything with `completo` or when there is no record of a build. Without
    `con_entrenamiento` (a run that will not train) the models that feed only the training tables are left for
    the next training, which rebuilds them first."""
    from sidil import cambios

    informe = informe if informe is not None else Construccion()
    extra = (
        ["--vars", json.dumps({"imss_meses_recalculo": int(meses_recalculo)})] if meses_recalculo is not None else []
    )
    base = ["build"] + (["--select", select] if select else [])
    paso = Paso(salida, "build", " ".join(base + extra))  # no connection while dbt writes: only for the final row
    inicio = datetime.now()
    try:
        from sidil.catalogos import preparar_semillas

        # Which catalog versions this build used, in its bitacora row (the shipped ones say "repositorio").
        propias = {n: v for n, v in sorted(preparar_semillas().items()) if v != "repositorio"}
        paso.parametros += " catalogos=" + (",".join(f"{n}:{v}" for n, v in propias.items()) or "repositorio")
        if propias:
            paso.decir(
                "INFO: catálogos del operador en uso: "
                + ", ".join(f"{n} (versión {v})" for n, v in propias.items())
                + "."
            )
        if por_cambios and not select:
            cambio, huella = cambios.detectar(completo=completo)
            if not cambio.completo and meses_recalculo:
                cambio.fuentes += [f for f in cambios.fuentes_imss() if f not in cambio.fuentes]
                cambio.detalle_fuentes.append(f"--meses-recalculo {meses_recalculo}: se recalculan los meses del IMSS")
            # A run that will not train leaves the training-only models for the training; so does a first
            # build (no state yet: the project's own manifest says which they are), not an explicit --completo.
            if con_entrenamiento or completo:
                dejar = []
            elif cambio.completo:
                dejar = cambios.solo_entrenamiento(dbt_manifest())
            else:
                dejar = cambios.solo_entrenamiento(cambios.leer_estado().manifest)
            invocaciones, dejados = _invocaciones_por_cambios(paso, cambio, extra, dejar)
            paso.parametros += f" modo={'completo' if cambio.completo else 'cambios'}"
        else:
            huella, dejar, dejados = cambios.huella_proyecto(), [], []
            invocaciones = [base + extra]
            paso.decir(f"INFO: dbt {' '.join(base + extra)} (modelos, semillas y pruebas de datos).")
        if not invocaciones:
            informe.nada = True
            paso.terminar(True, "INFO: los modelos ya estaban al día; no se reconstruyó nada.")
            return OK
        fallidos: list[str] = []
        for args in invocaciones:
            r = dbt_con_resultados(*args)
            informe.modelos += r.modelos
            informe.segundos.update(r.segundos)
            fallidos += r.fallidos
            ok = r.ok
            if not ok:
                break
    except Exception as exc:  # dbt itself broke
        return paso.inesperado(exc, " Lo construido antes sigue disponible.")
    if not ok:
        paso.terminar(
            False,
            (
                f"***ERROR***: fallaron {len(fallidos)} modelo(s) o prueba(s): {', '.join(fallidos[:20])}."
                if fallidos
                else "***ERROR***: dbt se detuvo antes de construir (compilación, selección o conexión)."
            )
            + " Vea logs/dbt.log; lo construido antes sigue disponible.",
        )
        return FALLO
    if not select:  # the whole project is up to date: the next run compares with this build
        cambios.guardar_estado(inicio, huella, _carpeta_target() / "manifest.json")
        if dejados:
            cambios.marcar_entrenamiento_pendiente(sorted(set(dejados) | set(cambios.entrenamiento_pendiente())))
        elif not dejar:
            cambios.entrenamiento_al_dia()
    elif set(select.split()) >= set(cambios.entrenamiento_pendiente()):
        cambios.entrenamiento_al_dia()
    if por_cambios:
        nombres = ", ".join(informe.modelos[:25]) + (" …" if len(informe.modelos) > 25 else "")
        paso.decir(f"INFO: se reconstruyeron {len(informe.modelos)} modelo(s)" + (f": {nombres}." if nombres else "."))
    if lentos := sorted(informe.segundos.items(), key=lambda kv: -kv[1])[:5]:
        cambios.guardar_tiempos(informe.segundos)
        paso.decir(
            "INFO: los nodos que más tardaron: " + ", ".join(f"{n.split('.')[-1]} ({s:.0f} s)" for n, s in lentos) + "."
        )
    final = "INFO: modelos construidos y pruebas aprobadas."
    from sidil.alertas import aviso_tras_build

    if aviso := aviso_tras_build():
        paso.decir(aviso)
    paso.terminar(True, final)
    return OK


def _carpeta_target() -> Path:
    """dbt's target folder (DBT_TARGET_PATH, relative to the project, or the project's target/)."""
    return settings.dbt_target()


_DEJADAS = (
    "INFO: las tablas de entrenamiento se actualizan cuando se entrene (esta ejecución no entrena): "
    "se dejan para entonces."
)


def _invocaciones_por_cambios(
    paso: Paso, cambio, extra: list[str], dejar: list[str]
) -> tuple[list[list[str]], list[str]]:
    """The dbt builds that cover what changed, each announced in Spanish: changed models and catalogs (and
    what depends on them) recomputed in full; then what depends on newly landed inputs, where incremental
    models recompute only the periods that changed, leaving out `dejar` (the training-only models of a run
    that does not train). A run that trains also rebuilds the training models an earlier run left.
    Returns the invocations and the models actually left for the next training (empty when none was)."""
    from sidil import cambios

    if cambio.completo:
        paso.decir(f"INFO: se construye todo el proyecto: {cambio.motivo}.")
        if dejar:
            paso.decir(_DEJADAS)
            return [["build", "--exclude", *dejar, *extra]], list(dejar)
        return [["build", *extra]], []
    if cambio.nada:
        paso.decir("INFO: nada cambió desde la última construcción: ni insumos nuevos ni modelos o catálogos.")
        return [], []
    estado = ["--state", str(cambios.carpeta_estado())]
    invocaciones: list[list[str]] = []
    dejados: list[str] = []
    for tabla in cambio.sin_fuente:
        paso.decir(f"***ADVERTENCIA***: raw.{tabla} recibió datos, pero ningún modelo de dbt la lee.")
    if cambio.modificados:
        nombres = ", ".join(cambio.modificados[:25]) + (" …" if len(cambio.modificados) > 25 else "")
        paso.decir(
            f"INFO: cambiaron {len(cambio.modificados)} modelo(s) o catálogo(s) ({nombres}); se recalculan por "
            f"completo con todo lo que depende de ellos."
        )
        invocaciones.append(["build", "--select", "state:modified+", *estado, "--full-refresh", *extra])
    if cambio.fuentes:
        for linea in cambio.detalle_fuentes:
            paso.decir(f"INFO: insumos nuevos: {linea}.")
        paso.decir(
            "INFO: se reconstruye lo que depende de esos insumos (los modelos incrementales, solo los periodos nuevos)."
        )
        pendientes = [] if dejar else cambios.entrenamiento_pendiente()
        seleccion = ["--select", *[f + "+" for f in cambio.fuentes], *pendientes]
        excluir = (["state:modified+"] if cambio.modificados else []) + dejar
        if dejar:
            dejados = list(dejar)
            paso.decir(_DEJADAS)
        invocaciones.append(
            [
                "build",
                *seleccion,
                *(["--exclude", *excluir] if excluir else []),
                *(estado if cambio.modificados else []),
                *extra,
            ]
        )
    return invocaciones, dejados


def documentar(salida: Salida) -> int:
    """`dbt docs generate --static`: the lineage and column documentation in target/static_index.html."""
    paso = Paso(salida, "docs", "docs generate --static")
    paso.decir("INFO: generando la documentación de dbt.")
    try:
        ok, _ = dbt("docs", "generate", "--static")
    except Exception as exc:
        return paso.inesperado(exc)
    if not ok:
        paso.terminar(False, "***ERROR***: no se pudo generar la documentación de dbt; vea logs/dbt.log.")
        return FALLO
    paso.terminar(True, f"INFO: documentación en {PROJECT_DIR / 'target' / 'static_index.html'}.")
    return OK


def entrenar(
    salida: Salida,
    familia: str = "bosque",
    division: str = "temporal",
    corte: date | None = None,
    fraccion_prueba: float = 0.2,
    verdad: Path | None = None,
    reentrenar: bool = True,
    historico: str = "puntual",
    calibracion: str = "auto",
    linea_base: bool = True,
    recalibracion: str = "ventana",
) -> int:
    """Train the risk models on marts.entrenamiento (point-in-time; `historico="manual"`: the manual's rule,
    marts.entrenamiento_manual), calibrate, evaluate against the manual's baseline, explain and store the run."""
    from ml.features import FeatureMismatch
    from ml.paths import models_store
    from ml.train import TrainingError, train
    from sidil.ml_steps import metrics_table

    if (codigo := _actualizar_entrenamiento(salida)) != OK:
        return codigo
    paso = Paso(
        salida,
        "train",
        f"familia={familia} division={division} corte={corte} verdad={verdad} "
        f"historico={historico} calibracion={calibracion} linea_base={linea_base} recalibracion={recalibracion}",
    )
    if not _abrir_almacen(paso):
        return NO_INICIA
    try:
        paso.decir(f"INFO: entrenando los modelos de riesgo (familia {familia}).")
        resumen = train(
            paso.con,
            familia=familia,
            division=division,
            corte=corte,
            fraccion_prueba=fraccion_prueba,
            verdad_dir=verdad,
            reentrenar=reentrenar,
            historico=historico,
            calibracion=calibracion,
            linea_base=linea_base,
            recalibracion=recalibracion,
            say=paso.decir,
        )
        salida.mostrar(metrics_table(resumen))
        carpeta = models_store() / resumen.run_id
        paso.terminar(
            True, f"INFO: modelo {resumen.run_id} guardado en {carpeta}; reporte en {carpeta / 'reporte.html'}."
        )
        return OK
    except (TrainingError, FeatureMismatch, ValueError) as exc:
        paso.terminar(False, f"***ERROR***: {exc}")
        return FALLO
    except Exception as exc:
        return paso.inesperado(exc)
    finally:
        paso.cerrar()


def _actualizar_entrenamiento(salida: Salida) -> int:
    """Rebuild the training tables a run without training left behind (sidil/cambios.py), before training."""
    from sidil import cambios

    if not (pendientes := cambios.entrenamiento_pendiente()):
        return OK
    salida.decir(
        "INFO: las tablas de entrenamiento no incluyen aún los últimos insumos; se reconstruyen antes de entrenar "
        f"({len(pendientes)} modelo(s))."
    )
    return construir(salida, " ".join(pendientes))


def predecir(salida: Salida, run_id: str | None = None) -> int:
    """Score the universe with a stored model run: ml.mpr and the candidate MPR in salidas/mpr_revision/ (the
    consultation keeps showing the published one until `publicar`)."""
    from ml.features import FeatureMismatch
    from ml.predict import predict
    from ml.store import ModelNotFound

    vigente = " La MPR anterior sigue vigente."
    paso = Paso(salida, "predict", f"run={run_id}")
    if not _abrir_almacen(paso):
        return NO_INICIA
    try:
        resumen = predict(paso.con, run_id=run_id, say=paso.decir)
        paso.parametros = f"run={resumen['run_id']}"
        paso.terminar(
            True,
            f"INFO: predicción en {resumen['total_s']:.1f} s; MPR por revisar en "
            f"{resumen['salidas']} (mpr.parquet y mpr.csv); publíquela con «Enviar a consulta» "
            f"o `sidil publish`.",
        )
        return OK
    except (ModelNotFound, FeatureMismatch) as exc:  # ModeloDanado included
        paso.terminar(False, f"***ERROR***: {exc}{vigente}")
        return FALLO
    except Exception as exc:
        return paso.inesperado(exc, vigente)
    finally:
        paso.cerrar()


def publicar(salida: Salida, usuario: str | None = None, comentario: str = "") -> int:
    """Send the reviewed MPR to the consultation interface and archive it with date, user and comment."""
    from sidil import publicacion

    usuario = usuario or usuario_actual()
    paso = Paso(salida, "publish", f"usuario={usuario}", usuario=usuario)
    try:
        meta = publicacion.publicar(usuario, comentario)
    except publicacion.SinCandidata as exc:
        paso.terminar(False, f"***ERROR***: {exc}")
        return FALLO
    except Exception as exc:
        return paso.inesperado(exc, " La MPR publicada antes sigue vigente.")
    paso.parametros = f"usuario={usuario} version={meta['version']} run={meta.get('run_id')}"
    paso.terminar(
        True,
        f"INFO: MPR {meta['version']} (modelo {meta.get('run_id')}, generada "
        f"{meta.get('generado_en')}) enviada a consulta por {usuario}.",
    )
    return OK


@dataclass
class Resumen:
    """What `ejecutar` did: one (step, result) per step, and the exit code."""

    pasos: list[tuple[str, str]] = field(default_factory=list)
    codigo: int = OK


def _ultimo_modelo() -> str | None:
    from loaders.warehouse import connect
    from ml.paths import models_store
    from ml.store import latest_run_id

    con = connect()
    try:
        modelo = latest_run_id(con)
    finally:
        con.close()
    return modelo if modelo and (models_store() / modelo).exists() else None


def ejecutar(
    salida: Salida,
    entrada: Path,
    pasos: list[str],
    *,
    entrenar_si_falta: bool = False,
    familia: str = "bosque",
    meses_recalculo: int | None = None,
    usuario: str | None = None,
    comentario: str = "",
    completo: bool = False,
) -> Resumen:
    """Run the steps asked for, in the pipeline's order, under the lock. With `entrenar_si_falta` the train
    step only runs when no model exists (the scheduler's run). The build covers only what changed since the
    last successful one (everything with `completo`); when nothing changed, the prediction, publication and
    documentation already in place are kept. A load that refused some inputs goes on with the rest, as it
    always has; any other failure stops the run with its exit code."""
    programados = ordenar(pasos)
    opciones = _Opciones(entrenar_si_falta, familia, meses_recalculo, usuario, comentario, completo)
    with como_usuario(usuario):
        return _ejecutar(salida, entrada, programados, opciones)


@dataclass
class _Opciones:
    entrenar_si_falta: bool
    familia: str
    meses_recalculo: int | None
    usuario: str | None
    comentario: str
    completo: bool


def _mpr_al_dia(modelo: str | None) -> bool:
    """The candidate MPR was scored by this model after the last successful build: scoring again would give
    the same matrix."""
    from sidil import cambios, publicacion

    meta, estado = publicacion.candidata(), cambios.leer_estado()
    if not meta or not modelo or estado is None or meta.get("run_id") != modelo:
        return False
    try:
        return datetime.fromisoformat(str(meta.get("generado_en"))) >= estado.inicio
    except ValueError:
        return False


@contextlib.contextmanager
def como_usuario(usuario: str | None) -> Iterator[None]:
    """Every raw.bitacora row of the run names this user (SIDIL_USUARIO), restored afterwards."""
    with settings.entorno({settings.USUARIO_ENV: usuario} if usuario else {}):
        yield


def _ejecutar(salida: Salida, entrada: Path, programados: list[str], op: _Opciones) -> Resumen:
    from ml.paths import models_store

    resumen = Resumen()
    verdad = entrada / "truth" if (entrada / "truth" / "inspecciones.parquet").exists() else None
    actual, inicio = programados[0] if programados else "run", datetime.now()
    construccion = Construccion()
    sin_cambios = False  # the build found nothing new: later steps keep what they produced last time
    try:
        with exclusive(pasos=programados, usuario=op.usuario or usuario_actual()):
            salida.decir(f"INFO: pasos a ejecutar, en orden: {', '.join(ETIQUETAS[p] for p in programados)}.")
            for codigo_paso in programados:
                actual, inicio = codigo_paso, datetime.now()
                etiqueta = ETIQUETAS[codigo_paso]
                if codigo_paso == "load":
                    codigo = cargar(salida, entrada)
                    if codigo == FALLO:
                        resumen.pasos.append((etiqueta, "con insumos rechazados (vea arriba)"))
                        continue
                    detalle = "ok"
                elif codigo_paso == "build":
                    entrena = "train" in programados and not (op.entrenar_si_falta and _ultimo_modelo())
                    codigo = construir(
                        salida,
                        None,
                        op.meses_recalculo,
                        por_cambios=True,
                        completo=op.completo,
                        informe=construccion,
                        con_entrenamiento=entrena,
                    )
                    sin_cambios = construccion.nada
                    detalle = "nada cambió" if sin_cambios else f"{len(construccion.modelos)} modelo(s) reconstruido(s)"
                elif codigo_paso == "train":
                    if op.entrenar_si_falta and (modelo := _ultimo_modelo()):
                        resumen.pasos.append((etiqueta, f"se usa el modelo {modelo} (use --train para reentrenar)"))
                        continue
                    codigo = entrenar(salida, op.familia, "temporal", None, 0.2, verdad, True)
                    sin_cambios = False
                    modelo = _ultimo_modelo()
                    detalle = f"modelo nuevo {modelo}; reporte {models_store() / str(modelo) / 'reporte.html'}"
                elif codigo_paso == "predict":
                    if sin_cambios and _mpr_al_dia(modelo := _ultimo_modelo()):
                        salida.decir(f"INFO: la MPR por revisar ya corresponde a estos datos y al modelo {modelo}.")
                        resumen.pasos.append((etiqueta, "sin cambios: se conserva la MPR por revisar"))
                        continue
                    sin_cambios = False
                    codigo, detalle = predecir(salida, _ultimo_modelo()), "ml.mpr y salidas/mpr_revision/"
                elif codigo_paso == "publish":
                    from sidil.publicacion import candidata

                    if sin_cambios and (candidata() or {}).get("publicada"):
                        resumen.pasos.append((etiqueta, "sin cambios: la MPR en consulta ya es la más reciente"))
                        continue
                    codigo, detalle = publicar(salida, op.usuario, op.comentario), "salidas/mpr/ (consulta)"
                else:
                    if sin_cambios and (_carpeta_target() / "static_index.html").exists():
                        resumen.pasos.append((etiqueta, "sin cambios: se conserva la documentación"))
                        continue
                    codigo, detalle = documentar(salida), "target/static_index.html"
                if codigo != OK:
                    resumen.pasos.append((etiqueta, "falló (vea arriba)"))
                    resumen.codigo = codigo
                    return resumen
                resumen.pasos.append((etiqueta, detalle))
    except PipelineBusy as exc:
        salida.decir(f"***ERROR***: {exc}")
        resumen.codigo = NO_INICIA
    except Exception as exc:  # a failure between steps: one line, one bitacora row
        paso = Paso(salida, actual, f"input={entrada}")
        paso.inicio = inicio
        resumen.codigo = paso.inesperado(exc)
    return resumen
