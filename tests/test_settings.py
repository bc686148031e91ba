"""One settings module (issue 18): every SIDIL_* environment variable and the project folder are read in
`settings/` and nowhere else; each setting's default, its override and the refusal of hostile values; and the
modules that used to read a variable themselves now answer with the setting."""

from __future__ import annotations

import ast
import os
import re
from pathlib import Path

import pytest

import settings
from tests.conftest import ROOT

# Path settings: (function, variable, default inside the project).
RUTAS = [
    (settings.db_path, "SIDIL_DB", "warehouse/sidil.duckdb"),
    (settings.models_store, "SIDIL_MODELOS", "models_store"),
    (settings.salidas, "SIDIL_SALIDAS", "salidas"),
    (settings.logs_procesos, "SIDIL_LOGS_PROCESOS", "logs/procesos"),
    (settings.usuarios, "SIDIL_USUARIOS", "config/usuarios.json"),
    (settings.insumos, "SIDIL_INSUMOS", "demo_data"),
    (settings.log_accesos, "SIDIL_INTERFAZ_LOG", "logs/interfaz_accesos.log"),
    (settings.auditoria, "SIDIL_AUDITORIA", "logs/auditoria.log"),
    (settings.errores_log, "SIDIL_ERRORES_LOG", "logs/sidil_errores.log"),
]


def test_the_project_folder_is_the_repository_root():
    assert settings.PROJECT_DIR == ROOT
    assert (settings.PROJECT_DIR / "dbt_project.yml").is_file()


@pytest.mark.parametrize(("funcion", "variable", "defecto"), RUTAS, ids=[r[1] for r in RUTAS])
def test_path_default_is_in_the_project_and_the_variable_overrides_it(
    funcion, variable, defecto, monkeypatch, tmp_path
):
    monkeypatch.delenv(variable, raising=False)
    assert funcion() == ROOT / defecto
    monkeypatch.setenv(variable, "")  # empty is unset
    assert funcion() == ROOT / defecto
    monkeypatch.setenv(variable, str(tmp_path / "otro"))
    assert funcion() == tmp_path / "otro"


def test_the_warehouse_default_does_not_depend_on_the_working_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("SIDIL_DB", raising=False)
    monkeypatch.chdir(tmp_path)
    assert settings.db_path() == ROOT / "warehouse" / "sidil.duckdb"
    assert settings.db_path().is_absolute()


def test_catalog_versions_sit_beside_the_warehouse_unless_overridden(monkeypatch, tmp_path):
    monkeypatch.delenv("SIDIL_CATALOGOS", raising=False)
    monkeypatch.setenv("SIDIL_DB", str(tmp_path / "almacen" / "w.duckdb"))
    assert settings.catalogos() == tmp_path / "almacen" / "catalogos"
    monkeypatch.setenv("SIDIL_CATALOGOS", str(tmp_path / "cat"))
    assert settings.catalogos() == tmp_path / "cat"


@pytest.mark.parametrize(
    ("funcion", "variable", "defecto"),
    [(settings.semillas, "SIDIL_SEMILLAS", "seeds"), (settings.dbt_target, "DBT_TARGET_PATH", "target")],
)
def test_project_relative_folders(funcion, variable, defecto, monkeypatch, tmp_path):
    monkeypatch.delenv(variable, raising=False)
    assert funcion() == ROOT / defecto
    monkeypatch.setenv(variable, "target/semillas_activas/abc")  # relative: to the project, as dbt reads it
    assert funcion() == ROOT / "target" / "semillas_activas" / "abc"
    monkeypatch.setenv(variable, str(tmp_path))
    assert funcion() == tmp_path


def test_memory_default_override_and_hostile_values(monkeypatch):
    monkeypatch.delenv("SIDIL_MEMORIA", raising=False)
    assert settings.memoria() == settings.MEMORIA_POR_OMISION == "4GB"
    monkeypatch.setenv("SIDIL_MEMORIA", " 6GiB ")
    assert settings.memoria() == "6GiB"
    monkeypatch.setenv("SIDIL_MEMORIA", "512 MB")
    assert settings.memoria() == "512 MB"
    for valor in ["4GB'; drop table x; --", "mucho", "4 GB GB", "-1GB", "4GB;", "1e9GB", "8"]:
        monkeypatch.setenv("SIDIL_MEMORIA", valor)
        with pytest.raises(ValueError, match=r"SIDIL_MEMORIA=.* no es un tamaño de memoria"):
            settings.memoria()


def test_cores_default_override_and_hostile_values(monkeypatch):
    monkeypatch.delenv("SIDIL_ML_NUCLEOS", raising=False)
    assert settings.nucleos_ml() == -1
    monkeypatch.setenv("SIDIL_ML_NUCLEOS", "2")
    assert settings.nucleos_ml() == 2
    monkeypatch.setenv("SIDIL_ML_NUCLEOS", "-1")
    assert settings.nucleos_ml() == -1
    for valor in ["0", "dos", "1.5", "2; rm -rf /", "__import__('os')"]:
        monkeypatch.setenv("SIDIL_ML_NUCLEOS", valor)
        with pytest.raises(ValueError, match="SIDIL_ML_NUCLEOS=.* no es un número de núcleos"):
            settings.nucleos_ml()


def test_upload_size_default_override_and_hostile_values(monkeypatch):
    monkeypatch.delenv("SIDIL_TAMANIO_MAXIMO_CARGA", raising=False)
    assert settings.tamanio_maximo_carga() == 4 << 30
    monkeypatch.setenv("SIDIL_TAMANIO_MAXIMO_CARGA", "1000")
    assert settings.tamanio_maximo_carga() == 1000
    for valor in ["0", "-5", "1e9", "mucho", "10 GB"]:
        monkeypatch.setenv("SIDIL_TAMANIO_MAXIMO_CARGA", valor)
        with pytest.raises(ValueError, match="no es un tamaño en bytes"):
            settings.tamanio_maximo_carga()


def test_trusted_proxies_are_none_by_default(monkeypatch):
    monkeypatch.delenv("SIDIL_PROXIES_CONFIABLES", raising=False)
    assert settings.proxies_confiables() == ()
    monkeypatch.setenv("SIDIL_PROXIES_CONFIABLES", " 10.0.0.5, ::1 ,,")
    assert settings.proxies_confiables() == ("10.0.0.5", "::1")


def test_the_user_comes_from_the_variable_else_the_system(monkeypatch):
    import getpass

    monkeypatch.setenv("SIDIL_USUARIO", "  olga ")
    assert settings.usuario() == "olga"
    monkeypatch.delenv("SIDIL_USUARIO")
    monkeypatch.setattr(getpass, "getuser", lambda: "cron")
    assert settings.usuario() == "cron"

    def sin_usuario():
        raise OSError("no user")

    monkeypatch.setattr(getpass, "getuser", sin_usuario)
    assert settings.usuario() == "desconocido"


def test_the_key_is_taken_as_given_and_the_demo_key_file_is_in_the_working_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("SIDIL_PSEUDO_KEY", raising=False)
    assert settings.llave_seudonimo() is None
    monkeypatch.setenv("SIDIL_PSEUDO_KEY", "")
    assert settings.llave_seudonimo() is None
    monkeypatch.setenv("SIDIL_PSEUDO_KEY", " clave con espacios ")
    assert settings.llave_seudonimo() == " clave con espacios "  # a secret is never altered
    monkeypatch.chdir(tmp_path)
    assert settings.archivo_llave_demo().resolve() == tmp_path / ".sidil_pseudo_key"


def test_entorno_sets_and_restores_even_on_failure(monkeypatch):
    monkeypatch.setenv("SIDIL_USUARIO", "antes")
    monkeypatch.delenv("SIDIL_AUDITORIA", raising=False)
    with pytest.raises(RuntimeError):
        with settings.entorno({"SIDIL_USUARIO": "olga", "SIDIL_AUDITORIA": "/tmp/a.log"}):
            assert settings.usuario() == "olga"
            assert settings.auditoria() == Path("/tmp/a.log")
            raise RuntimeError("falla a media ejecución")
    assert os.environ["SIDIL_USUARIO"] == "antes"
    assert "SIDIL_AUDITORIA" not in os.environ
    with settings.entorno({"SIDIL_USUARIO": None}):
        assert "SIDIL_USUARIO" not in os.environ
    assert os.environ["SIDIL_USUARIO"] == "antes"


def test_the_modules_answer_with_the_settings(monkeypatch, tmp_path):
    """The functions other modules and tests import keep working, and follow the variables."""
    import ml.models
    import ml.paths
    from loaders import catalog, manifest, pseudonym, warehouse
    from sidil import catalogos, insumos, trabajos
    from sidil.interfaz import acceso, auditoria, mpr, usuarios, web

    assert warehouse.db_path is settings.db_path and warehouse.memoria is settings.memoria
    assert warehouse.MEMORIA_ENV == "SIDIL_MEMORIA" and warehouse.MEMORIA_POR_OMISION == "4GB"
    assert ml.paths.models_store is settings.models_store and ml.paths.PROJECT_DIR == ROOT
    assert manifest.usuario is settings.usuario and pseudonym.KEY_ENV == "SIDIL_PSEUDO_KEY"
    valores = {
        "SIDIL_DB": tmp_path / "w.duckdb",
        "SIDIL_CATALOGOS": tmp_path / "cat",
        "SIDIL_SEMILLAS": tmp_path / "semillas",
        "SIDIL_LOGS_PROCESOS": tmp_path / "procesos",
        "SIDIL_USUARIOS": tmp_path / "u.json",
        "SIDIL_AUDITORIA": tmp_path / "a.log",
        "SIDIL_INSUMOS": tmp_path / "insumos",
        "SIDIL_SALIDAS": tmp_path / "salidas",
        "SIDIL_MODELOS": tmp_path / "modelos",
    }
    for variable, valor in valores.items():
        monkeypatch.setenv(variable, str(valor))
    monkeypatch.setenv("SIDIL_ML_NUCLEOS", "3")
    monkeypatch.setenv("SIDIL_TAMANIO_MAXIMO_CARGA", "77")
    monkeypatch.setenv("SIDIL_PROXIES_CONFIABLES", "10.0.0.1")
    assert warehouse.db_path() == valores["SIDIL_DB"]
    assert catalogos.raiz() == valores["SIDIL_CATALOGOS"]
    assert catalogos.carpeta_semillas() == catalog.seeds_dir() == valores["SIDIL_SEMILLAS"]
    assert trabajos.carpeta() == valores["SIDIL_LOGS_PROCESOS"]
    assert usuarios.ruta_usuarios() == valores["SIDIL_USUARIOS"]
    assert auditoria.ruta_auditoria() == valores["SIDIL_AUDITORIA"]
    assert web.carpeta_insumos() == valores["SIDIL_INSUMOS"].resolve()
    assert web.carpeta_insumos(tmp_path / "dada") == (tmp_path / "dada").resolve()
    assert mpr.carpeta_mpr() == valores["SIDIL_SALIDAS"] / "mpr"
    assert ml.paths.salidas() == valores["SIDIL_SALIDAS"] and ml.paths.models_store() == valores["SIDIL_MODELOS"]
    assert ml.models._n_jobs() == 3
    assert insumos.tamanio_maximo() == 77
    assert acceso.proxies_confiables() == frozenset({"10.0.0.1"})
    monkeypatch.setenv("SIDIL_PSEUDO_KEY", "k")
    assert pseudonym.load_key(allow_demo_key=False) == b"k"


# -- nobody else reads the environment -------------------------------------------------------------------------
PAQUETES = ("loaders", "ml", "sidil")
NOMBRE_VARIABLE = re.compile(r"SIDIL_[A-Z0-9_]+")


def _fuentes():
    for paquete in PAQUETES:
        yield from sorted((ROOT / paquete).rglob("*.py"))


def _es_environ(nodo: ast.AST) -> bool:
    """`os.environ` (or a bare `environ` imported from os)."""
    return (isinstance(nodo, ast.Attribute) and nodo.attr == "environ") or (
        isinstance(nodo, ast.Name) and nodo.id == "environ"
    )


def _lecturas(arbol: ast.AST):
    """(line, key node) of every read of one environment variable: os.environ.get / [] / in, os.getenv."""
    for nodo in ast.walk(arbol):
        if isinstance(nodo, ast.Call) and isinstance(nodo.func, ast.Attribute) and nodo.args:
            if (nodo.func.attr == "get" and _es_environ(nodo.func.value)) or (
                nodo.func.attr == "getenv" and isinstance(nodo.func.value, ast.Name) and nodo.func.value.id == "os"
            ):
                yield nodo.lineno, nodo.args[0]
        elif isinstance(nodo, ast.Name) and nodo.id == "getenv":
            yield nodo.lineno, nodo
        elif isinstance(nodo, ast.Subscript) and _es_environ(nodo.value) and isinstance(nodo.ctx, ast.Load):
            yield nodo.lineno, nodo.slice
        elif isinstance(nodo, ast.Compare) and any(isinstance(o, ast.In | ast.NotIn) for o in nodo.ops):
            if any(_es_environ(c) for c in nodo.comparators):
                yield nodo.lineno, nodo.left


def test_no_module_outside_settings_reads_or_names_a_sidil_variable():
    """Outside settings/ a SIDIL_* name is never spelled (not as a string, not as a keyword argument: code that
    sets one for a child process or for the rest of a run uses the settings' *_ENV constants), and the
    environment is read only by literal names of other tools' variables (DBT_...). Writes (`os.environ[X] =`,
    `pop`, `setdefault`) and copying the whole environment for a child process are allowed. No exceptions."""
    malos = []
    for archivo in _fuentes():
        rel = archivo.relative_to(ROOT).as_posix()
        arbol = ast.parse(archivo.read_text(encoding="utf-8"), rel)
        for nodo in ast.walk(arbol):
            if isinstance(nodo, ast.Constant) and isinstance(nodo.value, str):
                if NOMBRE_VARIABLE.fullmatch(nodo.value):  # a docstring mentioning one is never just the name
                    malos.append(f"{rel}:{nodo.lineno}: the name {nodo.value!r}")
            elif isinstance(nodo, ast.keyword) and nodo.arg and NOMBRE_VARIABLE.fullmatch(nodo.arg):
                malos.append(f"{rel}:{nodo.value.lineno}: the keyword {nodo.arg}=")
        for linea, clave in _lecturas(arbol):
            literal = isinstance(clave, ast.Constant) and isinstance(clave.value, str)
            if not literal or NOMBRE_VARIABLE.match(clave.value):
                malos.append(f"{rel}:{linea}: reads the environment ({ast.unparse(clave)})")
    assert malos == []


def test_no_module_outside_settings_computes_the_project_folder():
    """`Path(__file__).resolve().parents[n]` (or `.parent.parent`) is the project folder computed again: use
    settings.PROJECT_DIR. A module's own folder (`Path(__file__).parent / "templates"`) is fine."""
    malos = []
    for archivo in _fuentes():
        rel = archivo.relative_to(ROOT).as_posix()
        for nodo in ast.walk(ast.parse(archivo.read_text(encoding="utf-8"), rel)):
            if not isinstance(nodo, ast.Attribute):
                continue
            subiendo = nodo.attr == "parents" or (
                nodo.attr == "parent" and isinstance(nodo.value, ast.Attribute) and nodo.value.attr == "parent"
            )
            if subiendo and any(isinstance(n, ast.Name) and n.id == "__file__" for n in ast.walk(nodo.value)):
                malos.append(f"{rel}:{nodo.lineno}")
    assert malos == []


def test_the_scan_sees_a_read_and_a_name():
    """The two scans above would catch the forms they exist for (so an empty result means something)."""
    arbol = ast.parse(
        "import os\n"
        "a = os.environ.get('SIDIL_DB')\n"
        "b = os.environ[NOMBRE]\n"
        "c = 'SIDIL_X' in os.environ\n"
        "d = os.getenv(settings.DB_ENV)\n"
        "e = os.environ.get('DBT_TARGET_PATH')\n"
        "os.environ['DBT_X'] = '1'\n"
    )
    claves = sorted((linea, ast.unparse(clave)) for linea, clave in _lecturas(arbol))
    assert claves == [
        (2, "'SIDIL_DB'"),
        (3, "NOMBRE"),
        (4, "'SIDIL_X'"),
        (5, "settings.DB_ENV"),
        (6, "'DBT_TARGET_PATH'"),
    ]
