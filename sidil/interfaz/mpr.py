"""The risk matrix the interface reads: a snapshot of the MPR's Parquet export in an in-memory DuckDB.

The interface never opens the warehouse for the matrix (a reader would block `sidil predict`, the only
writer): `sidil predict` replaces `salidas/mpr/` atomically, and a new snapshot is taken when the file
changes, so a count and the date shown beside it always come from the same matrix."""

from __future__ import annotations

import json
import math
import threading
from dataclasses import dataclass
from pathlib import Path

import duckdb

import settings

ARCHIVO_MPR = "mpr.parquet"
ARCHIVO_DICCIONARIO = "mpr_diccionario.parquet"
ARCHIVO_METADATOS = "mpr_metadatos.json"
# Personal data never reaches the interface (DOMAIN.md section 10); a column that looks like it is refused.
PROHIBIDAS = ("nss", "curp")


class MatrizNoDisponible(Exception):
    """The MPR export is missing or unreadable; the message is for the user."""


def carpeta_mpr(ruta: Path | str | None = None) -> Path:
    """The folder with the MPR export: the given path (folder or mpr.parquet), else SIDIL_SALIDAS/mpr."""
    if ruta:
        ruta = Path(ruta)
        return ruta.parent if ruta.suffix == ".parquet" else ruta
    return settings.salidas() / "mpr"


# The confidence of each prediction column, as `sidil predict` writes it in the dictionary (seed
# confianza_modelo): held-out AUC, lift in the top 10 %, Brier, calibration error, label and fitness.
COLUMNAS_CONFIANZA = (
    "auc_prueba",
    "lift_top10_prueba",
    "brier_prueba",
    "ece_prueba",
    "confianza",
    "apta_para_priorizar",
)


@dataclass(frozen=True)
class Confianza:
    nivel: str  # alta | media | baja
    apta: bool  # False: "no apta para priorizar"
    auc: float | None
    lift_top10: float | None
    brier: float | None
    ece: float | None

    @property
    def texto(self) -> str:
        return f"confianza {self.nivel}" + ("" if self.apta else " · no apta para priorizar")

    @property
    def detalle(self) -> str:
        def f(v, d=3):
            return "—" if v is None or math.isnan(v) else f"{v:.{d}f}"

        return (
            f"AUC en prueba {f(self.auc, 2)} · lift 10 % {f(self.lift_top10, 2)} · Brier {f(self.brier)} · "
            f"error de calibración {f(self.ece)}"
        )


@dataclass(frozen=True)
class Columna:
    nombre: str
    tipo: str  # DuckDB type name
    grupo: str  # identificacion | atributo | indicador | prediccion | riesgo
    etiqueta: str
    descripcion: str
    # The catalog's filter (seeds dne_campos, mpr_columnas): combo (one value), sel_mul (several values),
    # numérico (a range), na or fecha (not offered). None: an older dictionary without it.
    tipo_filtro: str | None = None

    @property
    def numerica(self) -> bool:
        return self.tipo in (
            "TINYINT",
            "SMALLINT",
            "INTEGER",
            "BIGINT",
            "HUGEINT",
            "FLOAT",
            "DOUBLE",
        ) or self.tipo.startswith("DECIMAL")

    @property
    def booleana(self) -> bool:
        return self.tipo == "BOOLEAN"


class Matriz:
    """One snapshot of the MPR: table `mpr`, its dictionary and metadata. Queries use `cursor()` (one
    DuckDB connection per call, safe across the server's threads)."""

    def __init__(self, carpeta: Path | str | None = None):
        self.carpeta = carpeta_mpr(carpeta)
        self._lock = threading.Lock()
        self._huella: tuple | None = None
        self._con: duckdb.DuckDBPyConnection | None = None
        self.cargar()

    # -- loading -------------------------------------------------------------------------------------
    def _huella_actual(self) -> tuple:
        st = (self.carpeta / ARCHIVO_MPR).stat()
        return st.st_ino, st.st_mtime_ns, st.st_size

    def cargar(self) -> None:
        archivo = self.carpeta / ARCHIVO_MPR
        if not archivo.exists():
            raise MatrizNoDisponible(
                f"No existe la matriz de predicción de riesgo {archivo}: ejecute `sidil predict` (o indique "
                f"otra con --mpr)."
            )
        huella = self._huella_actual()
        con = duckdb.connect()
        try:
            con.execute("create table mpr as select * from read_parquet(?)", [str(archivo)])
            dicc = self.carpeta / ARCHIVO_DICCIONARIO
            if dicc.exists():
                con.execute("create table diccionario as select * from read_parquet(?)", [str(dicc)])
                if "tipo_filtro" not in {r[0] for r in con.execute("describe diccionario").fetchall()}:
                    con.execute("alter table diccionario add column tipo_filtro varchar")
            else:
                con.execute(
                    "create table diccionario (columna varchar, grupo varchar, etiqueta varchar, "
                    "descripcion varchar, tipo_filtro varchar)"
                )
        except duckdb.Error as exc:
            con.close()
            raise MatrizNoDisponible(f"No se pudo leer la matriz {archivo}: {exc}") from exc
        meta_path = self.carpeta / ARCHIVO_METADATOS
        metadatos = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.exists() else {}
        if isinstance(metadatos, list):
            metadatos = metadatos[0] if metadatos else {}
        tipos = con.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_name = 'mpr' order by ordinal_position"
        ).fetchall()
        prohibidas = [c for c, _ in tipos if any(p in c.lower() for p in PROHIBIDAS)]
        if prohibidas:
            con.close()
            raise MatrizNoDisponible(
                f"La matriz {archivo} trae columnas de datos personales "
                f"({', '.join(prohibidas)}); no se publica en la interfaz."
            )
        confianza = _confianza(con)
        dicc = {
            r[0]: r[1:]
            for r in con.execute(
                "select columna, grupo, etiqueta, descripcion, tipo_filtro from diccionario"
            ).fetchall()
        }
        columnas = []
        for nombre, tipo in tipos:
            grupo, etiqueta, descripcion, tipo_filtro = dicc.get(nombre, (None, None, None, None))
            columnas.append(
                Columna(
                    nombre,
                    tipo,
                    grupo or _grupo_por_nombre(nombre),
                    etiqueta or nombre,
                    descripcion or "",
                    tipo_filtro or None,
                )
            )
        with self._lock:
            viejo = self._con
            self._con, self._huella = con, huella
            self.columnas = columnas
            self.por_nombre = {c.nombre: c for c in columnas}
            self.metadatos = metadatos
            self.confianza = confianza
            self.n_centros = con.execute("select count(*) from mpr").fetchone()[0]
        if viejo is not None:
            viejo.close()

    def recargar_si_cambio(self) -> bool:
        """Take a new snapshot when `sidil predict` replaced the export; True if it did."""
        try:
            if self._huella_actual() == self._huella:
                return False
        except FileNotFoundError:
            return False  # being replaced right now: keep the current snapshot
        self.cargar()
        return True

    def cursor(self) -> duckdb.DuckDBPyConnection:
        with self._lock:
            return self._con.cursor()

    # -- what the matrix holds -----------------------------------------------------------------------
    def grupo(self, grupo: str) -> list[Columna]:
        return [c for c in self.columnas if c.grupo == grupo]

    @property
    def fecha(self) -> str:
        """The MPR's generation date as the user reads it (aaaa-mm-dd hh:mm)."""
        valor = str(self.metadatos.get("generado_en") or "")
        return valor[:16].replace("T", " ") if valor else "sin fecha"

    def columna(self, nombre: str) -> Columna:
        """A column of the matrix; anything else is refused (names reach SQL only through here)."""
        try:
            return self.por_nombre[nombre]
        except KeyError:
            raise ValueError(f"La matriz no tiene la columna {nombre!r}.") from None


def _confianza(con: duckdb.DuckDBPyConnection) -> dict[str, Confianza]:
    """{prediction column: its confidence}; empty for a dictionary written before confidence existed."""
    tiene = {r[0] for r in con.execute("describe diccionario").fetchall()}
    if not set(COLUMNAS_CONFIANZA) <= tiene:
        return {}
    filas = con.execute(
        f"select columna, {', '.join(COLUMNAS_CONFIANZA)} from diccionario where confianza is not null"
    ).fetchall()
    return {c: Confianza(nivel, bool(apta), auc, lift, brier, ece) for c, auc, lift, brier, ece, nivel, apta in filas}


def _grupo_por_nombre(nombre: str) -> str:
    for prefijo, grupo in (("atrib_", "atributo"), ("ind_", "indicador"), ("pred_", "prediccion")):
        if nombre.startswith(prefijo):
            return grupo
    return "riesgo" if nombre == "riesgo" else "identificacion"


def ident(nombre: str) -> str:
    """A quoted SQL identifier (names come from the matrix's own columns, validated by Matriz.columna)."""
    return '"' + nombre.replace('"', '""') + '"'
