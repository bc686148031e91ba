"""What the administrator page reads from the warehouse: model runs and metrics, and the data status.
The warehouse is opened read-only for one request and closed at once, so `sidil run` is never kept
waiting; while it writes, the page says the data are being updated."""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
import pandas as pd

from loaders import report
from loaders.errors import WarehouseBusy
from loaders.warehouse import connect, db_path

EN_ACTUALIZACION = ("Los datos están en actualización (otro proceso de SIDIL escribe en la base); "
                    "intente de nuevo en unos minutos.")


@dataclass
class EstadoAdmin:
    mensaje: str | None = None                    # why some or all of it could not be read
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
            bitacora=_tabla(con, "select inicio, fin, usuario, proceso, resultado, mensaje from raw.bitacora "
                                 "order by inicio desc limit 20"),
        )
        try:
            filas = report.periods(con)
        except duckdb.CatalogException:
            filas = []
        estado.insumos = pd.DataFrame(filas, columns=["fuente", "entidad", "periodos cargados", "primero",
                                                      "último", "con error"])
        return estado
    finally:
        con.close()
