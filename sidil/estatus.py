"""What the operators' status tab shows: per source and table, the latest period loaded against the period
the publication calendar (seed calendario_publicacion) says should be out by today; per process, the code
version and its last run in raw.bitacora.

The warehouse is opened read-only for one short read and closed at once: a run started from the same tab
needs to write, and DuckDB allows one writer with no readers."""

from __future__ import annotations

import csv
import subprocess
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb

from loaders.sql import table_name
from settings import PROJECT_DIR

CALENDARIO = PROJECT_DIR / "seeds" / "calendario_publicacion.csv"

ACTUALIZADO = "actualizado"
POSIBLE = "posible actualización disponible"
CADA_EJECUCION = "se lee en cada ejecución"
SIN_CARGAS = "sin periodos cargados"
# The Censos Económicos are taken every five years in years ending in 4 or 9 (CE 2019, CE 2024).
ANIO_BASE_CENSO = 2019
NOMBRES_FUENTE = {
    "enoe": "ENOE",
    "imss": "IMSS",
    "censo": "Censo Económico",
    "externos": "Series externas",
    "dne": "DNE",
    "siapi": "SIAPI",
}
PERIODICIDADES = {"cada_ejecucion": "en cada ejecución"}
EN_ACTUALIZACION = (
    "Los datos están en actualización (otro proceso de SIDIL escribe en la base); intente de nuevo en unos minutos."
)


@dataclass(frozen=True)
class Publicacion:
    fuente: str
    entidad: str
    periodicidad: str  # mensual, trimestral, anual, quinquenal, cada_ejecucion
    rezago_dias: int
    descripcion: str


def calendario(ruta: Path | None = None) -> list[Publicacion]:
    """The publication calendar seed: the operator's active version (sidil.catalogos, tab "Carga de
    catálogos"), else the repository's."""
    if ruta is None:
        ruta = CALENDARIO
        try:
            from sidil import catalogos

            ruta = catalogos.ruta_version("calendario_publicacion", catalogos.activa("calendario_publicacion"))
        except Exception:  # no operator versions (or not a maintained catalog): the repository's file
            ruta = CALENDARIO
    with open(ruta, encoding="utf-8", newline="") as f:
        return [
            Publicacion(r["fuente"], r["entidad"], r["periodicidad"], int(r["rezago_dias"]), r.get("descripcion") or "")
            for r in csv.DictReader(f)
        ]


# -- periods -------------------------------------------------------------------------------------------
def _fin_mes(anio: int, mes: int) -> date:
    return date(anio + mes // 12, mes % 12 + 1, 1) - timedelta(days=1)


def fin_periodo(periodo: str) -> date:
    """The last day of a period written as the loaders write it: 2026T3, 2026-10, 2026."""
    p = periodo.strip().upper()
    if "T" in p:
        anio, trimestre = p.split("T")
        return _fin_mes(int(anio), 3 * int(trimestre))
    if "-" in p:
        anio, mes = p.split("-")[:2]
        return _fin_mes(int(anio), int(mes))
    return date(int(p), 12, 31)


def periodo_esperado(periodicidad: str, rezago_dias: int, hoy: date) -> str | None:
    """The newest period whose end plus the publication lag is not after `hoy` (None for sources read
    whole at every run)."""
    limite = hoy - timedelta(days=rezago_dias)  # a period is out when it ended on or before this day
    if periodicidad == "mensual":
        anio, mes = limite.year, limite.month
        if _fin_mes(anio, mes) > limite:
            anio, mes = (anio, mes - 1) if mes > 1 else (anio - 1, 12)
        return f"{anio}-{mes:02d}"
    if periodicidad == "trimestral":
        anio, trimestre = limite.year, (limite.month - 1) // 3 + 1
        if _fin_mes(anio, 3 * trimestre) > limite:
            anio, trimestre = (anio, trimestre - 1) if trimestre > 1 else (anio - 1, 4)
        return f"{anio}T{trimestre}"
    if periodicidad == "anual":
        anio = limite.year if limite >= date(limite.year, 12, 31) else limite.year - 1
        return str(anio)
    if periodicidad == "quinquenal":
        anio = limite.year if limite >= date(limite.year, 12, 31) else limite.year - 1
        return str(anio - (anio - ANIO_BASE_CENSO) % 5)
    return None


def estado_periodo(cargado: str | None, esperado: str | None) -> str:
    if esperado is None:
        return CADA_EJECUCION
    if not cargado:
        return SIN_CARGAS
    return ACTUALIZADO if fin_periodo(cargado) >= fin_periodo(esperado) else POSIBLE


# -- the warehouse ---------------------------------------------------------------------------------------
@dataclass
class Lectura:
    """What one short read-only look at the warehouse found; `mensaje` says why it could not look."""

    mensaje: str | None = None
    ultimos: dict[tuple[str, str], str] = field(default_factory=dict)  # (fuente, entidad) -> period
    lecturas: dict[str, datetime] = field(default_factory=dict)  # fuente -> last landing
    bitacora: dict[str, dict] = field(default_factory=dict)  # proceso -> last row
    referencias: dict[str, str] = field(default_factory=dict)  # proceso -> reference period
    corrida: dict | None = None  # newest ml.model_runs row
    deriva: list[tuple] = field(default_factory=list)  # the latest prediction's moderate or high drift
    alertas: list[tuple] = field(default_factory=list)  # reference alerts of each source's latest period


def _existe(con, tabla: str) -> bool:
    esquema, nombre = tabla.split(".")
    return (
        con.execute(
            "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
            [esquema, nombre],
        ).fetchone()[0]
        > 0
    )


def _columnas(con, tabla: str) -> set[str]:
    esquema, nombre = tabla.split(".")
    return {
        r[0]
        for r in con.execute(
            "select column_name from information_schema.columns where table_schema = ? and table_name = ?",
            [esquema, nombre],
        ).fetchall()
    }


def _periodo_texto(valor) -> str | None:
    """A period as the status tab writes it (a date becomes its month: 2026-09)."""
    if valor is None:
        return None
    if isinstance(valor, (date, datetime)):
        return f"{valor.year}-{valor.month:02d}"
    return str(valor)


def _ultimo_periodo(con, pub: Publicacion) -> str | None:
    """The latest period landed for a source and table. The manifest's period is the file's period, except
    for whole series (externos: 'serie') and the yearly riesgos file (its period is the year): those are
    read from the landed rows."""
    tabla = f"raw.{pub.fuente}_{pub.entidad}"
    if pub.fuente == "externos" or (pub.fuente, pub.entidad) == ("imss", "riesgos"):
        if not _existe(con, tabla) or "periodo" not in _columnas(con, tabla):
            return None
        return _periodo_texto(con.execute(f"select max(periodo) from {table_name(tabla)}").fetchone()[0])
    if not _existe(con, "raw.load_manifest"):
        return None
    fila = con.execute(
        "select max(periodo) from raw.load_manifest where fuente = ? and entidad = ? "
        "and estado in ('cargado', 'reemplazado')",
        [pub.fuente, pub.entidad],
    ).fetchone()
    return _periodo_texto(fila[0]) if fila else None


def _referencias(con, lectura: Lectura) -> None:
    """The reference period of each process: what its last run worked on."""

    def por_fuente(filas) -> str:
        return " · ".join(f"{NOMBRES_FUENTE.get(f, f)} {p}" for f, p in filas if p)

    lectura.referencias["load"] = por_fuente(
        [
            ("enoe", lectura.ultimos.get(("enoe", "sdem"))),
            ("imss", lectura.ultimos.get(("imss", "puestos"))),
            ("censo", lectura.ultimos.get(("censo", "c3"))),
        ]
    )
    if _existe(con, "marts.indicadores_coyuntura"):
        lectura.referencias["build"] = por_fuente(
            con.execute(
                "select lower(fuente), max(periodo) from marts.indicadores_coyuntura group by all order by 1"
            ).fetchall()
        )
    if _existe(con, "ml.model_runs"):
        cols = _columnas(con, "ml.model_runs")
        extra = ", version_codigo" if "version_codigo" in cols else ", null"
        fila = con.execute(
            f"select run_id, creado_en, corte, familia{extra} from ml.model_runs order by creado_en desc limit 1"
        ).fetchone()
        if fila:
            lectura.corrida = dict(zip(("run_id", "creado_en", "corte", "familia", "version_codigo"), fila))
            corte = f"inspecciones hasta {fila[2]}" if fila[2] else "todas las inspecciones"
            lectura.referencias["train"] = f"corrida {fila[0]} ({corte})"


def leer(db: Path | None = None) -> Lectura:
    """One read-only look at the warehouse, closed before returning."""
    from loaders.errors import WarehouseBusy
    from loaders.warehouse import connect, db_path

    try:
        con = connect(read_only=True, path=db)
    except WarehouseBusy:
        return Lectura(mensaje=EN_ACTUALIZACION)
    except FileNotFoundError:
        return Lectura(mensaje=f"No existe la base de datos {db or db_path()}: ejecute la carga.")
    except duckdb.IOException:
        return Lectura(mensaje=EN_ACTUALIZACION)
    try:
        lectura = Lectura()
        for pub in calendario():
            if pub.periodicidad != "cada_ejecucion":
                lectura.ultimos[(pub.fuente, pub.entidad)] = _ultimo_periodo(con, pub)
        if _existe(con, "raw.load_manifest"):
            lectura.lecturas = dict(
                con.execute(
                    "select fuente, max(cargado_en) from raw.load_manifest where estado in ('cargado', 'reemplazado') "
                    "group by fuente"
                ).fetchall()
            )
        if _existe(con, "raw.bitacora"):
            filas = con.execute("""
                select proceso, inicio, fin, usuario, resultado, mensaje from raw.bitacora
                qualify row_number() over (partition by proceso order by inicio desc) = 1""").fetchall()
            lectura.bitacora = {
                f[0]: dict(zip(("inicio", "fin", "usuario", "resultado", "mensaje"), f[1:])) for f in filas
            }
        _referencias(con, lectura)
        from ml.drift import ultima
        from sidil.alertas import alertas_recientes

        lectura.deriva = ultima(con)
        lectura.alertas = alertas_recientes(con)
        return lectura
    finally:
        con.close()


# -- what the tab shows ------------------------------------------------------------------------------------
def _fecha(valor) -> str:
    if valor is None or valor == "":
        return "—"
    if isinstance(valor, str):
        valor = datetime.fromisoformat(valor)
    return valor.strftime("%Y-%m-%d %H:%M")


def estatus_fuentes(lectura: Lectura, hoy: date | None = None) -> list[dict]:
    """One row per source and table of the calendar, Spanish keys as the tab's headers."""
    hoy = hoy or date.today()
    filas = []
    for pub in calendario():
        esperado = periodo_esperado(pub.periodicidad, pub.rezago_dias, hoy)
        cargado = lectura.ultimos.get((pub.fuente, pub.entidad))
        fila = {
            "Fuente": NOMBRES_FUENTE.get(pub.fuente, pub.fuente),
            "Tabla": pub.entidad,
            "Periodicidad": PERIODICIDADES.get(pub.periodicidad, pub.periodicidad),
            "Último periodo cargado": cargado or "—",
            "Periodo esperado hoy": esperado or "—",
            "Estatus": estado_periodo(cargado, esperado),
            "Última lectura": _fecha(lectura.lecturas.get(pub.fuente)),
            "Nota": pub.descripcion,
        }
        if esperado is None:
            fila["Último periodo cargado"] = "—"
        filas.append(fila)
    return filas


def version_codigo() -> str:
    """The package version and, in a git checkout, the commit (with -dirty when the tree has changes)."""
    from sidil import __version__

    try:
        salida = subprocess.run(
            ["git", "-C", str(PROJECT_DIR), "describe", "--always", "--dirty"],
            capture_output=True,
            text=True,
            timeout=10,
        )
        commit = salida.stdout.strip() if salida.returncode == 0 else ""
    except (OSError, subprocess.SubprocessError):
        commit = ""
    return f"{__version__} ({commit})" if commit else __version__


RESULTADOS = {"ok": "correcto", "con_errores": "con errores", "error": "error"}


def estatus_procesos(
    lectura: Lectura,
    etiquetas: dict[str, str],
    referencias_extra: dict[str, str] | None = None,
    version: str | None = None,
) -> list[dict]:
    """One row per process (in pipeline order): code version, reference period, last run, result, message."""
    version = version or version_codigo()
    referencias = {**lectura.referencias, **(referencias_extra or {})}
    filas = []
    for codigo, etiqueta in etiquetas.items():
        ultima = lectura.bitacora.get(codigo) or {}
        version_fila = version
        if codigo == "train" and lectura.corrida and lectura.corrida.get("version_codigo"):
            version_fila = f"{version} · modelo entrenado con {lectura.corrida['version_codigo']}"
        filas.append(
            {
                "Proceso": etiqueta,
                "Versión del código": version_fila,
                "Periodo de referencia": referencias.get(codigo) or "—",
                "Última ejecución": _fecha(ultima.get("inicio")),
                "Usuario": ultima.get("usuario") or "—",
                "Resultado": RESULTADOS.get(ultima.get("resultado"), ultima.get("resultado") or "sin ejecuciones"),
                "Último mensaje": ultima.get("mensaje") or "—",
            }
        )
    return filas


COMPARACIONES = {
    "entrenamiento_vs_universo": "Entrada: entrenamiento frente al universo",
    "mpr_anterior_vs_nueva": "Riesgo: MPR anterior frente a la nueva",
}


def tabla_deriva(lectura: Lectura) -> list[dict]:
    """The latest prediction's drifted inputs and risks (PSI over the seed deriva_umbrales), highest first."""
    return [
        {
            "Comparación": COMPARACIONES.get(comparacion, comparacion),
            "Variable": variable,
            "PSI": "—" if psi is None else f"{psi:.3f}",
            "Nivel": nivel,
            "Predicción": _fecha(generado),
            "Modelo": run_id,
        }
        for generado, run_id, comparacion, variable, psi, nivel in lectura.deriva
    ]


def tabla_alertas(lectura: Lectura, limite: int = 200) -> list[dict]:
    """The reference-check alerts of each source's latest period (marts.alertas_referencia), largest first,
    with the column names of `sidil status` capitalised and the source's name."""
    from sidil.alertas import formatear

    return [
        {**{k.capitalize(): v for k, v in fila.items()}, "Fuente": NOMBRES_FUENTE.get(fila["fuente"], fila["fuente"])}
        for fila in formatear(lectura.alertas[:limite])
    ]
