"""Export of the selected CTs (manual, Recuadros 4.39-4.43): `matriz_filtrada-aaaa-mm-dd` as CSV (the
matrix) or XLSX with the sheets matriz, predictor, indicadores and atributos (the filters applied; a
section without filters leaves its sheet with the header only)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from sidil.csv_seguro import copiar_csv
from sidil.interfaz import consultas
from sidil.interfaz.filtros import Seleccion, criterios, seleccion_sql
from sidil.interfaz.mpr import Matriz
from sidil.interfaz.xlsx import escribir_xlsx, hoja_de_consulta, hoja_de_filas

ORDEN = "riesgo desc nulls last, centro_trabajo_id"
HOJAS = ("matriz", "predictor", "indicadores", "atributos")


def nombre_archivo(extension: str, dia: date | None = None) -> str:
    return f"matriz_filtrada-{(dia or date.today()):%Y-%m-%d}.{extension}"


def exportar_csv(m: Matriz, sel: Seleccion, ruta: Path | str) -> int:
    """The selected CTs, every column of the MPR, by overall risk; returns the rows written."""
    sql, params = seleccion_sql(m, sel)
    copiar_csv(m.cursor(), sql, ruta, params, orden=ORDEN)  # text cells that look like formulas get a '
    return consultas.conteo(m, sel)


def hoja_predictor(m: Matriz, sel: Seleccion, usuario: str | None = None) -> list[list]:
    """The predictor chosen and the selection's figures, as concept/value rows."""
    filas: list[list] = []
    if sel.predictor:
        c = m.columna(sel.predictor.columna)
        d = consultas.distribucion(m, c.nombre)
        filas += [
            ["Predictor (submateria)", c.etiqueta],
            ["Columna", c.nombre],
            ["Descripción", c.descripcion],
            ["Rango seleccionado: mínimo", sel.predictor.minimo],
            ["Rango seleccionado: máximo", sel.predictor.maximo],
            *_filas_confianza(m, c.nombre, "Confianza del modelo"),
            ["Primer cuartil en la MPR", d.q1],
            ["Mediana en la MPR", d.mediana],
            ["Media en la MPR", d.media],
            ["Tercer cuartil en la MPR", d.q3],
            ["Máximo en la MPR", d.maximo],
        ]
    filtrados, estados = consultas.conteo_filtrados(m, sel)
    filas += [
        ["Centros de trabajo en la MPR", m.n_centros],
        ["Centros de trabajo tras los filtros", filtrados],
        ["Estados con centros seleccionados", estados],
        ["Selección aleatoria", "no" if sel.muestra is None else f"{sel.muestra} centros"],
        ["Semilla de la selección aleatoria", sel.semilla if sel.muestra is not None else None],
        ["Centros de trabajo exportados", consultas.conteo(m, sel)],
        ["Fecha de generación de la MPR", m.fecha],
        ["Corrida del modelo", m.metadatos.get("run_id")],
        ["Familia del modelo", m.metadatos.get("familia")],
        ["Exportado el", datetime.now().strftime("%Y-%m-%d %H:%M")],
    ]
    if usuario:
        filas.append(["Exportado por", usuario])
    for p in m.grupo("prediccion"):  # every predictor's confidence, chosen or not
        filas += _filas_confianza(m, p.nombre, f"Confianza de {p.etiqueta}")
    return filas


def _filas_confianza(m: Matriz, columna: str, concepto: str) -> list[list]:
    """The confidence of a predictor's model (seed confianza_modelo), as concept/value rows."""
    c = m.confianza.get(columna)
    if c is None:
        return []
    return [[concepto, c.texto], [f"{concepto}: métricas en prueba", c.detalle]]


def exportar_xlsx(m: Matriz, sel: Seleccion, ruta: Path | str, usuario: str | None = None) -> int:
    """The four sheets; returns the rows of the matriz sheet."""
    sql, params = seleccion_sql(m, sel)
    etiqueta = lambda col, v: consultas.etiqueta_valor(m, col, v)  # noqa: E731
    crit = criterios(m, sel, etiqueta)
    indicadores = [[c.columna, c.etiqueta, c.descripcion, c.minimo, c.maximo] for c in crit if c.seccion == "indicador"]
    atributos = [
        [c.columna, c.etiqueta, c.condicion, c.minimo, c.maximo, ", ".join(c.valores) or None]
        for c in crit
        if c.seccion == "atributo"
    ]
    cur = m.cursor()
    escribir_xlsx(
        ruta,
        [
            hoja_de_consulta(cur, "matriz", sql, params, ORDEN),
            hoja_de_filas("predictor", ["concepto", "valor"], hoja_predictor(m, sel, usuario)),
            hoja_de_filas("indicadores", ["indicador", "etiqueta", "descripcion", "minimo", "maximo"], indicadores),
            hoja_de_filas("atributos", ["atributo", "etiqueta", "condicion", "minimo", "maximo", "valores"], atributos),
        ],
    )
    return consultas.conteo(m, sel)
