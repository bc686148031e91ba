"""SIDIL's settings: the project folder and every `SIDIL_*` environment variable, read here and nowhere else.

Each setting is a function read when called (not a constant read at import), so a test, a second warehouse or
a run that sets a variable while the process lives is seen at once. Paths default to folders of the project,
whatever the working folder is. Each `*_ENV` constant is the variable's name, for the code that sets it for a
child process or for the rest of a run (the pipeline, the operators' jobs, the catalog check).

Standard library only: loaders, ml, the generator and the interface all import this module, and it imports
none of them (tests/test_capas.py checks it; tests/test_settings.py checks that nothing else reads them).
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator, Mapping
from pathlib import Path

# The repository root: the dbt project, and the base of every default path below.
PROJECT_DIR = Path(__file__).resolve().parents[1]

DB_ENV = "SIDIL_DB"
MEMORIA_ENV = "SIDIL_MEMORIA"
MODELOS_ENV = "SIDIL_MODELOS"
SALIDAS_ENV = "SIDIL_SALIDAS"
CATALOGOS_ENV = "SIDIL_CATALOGOS"
SEMILLAS_ENV = "SIDIL_SEMILLAS"
LOGS_PROCESOS_ENV = "SIDIL_LOGS_PROCESOS"
USUARIOS_ENV = "SIDIL_USUARIOS"
INSUMOS_ENV = "SIDIL_INSUMOS"
INTERFAZ_LOG_ENV = "SIDIL_INTERFAZ_LOG"
AUDITORIA_ENV = "SIDIL_AUDITORIA"
ERRORES_LOG_ENV = "SIDIL_ERRORES_LOG"
USUARIO_ENV = "SIDIL_USUARIO"
ML_NUCLEOS_ENV = "SIDIL_ML_NUCLEOS"
PROXIES_CONFIABLES_ENV = "SIDIL_PROXIES_CONFIABLES"
TAMANIO_MAXIMO_CARGA_ENV = "SIDIL_TAMANIO_MAXIMO_CARGA"
PSEUDO_KEY_ENV = "SIDIL_PSEUDO_KEY"
DBT_TARGET_ENV = "DBT_TARGET_PATH"  # dbt's own variable; read here too so the target folder has one definition

# One memory setting for the whole pipeline (loader, dbt, ML): DuckDB's ceiling in every connection; it
# spills to disk beyond it. 4 GB keeps each step's process tree (DuckDB plus Python, dbt or scikit-learn
# around it) within 6 GB at production volume. profiles.yml repeats this default for `dbt` run by hand
# (tests/test_memoria.py checks they agree).
MEMORIA_POR_OMISION = "4GB"
_TAMANO_MEMORIA = re.compile(r"\d+(\.\d+)?\s*[KMGT]i?B", re.IGNORECASE)
TAMANIO_MAXIMO_CARGA_POR_OMISION = 4 << 30  # 4 GiB: an IMSS puestos month is over 1 GB uncompressed
# The demo's pseudonymisation key file, in the working folder (git-ignored): `make run` and the tests that
# run the loader from a scratch folder each get their own.
ARCHIVO_LLAVE_DEMO = ".sidil_pseudo_key"


def _valor(nombre: str) -> str:
    """The variable's value without surrounding blanks; unset and empty are the same (the default)."""
    return os.environ.get(nombre, "").strip()


def _ruta(nombre: str, por_omision: Path) -> Path:
    return Path(_valor(nombre) or por_omision)


def _ruta_del_proyecto(nombre: str, por_omision: str) -> Path:
    """A folder dbt reads relative to the project: the variable's value (a relative one taken from the
    project folder, as dbt does), else `por_omision` in the project."""
    ruta = Path(_valor(nombre) or por_omision)
    return ruta if ruta.is_absolute() else PROJECT_DIR / ruta


# -- the warehouse and its memory ----------------------------------------------------------------------------
def db_path() -> Path:
    """The DuckDB warehouse file: SIDIL_DB, else `warehouse/sidil.duckdb` of the project."""
    return _ruta(DB_ENV, PROJECT_DIR / "warehouse" / "sidil.duckdb")


def memoria() -> str:
    """DuckDB's memory ceiling in every step: SIDIL_MEMORIA, else 4GB. A value that is not a size (digits and
    a unit) is refused with a Spanish message rather than reaching SQL."""
    limite = _valor(MEMORIA_ENV) or MEMORIA_POR_OMISION
    if not _TAMANO_MEMORIA.fullmatch(limite):
        raise ValueError(f"{MEMORIA_ENV}={limite!r} no es un tamaño de memoria (use p. ej. 4GB o 6GiB)")
    return limite


# -- what the ML step writes ---------------------------------------------------------------------------------
def models_store() -> Path:
    """One folder per model run, `<models_store>/<run_id>/`: SIDIL_MODELOS, else `models_store/` of the project."""
    return _ruta(MODELOS_ENV, PROJECT_DIR / "models_store")


def salidas() -> Path:
    """Exports people and the consultation interface read (`mpr/` inside): SIDIL_SALIDAS, else `salidas/` of
    the project."""
    return _ruta(SALIDAS_ENV, PROJECT_DIR / "salidas")


def nucleos_ml() -> int:
    """Cores the model fitting may use (scikit-learn's n_jobs): SIDIL_ML_NUCLEOS, else -1 (all of them)."""
    valor = _valor(ML_NUCLEOS_ENV)
    if not valor:
        return -1
    if not re.fullmatch(r"[+-]?\d+", valor) or int(valor) == 0:
        raise ValueError(f"{ML_NUCLEOS_ENV}={valor!r} no es un número de núcleos (entero distinto de 0; -1 = todos)")
    return int(valor)


# -- catalogs ------------------------------------------------------------------------------------------------
def catalogos() -> Path:
    """The operators' catalog versions: SIDIL_CATALOGOS, else `catalogos/` beside the warehouse file."""
    return _ruta(CATALOGOS_ENV, db_path().resolve().parent / "catalogos")


def semillas() -> Path:
    """The seeds folder in use: SIDIL_SEMILLAS (set by sidil.catalogos.preparar_semillas to the active
    catalog versions; relative to the project, as dbt_project.yml's `seed-paths` reads it), else `seeds/`."""
    return _ruta_del_proyecto(SEMILLAS_ENV, "seeds")


def dbt_target() -> Path:
    """dbt's target folder: DBT_TARGET_PATH (relative to the project, as dbt reads it), else `target/`."""
    return _ruta_del_proyecto(DBT_TARGET_ENV, "target")


# -- the operators' side -------------------------------------------------------------------------------------
def insumos() -> Path:
    """The input folder of the operators' uploads and runs: SIDIL_INSUMOS, else `demo_data/` of the project
    (`sidil serve --insumos` overrides both)."""
    return _ruta(INSUMOS_ENV, PROJECT_DIR / "demo_data")


def tamanio_maximo_carga() -> int:
    """The largest upload in bytes: SIDIL_TAMANIO_MAXIMO_CARGA, else 4 GiB. Anything but a positive whole
    number is refused with a Spanish message."""
    valor = _valor(TAMANIO_MAXIMO_CARGA_ENV)
    if not valor:
        return TAMANIO_MAXIMO_CARGA_POR_OMISION
    if not valor.isdigit() or int(valor) <= 0:
        raise ValueError(f"{TAMANIO_MAXIMO_CARGA_ENV}={valor!r} no es un tamaño en bytes (un entero positivo)")
    return int(valor)


def logs_procesos() -> Path:
    """The operators' job files and logs: SIDIL_LOGS_PROCESOS, else `logs/procesos/` of the project."""
    return _ruta(LOGS_PROCESOS_ENV, PROJECT_DIR / "logs" / "procesos")


def usuarios() -> Path:
    """The interface's users file: SIDIL_USUARIOS, else `config/usuarios.json` of the project (never in git)."""
    return _ruta(USUARIOS_ENV, PROJECT_DIR / "config" / "usuarios.json")


def log_accesos() -> Path:
    """The interface's access log: SIDIL_INTERFAZ_LOG, else `logs/interfaz_accesos.log` of the project."""
    return _ruta(INTERFAZ_LOG_ENV, PROJECT_DIR / "logs" / "interfaz_accesos.log")


def auditoria() -> Path:
    """The operators' audit log: SIDIL_AUDITORIA, else `logs/auditoria.log` of the project."""
    return _ruta(AUDITORIA_ENV, PROJECT_DIR / "logs" / "auditoria.log")


def errores_log() -> Path:
    """Technical detail of unexpected failures: SIDIL_ERRORES_LOG, else `logs/sidil_errores.log` of the project."""
    return _ruta(ERRORES_LOG_ENV, PROJECT_DIR / "logs" / "sidil_errores.log")


def proxies_confiables() -> tuple[str, ...]:
    """The reverse proxies whose X-Forwarded-For is believed, as written: SIDIL_PROXIES_CONFIABLES, a comma
    list of IP addresses; none by default."""
    return tuple(p.strip() for p in _valor(PROXIES_CONFIABLES_ENV).split(",") if p.strip())


def usuario() -> str:
    """Who runs the step, as raw.bitacora records it: SIDIL_USUARIO (the operator of the web interface,
    `sidil run --usuario`), else the operating system's user, else "desconocido"."""
    import getpass

    if nombre := _valor(USUARIO_ENV):
        return nombre
    try:
        return getpass.getuser()
    except Exception:  # no user name in some containers
        return "desconocido"


# -- the pseudonymisation key --------------------------------------------------------------------------------
def llave_seudonimo() -> str | None:
    """The pseudonymisation key: SIDIL_PSEUDO_KEY exactly as given (never stripped: it is a secret), else None."""
    return os.environ.get(PSEUDO_KEY_ENV) or None


def archivo_llave_demo() -> Path:
    """The synthetic demo's key file, `.sidil_pseudo_key` in the working folder (used only without
    SIDIL_PSEUDO_KEY, and created only for the demo)."""
    return Path(ARCHIVO_LLAVE_DEMO)


# -- setting variables for the rest of a run -----------------------------------------------------------------
@contextlib.contextmanager
def entorno(valores: Mapping[str, str | None]) -> Iterator[None]:
    """Set these variables (None unsets one) while the block runs, and put back what was there before."""
    antes = {nombre: os.environ.get(nombre) for nombre in valores}
    try:
        for nombre, valor in valores.items():
            _poner(nombre, valor)
        yield
    finally:
        for nombre, valor in antes.items():
            _poner(nombre, valor)


def _poner(nombre: str, valor: str | None) -> None:
    if valor is None:
        os.environ.pop(nombre, None)
    else:
        os.environ[nombre] = valor
