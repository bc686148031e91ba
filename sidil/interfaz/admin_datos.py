"""What the operators' status tab (once the administrator page) reads from the warehouse: model runs and
metrics, and the data status, and how it shows them (Spanish headers, formatted numbers).

The warehouse is opened read-only for one request and closed at once, so `sidil run` is never kept
waiting; while it writes, the page says the data are being updated."""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
import pandas as pd

from loaders import report
from loaders.errors import WarehouseBusy
from loaders.warehouse import connect, db_path

EN_ACTUALIZACION = (
    "Los datos están en actualización (otro proceso de SIDIL escribe en la base); intente de nuevo en unos minutos."
)


@dataclass
class EstadoAdmin:
    mensaje: str | None = None  # why some or all of it could not be read
    corridas: pd.DataFrame = field(default_factory=pd.DataFrame)
    metricas: pd.DataFrame = field(default_factory=pd.DataFrame)
    insumos: pd.DataFrame = field(default_factory=pd.DataFrame)
    bitacora: pd.DataFrame = field(default_factory=pd.DataFrame)


def _tabla(con, sql: str) -> pd.DataFrame:
    try:
        return con.execute(sql).df()
    except duckdb.CatalogException:
        return pd.DataFrame()  # that step has not run on this warehouse yet


def leer_estado() -> EstadoAdmin:
    try:
        con = connect(read_only=True)
    except WarehouseBusy:
        return EstadoAdmin(mensaje=EN_ACTUALIZACION)
    except FileNotFoundError:
        return EstadoAdmin(mensaje=f"No existe la base de datos {db_path()}: ejecute `sidil run`.")
    except duckdb.IOException as exc:
        return EstadoAdmin(mensaje=f"{EN_ACTUALIZACION} ({exc})")
    try:
        estado = EstadoAdmin(
            corridas=_tabla(con, "select * from ml.model_runs order by creado_en desc"),
            metricas=_tabla(con, "select * from ml.model_metrics order by run_id, submateria_id, metrica"),
            bitacora=_tabla(
                con,
                "select inicio, fin, usuario, proceso, resultado, mensaje from raw.bitacora "
                "order by inicio desc limit 20",
            ),
        )
        try:
            filas = report.periods(con)
        except duckdb.CatalogException:
            filas = []
        estado.insumos = pd.DataFrame(
            filas, columns=["fuente", "entidad", "periodos cargados", "primero", "último", "con error"]
        )
        return estado
    finally:
        con.close()


# -- the same tables as the operators' status tab shows them: Spanish headers, formatted numbers -------------
ENCABEZADOS = {
    "corridas": {
        "run_id": "Corrida",
        "creado_en": "Creada el",
        "familia": "Familia",
        "division": "División",
        "corte": "Corte",
        "n_entrenamiento": "Inspecciones de entrenamiento",
        "n_prueba": "Inspecciones de prueba",
        "auc_promedio": "AUC promedio",
        "auc_general": "AUC del modelo general",
        "brecha_auc_promedio": "Brecha de AUC promedio",
        "lift_top10_promedio": "Lift del 10 % superior (promedio)",
        "version_codigo": "Versión del código",
    },
    "metricas": {
        "run_id": "Corrida",
        "modelo": "Modelo",
        "submateria_id": "Clave de submateria",
        "submateria": "Submateria",
        "metrica": "Métrica",
        "valor": "Valor",
    },
    "insumos": {
        "fuente": "Fuente",
        "entidad": "Tabla",
        "periodos cargados": "Periodos cargados",
        "primero": "Primer periodo",
        "último": "Último periodo",
        "con error": "Archivos con error",
    },
    "bitacora": {
        "inicio": "Inicio",
        "fin": "Fin",
        "usuario": "Usuario",
        "proceso": "Proceso",
        "resultado": "Resultado",
        "mensaje": "Mensaje",
    },
}
DECIMALES = 4


def celda(valor) -> str:
    """A value as the interface writes it: integers with thousands separators, decimals rounded to four
    places, dates to the minute, nothing for missing values."""
    import math
    from datetime import date, datetime

    if valor is None or (isinstance(valor, float) and math.isnan(valor)) or valor is pd.NaT:
        return ""
    if isinstance(valor, bool):
        return "sí" if valor else "no"
    if isinstance(valor, int):
        return f"{valor:,}"
    if isinstance(valor, float):
        return f"{valor:,.{DECIMALES}f}"
    if isinstance(valor, (pd.Timestamp, datetime)):
        return valor.strftime("%Y-%m-%d" if (valor.hour, valor.minute, valor.second) == (0, 0, 0) else "%Y-%m-%d %H:%M")
    if isinstance(valor, date):
        return valor.strftime("%Y-%m-%d")
    return str(valor)


def en_espanol(df: pd.DataFrame, tabla: str) -> pd.DataFrame:
    """Only the columns with a Spanish header, renamed, every cell formatted as text."""
    encabezados = ENCABEZADOS[tabla]
    if df is None or df.empty:
        return pd.DataFrame(columns=list(encabezados.values()))
    cols = [c for c in encabezados if c in df.columns]
    salida = pd.DataFrame({encabezados[c]: [celda(v.item() if hasattr(v, "item") else v) for v in df[c]] for c in cols})
    if tabla == "bitacora":  # process codes and results as the operators read them
        from sidil.pipeline import ETIQUETAS

        resultados = {"ok": "correcto", "con_errores": "con errores", "error": "error"}
        salida["Proceso"] = [ETIQUETAS.get(p, "Proceso completo" if p == "run" else p) for p in salida["Proceso"]]
        salida["Resultado"] = [resultados.get(r, r) for r in salida["Resultado"]]
    return salida
