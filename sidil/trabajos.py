"""The operators' background job: the processes ticked in the status tab run as ONE `sidil run` subprocess
(always in the pipeline's order), its output in a log file under `logs/procesos/` (SIDIL_LOGS_PROCESOS
overrides), one job at a time.

The job file (`trabajo.json` in that folder) says which job was started last, by whom and since when, so
the banner and the console survive a page reload or a second user; a server restart finds the job still
running through its pid. A second request is refused with who runs what since when — this job or any other
run holding the warehouse's pipeline lock (a cron `sidil run`)."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

import settings
from sidil import pipeline

PREFIJOS = ("INFO: ", "***ADVERTENCIA***: ", "***ERROR***: ")
ARCHIVO_TRABAJO = "trabajo.json"
MAX_LINEAS_CONSOLA = 400
# Jobs of this server whose end is being recorded: between the reap of the process and the write of its exit
# code the job is still running for everyone who looks (never "interrumpido" for a moment).
_ESPERANDO: set[str] = set()


class TrabajoRechazado(Exception):
    """The job cannot start now; the message says why, for the user."""


def carpeta() -> Path:
    return settings.logs_procesos()


@dataclass
class Trabajo:
    id: str
    pasos: list[str]
    usuario: str
    inicio: str  # ISO date and time
    pid: int
    log: str  # file name inside carpeta()
    codigo: int | None = None  # exit code once it ended
    fin: str | None = None
    arranque: str | None = None  # the process's start time (/proc), against recycled pids

    @property
    def ruta_log(self) -> Path:
        return carpeta() / Path(self.log).name  # only the name is kept: the folder is ours

    @property
    def en_curso(self) -> bool:
        return self.codigo is None and (self.id in _ESPERANDO or _vivo(self.pid, self.arranque))

    @property
    def etiquetas(self) -> str:
        return ", ".join(pipeline.ETIQUETAS.get(p, p) for p in self.pasos)

    @property
    def resultado(self) -> str:
        """In Spanish: en curso, correcto, con errores, ocupado (lock held), interrumpido."""
        if self.en_curso:
            return "en curso"
        if self.codigo is None:
            return "interrumpido"  # the server stopped while it ran and nobody saw its end
        return {0: "correcto", 1: "con errores", 2: "no inició"}.get(self.codigo, f"terminó con código {self.codigo}")


def _arranque(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (/proc/<pid>/stat, field 22), None when it is
    gone or a zombie. Set at fork and kept across exec, so it tells our job from a recycled pid."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    campos = stat[stat.rindex(")") + 2 :].split()  # after "pid (comm) ": state is field 3, starttime 22
    return None if campos[0] == "Z" else campos[19]


def _vivo(pid: int, arranque: str | None = None) -> bool:
    """The job's process still runs (the same process: same pid and start time)."""
    actual = _arranque(pid)
    return actual is not None and (arranque is None or actual == arranque)


@contextlib.contextmanager
def _exclusivo() -> Iterator[None]:
    """Serialise the check-then-start of jobs across threads and processes."""
    raiz = carpeta()
    raiz.mkdir(parents=True, exist_ok=True)
    with open(raiz / ".trabajo.lock", "a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def _guardar(t: Trabajo) -> None:
    raiz = carpeta()
    tmp = raiz / f".{ARCHIVO_TRABAJO}.{os.getpid()}.{threading.get_ident()}.tmp"
    tmp.write_text(json.dumps(asdict(t), ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, raiz / ARCHIVO_TRABAJO)


def ultimo() -> Trabajo | None:
    """The job started last from the interface (running or not), None before the first."""
    try:
        datos = json.loads((carpeta() / ARCHIVO_TRABAJO).read_text(encoding="utf-8"))
        return Trabajo(**datos)
    except (OSError, ValueError, TypeError):
        return None


def _fecha(iso: str | None) -> str:
    return str(iso or "?").replace("T", " ")[:16]


def ocupado() -> str | None:
    """Why a job cannot start now (who runs what since when), None when it can."""
    t = ultimo()
    if t is not None and t.en_curso:
        return (
            f"Ya hay un proceso en curso: {t.etiquetas}, iniciado por {t.usuario} el {_fecha(t.inicio)}. "
            f"Espere a que termine; solo se ejecuta un proceso a la vez."
        )
    otro = pipeline.en_curso()
    if otro:
        pasos = ", ".join(pipeline.ETIQUETAS.get(p, p) for p in otro.get("pasos") or []) or "un proceso"
        return (
            f"La base de datos está ocupada por otra ejecución de SIDIL ({pasos}, de {otro.get('usuario', '?')}, "
            f"desde {_fecha(otro.get('inicio'))}; p. ej. una ejecución programada). Espere a que termine; "
            f"solo se ejecuta un proceso a la vez."
        )
    return None


def comando(pasos: list[str], usuario: str, insumos: Path, completo: bool = False) -> list[str]:
    """The `sidil run` of a job; `completo` builds every dbt model, not only what changed."""
    return [
        sys.executable,
        "-m",
        "sidil.cli",
        "run",
        "--input",
        str(insumos),
        "--pasos",
        ",".join(pasos),
        "--usuario",
        usuario,
    ] + (["--completo"] if completo else [])


def iniciar(pasos, usuario: str, insumos: Path, orden: list[str] | None = None, completo: bool = False) -> Trabajo:
    """Start the processes ticked, in the pipeline's order, as one background job. Raises TrabajoRechazado
    (Spanish message) when nothing was ticked or another job or run is under way. `orden` replaces the
    command (tests run a script of their own through the same machinery)."""
    from sidil.interfaz.auditoria import auditar

    try:
        ordenados = pipeline.ordenar(pasos)
    except ValueError as exc:
        raise TrabajoRechazado(f"No se puede ejecutar: {exc}.") from None
    if not ordenados:
        raise TrabajoRechazado("Elija al menos un proceso.")
    with _exclusivo():
        if motivo := ocupado():
            auditar(
                usuario, "proceso_rechazado", json.dumps({"pasos": ordenados, "motivo": motivo}, ensure_ascii=False)
            )
            raise TrabajoRechazado(motivo)
        ahora = datetime.now()
        ident = f"{ahora:%Y%m%d-%H%M%S}-{os.getpid()}"
        log = f"proceso-{ident}.log"
        ruta_log = carpeta() / log
        env = dict(os.environ, PYTHONUNBUFFERED="1", NO_COLOR="1", **{settings.USUARIO_ENV: usuario})
        with open(ruta_log, "wb") as salida:
            proc = subprocess.Popen(
                orden or comando(ordenados, usuario, insumos, completo),
                stdout=salida,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=env,
                cwd=str(settings.PROJECT_DIR),
                start_new_session=True,
            )
        t = Trabajo(
            ident,
            ordenados,
            usuario,
            ahora.replace(microsecond=0).isoformat(),
            proc.pid,
            log,
            arranque=_arranque(proc.pid),
        )
        _guardar(t)
    auditar(
        usuario, "proceso_iniciado", json.dumps({"trabajo": ident, "pasos": ordenados, "log": log}, ensure_ascii=False)
    )
    _ESPERANDO.add(ident)
    threading.Thread(target=_esperar, args=(proc, t), daemon=True, name=f"trabajo-{ident}").start()
    return t


def _esperar(proc: subprocess.Popen, t: Trabajo) -> None:
    """Reap the job and record its end (exit code and time) in the job file and the audit log."""
    from sidil.interfaz.auditoria import auditar

    codigo = proc.wait()
    try:
        with _exclusivo():
            actual = ultimo()
            if actual is not None and actual.id == t.id:
                t.codigo, t.fin = codigo, datetime.now().replace(microsecond=0).isoformat()
                _guardar(t)
    finally:
        _ESPERANDO.discard(t.id)
    auditar(
        t.usuario,
        "proceso_terminado",
        json.dumps({"trabajo": t.id, "pasos": t.pasos, "codigo": codigo}, ensure_ascii=False),
    )


def es_mensaje(linea: str) -> bool:
    return linea.startswith(PREFIJOS)


def consola(t: Trabajo | None, maximo: int = MAX_LINEAS_CONSOLA) -> list[str]:
    """The job's high-level messages (INFO / ADVERTENCIA / ERROR lines of its log), the last `maximo`.
    A line still being written (no newline yet) waits for the next look."""
    if t is None:
        return []
    try:
        with open(t.ruta_log, "rb") as f:
            datos = f.read()
    except OSError:
        return []
    completas = datos[: datos.rfind(b"\n") + 1].decode("utf-8", errors="replace")
    return [ln for ln in completas.splitlines() if es_mensaje(ln)][-maximo:]


def leer_desde(ruta: Path, posicion: int) -> tuple[list[str], int]:
    """The messages appended to a log since byte `posicion`, and the new position (after the last whole
    line): what a console streaming the log adds at each look."""
    try:
        with open(ruta, "rb") as f:
            f.seek(posicion)
            datos = f.read()
    except OSError:
        return [], posicion
    corte = datos.rfind(b"\n") + 1
    lineas = datos[:corte].decode("utf-8", errors="replace").splitlines()
    return [ln for ln in lineas if es_mensaje(ln)], posicion + corte


def huella(t: Trabajo | None) -> tuple:
    """What changes when the console or the banner must be redrawn (for a reactive poll)."""
    if t is None:
        return (None,)
    try:
        tam = t.ruta_log.stat().st_size
    except OSError:
        tam = -1
    return (t.id, t.codigo, t.en_curso, tam)
