"""Exports (CSV and the four-sheet XLSX), the XLSX writer itself, and the absence of personal data in the
MPR and in everything exported from it."""

from __future__ import annotations

import csv
import re
import zipfile
from datetime import date

import duckdb
import openpyxl
import pytest

from sidil.interfaz import consultas, exportar
from sidil.interfaz.filtros import FiltroRango, FiltroValores, Seleccion
from sidil.interfaz.mpr import Matriz
from sidil.interfaz.xlsx import escribir_xlsx, hoja_de_consulta, hoja_de_filas, letra_columna

NSS = re.compile(r"(?<!\d)\d{11}(?!\d)")
CURP = re.compile(r"[A-Z][AEIOUX][A-Z]{2}\d{6}[HM][A-Z]{5}[A-Z0-9]\d")


def _filas(ws):
    return [list(r) for r in ws.iter_rows(values_only=True)]


def test_file_names_follow_the_manual():
    assert exportar.nombre_archivo("csv", date(2026, 3, 9)) == "matriz_filtrada-2026-03-09.csv"
    assert exportar.nombre_archivo("xlsx", date(2026, 11, 22)) == "matriz_filtrada-2026-11-22.xlsx"


def test_csv_has_every_column_and_the_selected_rows_by_risk(mpr_manual, tmp_path):
    m = Matriz(mpr_manual)
    ruta = tmp_path / "m.csv"
    n = exportar.exportar_csv(m, Seleccion(predictor=FiltroRango("pred_201", 0.35, 0.8)), ruta)
    with open(ruta, encoding="utf-8") as f:
        filas = list(csv.reader(f))
    assert n == 5 and len(filas) == 6
    assert filas[0] == [c.nombre for c in m.columnas]
    assert [int(f[0]) for f in filas[1:]] == [8, 7, 6, 5, 4]  # highest overall risk first


def test_xlsx_has_the_four_sheets_with_the_filters(mpr_manual, tmp_path):
    m = Matriz(mpr_manual)
    sel = Seleccion(
        predictor=FiltroRango("pred_201", 0.35, 0.8),
        indicadores=(FiltroRango("ind_a", 0.25, 1.0),),
        atributos=(FiltroValores("cat_tamanio", (6, None)),),
        muestra=1,
        semilla=77,
    )
    ruta = tmp_path / "m.xlsx"
    assert exportar.exportar_xlsx(m, sel, ruta, usuario="ana") == 1
    wb = openpyxl.load_workbook(ruta)
    assert wb.sheetnames == ["matriz", "predictor", "indicadores", "atributos"]
    matriz = _filas(wb["matriz"])
    assert matriz[0] == [c.nombre for c in m.columnas] and len(matriz) == 2
    assert matriz[1][0] in (5, 6, 7) and matriz[1][0] == consultas.ids(m, sel)[0]
    predictor = dict(_filas(wb["predictor"])[1:])
    assert predictor["Predictor (submateria)"] == "Riesgo en contratación"
    assert (predictor["Rango seleccionado: mínimo"], predictor["Rango seleccionado: máximo"]) == (0.35, 0.8)
    assert predictor["Centros de trabajo en la MPR"] == 8
    assert predictor["Centros de trabajo tras los filtros"] == 3  # ids 5, 6, 7
    assert predictor["Semilla de la selección aleatoria"] == 77 and predictor["Centros de trabajo exportados"] == 1
    assert predictor["Fecha de generación de la MPR"] == "2026-11-20 10:30"
    assert predictor["Corrida del modelo"] == "r-manual" and predictor["Exportado por"] == "ana"
    assert _filas(wb["indicadores"]) == [
        ["indicador", "etiqueta", "descripcion", "minimo", "maximo"],
        ["ind_a", "Indicador A", "Un indicador de prueba (1 = peor)", 0.25, 1],
    ]
    assert _filas(wb["atributos"]) == [
        ["atributo", "etiqueta", "condicion", "minimo", "maximo", "valores"],
        ["cat_tamanio", "Tamaño", "es 6 251 y más personas o Sin dato", None, None, "6 251 y más personas, Sin dato"],
    ]


def test_sections_without_filters_leave_their_sheets_blank(mpr_manual, tmp_path):
    m = Matriz(mpr_manual)
    ruta = tmp_path / "m.xlsx"
    exportar.exportar_xlsx(m, Seleccion(), ruta)
    wb = openpyxl.load_workbook(ruta)
    assert len(_filas(wb["matriz"])) == 9
    assert len(_filas(wb["indicadores"])) == 1 and len(_filas(wb["atributos"])) == 1
    predictor = dict(_filas(wb["predictor"])[1:])
    assert "Predictor (submateria)" not in predictor and predictor["Selección aleatoria"] == "no"


def test_the_xlsx_writer_keeps_types_nulls_and_escapes_text(tmp_path):
    con = duckdb.connect()
    con.execute("""create table t as select * from (values
        (1, 0.5::double, true, 'a < b & c > d', date '2026-01-02'),
        (2, null, false, null, null),
        (3, 'inf'::double, null, 'control' || chr(1) || 'x', null)) v(id, x, b, s, d)""")
    ruta = tmp_path / "t.xlsx"
    escribir_xlsx(
        ruta,
        [
            hoja_de_consulta(con, "datos", "select * from t", [], "id desc"),
            hoja_de_filas("otra", ["k", "v"], [["ñandú", 1.25], [None, True]]),
        ],
    )
    wb = openpyxl.load_workbook(ruta)
    assert _filas(wb["datos"]) == [
        ["id", "x", "b", "s", "d"],
        [3, None, None, "controlx", None],
        [2, None, False, None, None],
        [1, 0.5, True, "a < b & c > d", "2026-01-02"],
    ]
    assert _filas(wb["otra"]) == [["k", "v"], ["ñandú", 1.25], [None, True]]
    assert [letra_columna(i) for i in (0, 25, 26, 52, 701, 702)] == ["A", "Z", "AA", "BA", "ZZ", "AAA"]
    with zipfile.ZipFile(ruta) as z:
        assert z.testzip() is None


def test_no_nss_or_curp_in_the_mpr_or_its_exports(mpr_tiny, tmp_path):
    """The MPR has no personal identifier column, and no value shaped like an NSS or a CURP anywhere: not
    in the matrix, nor in a CSV or XLSX export of all of it."""
    m = Matriz(mpr_tiny["mpr"])
    assert not [c.nombre for c in m.columnas if re.search("nss|curp", c.nombre, re.I)]
    texto = [c.nombre for c in m.columnas if c.tipo == "VARCHAR"]
    con = m.cursor()
    for col in texto:
        valores = [v for (v,) in con.execute(f'select distinct "{col}" from mpr where "{col}" is not null').fetchall()]
        assert not [v for v in valores if NSS.search(v) or CURP.search(v)], col
    exportar.exportar_csv(m, Seleccion(), tmp_path / "todo.csv")
    exportar.exportar_xlsx(m, Seleccion(), tmp_path / "todo.xlsx")
    contenido = (tmp_path / "todo.csv").read_text(encoding="utf-8")
    with zipfile.ZipFile(tmp_path / "todo.xlsx") as z:
        contenido += "".join(z.read(n).decode("utf-8") for n in z.namelist())
    assert m.n_centros > 1000 and contenido.count("\n") > m.n_centros
    # numbers are written with a decimal point or fewer than 11 digits, so an 11-digit run is an identifier
    assert not NSS.search(re.sub(r"\d+\.\d+(e-?\d+)?", "", contenido))
    assert not CURP.search(contenido)


def test_real_export_rows_match_the_selection(mpr_tiny, tmp_path):
    m = Matriz(mpr_tiny["mpr"])
    pred = m.grupo("prediccion")[0].nombre
    sel = Seleccion(predictor=FiltroRango(pred, consultas.distribucion(m, pred).q3, 1.0))
    n = consultas.conteo(m, sel)
    exportar.exportar_xlsx(m, sel, tmp_path / "x.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "x.xlsx", read_only=True)
    filas = list(wb["matriz"].iter_rows(values_only=True))
    assert len(filas) == n + 1 > 100
    ids = [f[0] for f in filas[1:]]
    assert sorted(ids) == consultas.ids(m, sel)
    riesgos = [f[filas[0].index("riesgo")] for f in filas[1:]]
    assert riesgos == sorted(riesgos, reverse=True)


@pytest.mark.parametrize("ext", ["csv", "xlsx"])
def test_an_empty_selection_exports_only_the_header(mpr_manual, tmp_path, ext):
    m = Matriz(mpr_manual)
    sel = Seleccion(predictor=FiltroRango("pred_201", 0.95, 1.0))
    ruta = tmp_path / f"v.{ext}"
    assert (exportar.exportar_csv if ext == "csv" else exportar.exportar_xlsx)(m, sel, ruta) == 0
    if ext == "csv":
        assert len(ruta.read_text(encoding="utf-8").splitlines()) == 1
    else:
        assert len(_filas(openpyxl.load_workbook(ruta)["matriz"])) == 1
