"""The query layer on a hand-made MPR (every number computed on paper in conftest.py) and on the real MPR of
the tiny demo (filters against a direct SQL count, the random subsample)."""

from __future__ import annotations

from dataclasses import replace

import duckdb
import pytest

from sidil.interfaz import consultas
from sidil.interfaz.filtros import FiltroRango, FiltroValores, Seleccion, criterios, where
from sidil.interfaz.mpr import Matriz, MatrizNoDisponible
from tests.interfaz.conftest import escribir_mpr_manual

PRED = FiltroRango("pred_201", 0.35, 0.8)
IND = FiltroRango("ind_a", 0.25, 1.0)


def test_the_matrix_snapshot_reads_dictionary_and_metadata(mpr_manual):
    m = Matriz(mpr_manual)
    assert m.n_centros == 8 and len(m.columnas) == 20
    assert m.fecha == "2026-11-20 10:30"
    assert m.columna("pred_201").etiqueta == "Riesgo en contratación"
    assert [c.nombre for c in m.grupo("prediccion")] == ["pred_201"]
    # a column missing from the dictionary is grouped by its prefix and labelled by its name
    assert m.columna("nom_geo2").grupo == "identificacion" and m.columna("nom_geo2").etiqueta == "nom_geo2"
    with pytest.raises(ValueError, match="no tiene la columna"):
        m.columna("pred_201; drop table mpr")


def test_a_missing_matrix_is_explained(tmp_path):
    with pytest.raises(MatrizNoDisponible, match="sidil predict"):
        Matriz(tmp_path / "no_existe")


def test_a_column_that_looks_like_personal_data_is_refused(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    carpeta = escribir_mpr_manual(tmp_path / "mpr")
    t = pq.read_table(carpeta / "mpr.parquet").append_column("curp_trabajador", pa.array(["X"] * 8))
    pq.write_table(t, carpeta / "mpr.parquet")
    with pytest.raises(MatrizNoDisponible, match="datos personales"):
        Matriz(carpeta)


def test_each_filter_narrows_the_count_as_computed_by_hand(mpr_manual):
    m = Matriz(mpr_manual)
    sel = Seleccion()
    assert consultas.conteo(m, sel) == 8
    sel = replace(sel, predictor=PRED)  # ids 4-8
    assert consultas.ids(m, sel) == [4, 5, 6, 7, 8]
    sel = sel.con_indicador(IND)  # ind_a >= 0.25: 4-7
    assert consultas.ids(m, sel) == [4, 5, 6, 7]
    sel = sel.con_atributo(FiltroValores("atrib_ct_prioritario", (True,)))
    assert consultas.ids(m, sel) == [5, 7]
    assert consultas.conteo_filtrados(m, sel) == (2, 2)  # states 02 and 09
    sel = sel.con_atributo(FiltroValores("geo2", ("02",)))
    assert consultas.ids(m, sel) == [5]
    # removing filters gives the wider selections back
    assert consultas.ids(m, sel.sin_atributo("geo2").sin_atributo("atrib_ct_prioritario")) == [4, 5, 6, 7]
    assert consultas.ids(m, sel.sin_indicador("ind_a").sin_atributo("geo2")) == [5, 7]


def test_missing_values_and_ranges_on_attributes(mpr_manual):
    m = Matriz(mpr_manual)
    assert consultas.ids(m, Seleccion(atributos=(FiltroValores("cat_tamanio", (6, None)),))) == [5, 6, 7, 8]
    assert consultas.ids(m, Seleccion(atributos=(FiltroValores("atrib_ct_prioritario", (True, None)),))) == [
        1,
        3,
        5,
        7,
        8,
    ]
    # the CT without a worker count never falls in a range
    assert consultas.ids(m, Seleccion(atributos=(FiltroRango("atrib_num_trabajadores", 10, 300),))) == [3, 4, 6, 8]
    assert consultas.ids(m, Seleccion(atributos=(FiltroValores("atrib_clase_riesgo", ("1", "5")),))) == [1, 5, 6]
    with pytest.raises(ValueError, match="no admite un rango"):
        consultas.conteo(m, Seleccion(atributos=(FiltroRango("geo2", 0, 1),)))


def test_values_travel_as_parameters(mpr_manual):
    m = Matriz(mpr_manual)
    cond, params = where(m, Seleccion(predictor=PRED, atributos=(FiltroValores("geo2", ("01' or '1'='1",)),)))
    assert cond == '"pred_201" between ? and ? and ("geo2" in (?))'
    assert params == [0.35, 0.8, "01' or '1'='1"]
    assert consultas.conteo(m, Seleccion(atributos=(FiltroValores("geo2", ("01' or '1'='1",)),))) == 0


def test_distribution_histogram_and_options(mpr_manual):
    m = Matriz(mpr_manual)
    d = consultas.distribucion(m, "pred_201")
    assert (d.minimo, d.q1, d.mediana, d.media, d.q3, d.maximo) == pytest.approx((0.1, 0.275, 0.45, 0.45, 0.625, 0.8))
    h = consultas.histograma(m, "pred_201", cubetas=4)
    assert list(h["n"]) == [2, 2, 3, 1] and list(h["desde"]) == [0, 0.25, 0.5, 0.75]
    assert consultas.opciones(m, "cat_tamanio") == [
        (1, "1 0 a 10 personas"),
        (2, "2 11 a 15 personas"),
        (3, "3 16 a 50 personas"),
        (6, "6 251 y más personas"),
        (None, "Sin dato"),
    ]
    assert consultas.opciones(m, "atrib_ct_prioritario") == [(False, "No"), (True, "Sí"), (None, "Sin dato")]
    assert [c.nombre for c in consultas.columnas_atributo(m)] == [
        "geo2",
        "geo5",
        "scian2018_2",
        "scian2018_3",
        "cat_tamanio",
        "atrib_num_trabajadores",
        "atrib_clase_riesgo",
        "atrib_tiene_registro_imss",
        "atrib_ct_prioritario",
    ]


def test_analysis_by_state_and_size_class_including_missing(mpr_manual):
    m = Matriz(mpr_manual)
    e = consultas.por_estado(m, Seleccion())
    assert e.values.tolist() == [
        ["01", "Aguascalientes", 3, 37.5],
        ["02", "Baja California", 3, 37.5],
        ["09", "Ciudad de México", 2, 25.0],
    ]
    t = consultas.por_tamanio(m, Seleccion(predictor=PRED))  # ids 4-8: sizes 3, NULL, 6, 6, NULL
    assert t[["tamanio", "centros"]].values.tolist() == [
        ["0 a 10 personas", 0],
        ["11 a 15 personas", 0],
        ["16 a 50 personas", 1],
        ["251 y más personas", 2],
        ["Sin dato", 2],
    ]
    assert list(t["porcentaje"]) == [0, 0, 20, 40, 40]


def test_matrix_statistics(mpr_manual):
    m = Matriz(mpr_manual)
    n, ncol, df = consultas.estadisticas(m, Seleccion())
    assert (n, ncol) == (8, 20)
    s = df.set_index("columna")
    assert s.loc["ct_imss_registro", ["tipo", "faltantes"]].tolist() == ["carácter", 3]
    assert s.loc["cat_tamanio", "faltantes"] == 2 and s.loc["atrib_num_trabajadores", "faltantes"] == 1
    assert s.loc["pred_201", ["tipo", "minimo", "media", "maximo"]].tolist() == ["numérica", 0.1, 0.45, 0.8]
    assert s.loc["atrib_ct_prioritario", "tipo"] == "lógica"
    assert s.loc["atrib_ct_prioritario", "media"] == pytest.approx(4 / 7, abs=1e-4)  # share of 'sí'
    assert consultas.estadisticas(m, Seleccion(predictor=PRED))[0] == 5


def test_criteria_read_in_spanish(mpr_manual):
    m = Matriz(mpr_manual)
    sel = Seleccion(
        predictor=PRED,
        indicadores=(IND,),
        atributos=(FiltroValores("cat_tamanio", (6, None)), FiltroValores("atrib_ct_prioritario", (True,))),
    )
    crit = criterios(m, sel, lambda c, v: consultas.etiqueta_valor(m, c, v))
    assert [(c.seccion, c.etiqueta, c.condicion) for c in crit] == [
        ("predictor", "Riesgo en contratación", "entre 0.35 y 0.8"),
        ("indicador", "Indicador A", "entre 0.25 y 1"),
        ("atributo", "Tamaño", "es 6 251 y más personas o Sin dato"),
        ("atributo", "Centro prioritario", "es Sí"),
    ]


def test_the_subsample_is_reproducible_and_ignores_the_file_order(mpr_manual, tmp_path):
    m = Matriz(mpr_manual)
    sel = Seleccion(muestra=3, semilla=5)
    primera = consultas.ids(m, sel)
    assert len(primera) == 3 and primera == consultas.ids(m, sel)
    barajada = Matriz(escribir_mpr_manual(tmp_path / "otra", orden=[8, 3, 5, 1, 7, 2, 6, 4]))
    assert consultas.ids(barajada, sel) == primera
    # a sample larger than the filtered CTs keeps them all; a sample is always drawn from the filtered ones
    assert consultas.ids(m, Seleccion(predictor=PRED, muestra=50, semilla=5)) == [4, 5, 6, 7, 8]
    assert set(consultas.ids(m, Seleccion(predictor=PRED, muestra=2, semilla=9))) <= {4, 5, 6, 7, 8}


def test_a_replaced_export_is_picked_up(tmp_path):
    carpeta = escribir_mpr_manual(tmp_path / "mpr")
    m = Matriz(carpeta)
    assert not m.recargar_si_cambio()
    import pyarrow.parquet as pq

    t = pq.read_table(carpeta / "mpr.parquet").slice(0, 5)
    pq.write_table(t, carpeta / "nueva.parquet")
    (carpeta / "nueva.parquet").replace(carpeta / "mpr.parquet")  # how `sidil predict` publishes
    assert m.recargar_si_cambio() and m.n_centros == 5
    assert consultas.conteo(m, Seleccion()) == 5


# -- the real MPR of the tiny demo ------------------------------------------------------------------------


def test_filters_match_a_direct_sql_count_on_the_real_mpr(mpr_tiny):
    m = Matriz(mpr_tiny["mpr"])
    parquet = str(mpr_tiny["mpr"] / "mpr.parquet")
    pred = m.grupo("prediccion")[0].nombre
    ind = m.grupo("indicador")[0].nombre
    med_pred = consultas.distribucion(m, pred).mediana
    q1_ind = consultas.distribucion(m, ind).q1
    estados = list(consultas.por_estado(m, Seleccion())["clave"][:5])  # the five largest states
    sel = Seleccion(
        predictor=FiltroRango(pred, med_pred, 1.0),
        indicadores=(FiltroRango(ind, q1_ind, 1.0),),
        atributos=(FiltroValores("geo2", tuple(estados)), FiltroValores("cat_tamanio", (1, 2, None))),
    )
    con = duckdb.connect()
    directo = con.execute(
        f"select count(*) from read_parquet(?) where {pred} >= ? and {pred} <= ? and {ind} >= ? "
        f"and {ind} <= 1 and geo2 in (select unnest(?::varchar[])) and (cat_tamanio in (1, 2) or cat_tamanio is null)",
        [parquet, med_pred, 1.0, q1_ind, estados],
    ).fetchone()[0]
    assert 0 < consultas.conteo(m, sel) == directo < m.n_centros
    assert (
        consultas.conteo(m, Seleccion(predictor=FiltroRango(pred, med_pred, 1.0)))
        == con.execute(f"select count(*) from read_parquet(?) where {pred} >= ?", [parquet, med_pred]).fetchone()[0]
    )


def test_two_seeds_draw_different_workplaces_and_one_seed_the_same(mpr_tiny):
    m = Matriz(mpr_tiny["mpr"])
    a = consultas.ids(m, Seleccion(muestra=50, semilla=11))
    assert a == consultas.ids(Matriz(mpr_tiny["mpr"]), Seleccion(muestra=50, semilla=11))
    b = consultas.ids(m, Seleccion(muestra=50, semilla=12))
    assert len(a) == len(b) == 50 and a != b
