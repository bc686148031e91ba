"""The per-quarter ENOE models are incremental by quarter (issue 17): on the tiny demo's ENOE files, a build
with nothing new recomputes no quarter; replacing one quarter's SDEM file (through the loader, so its
`cargado_en` moves) recomputes that quarter only, and the result equals a --full-refresh build row for row;
a quarter whose inputs are removed disappears; the var `enoe_periodos` still restricts the quarters and
refuses a value that is not a quarter. "Recomputed" is read from the computation stamps each model keeps
per quarter (calculado_en, fecha_calculo, insumo_cargado_en): dbt-duckdb reports no rows affected."""

from __future__ import annotations

import math
import shutil
import struct
from pathlib import Path

import duckdb
import pytest

from tests.conftest import load_all, run_dbt

# The models incremental by quarter and the column that says when (or from which load) each quarter was
# computed.
SELLOS = {
    "intermediate.int_enoe__diseno_muestral": "calculado_en",
    "intermediate.int_enoe__universo": "calculado_en",
    "intermediate.int_enoe__indicadores": "fecha_calculo",
    "intermediate.int_semaforos__enoe_personas": "insumo_cargado_en",
}
# Columns that only say when a row was computed: left out when comparing with a full refresh.
SOLO_SELLOS = {"fecha_calculo", "calculado_en", "insumo_cargado_en"}
# Staging views and the ENOE models (intermediate and marts) with the Semáforos persons.
MODELOS = [
    "--select",
    "path:models/staging/enoe",
    "path:models/intermediate/enoe",
    "path:models/marts/enoe",
    "int_semaforos__enoe_personas",
]
REEMPLAZADO = "2026T3"  # the tiny demo's latest quarter (ENOE-N DBF)
RETIRADO = "2012T1"  # the oldest (classic DBF)


def _duplicar_peso(path: Path, campo: str = "FAC_TRI") -> int:
    """Rewrite a DBF in place with the weight `campo` doubled on every other record (a correction that
    moves weighted means, unlike a uniform rescaling). Returns the records changed."""
    raw = bytearray(path.read_bytes())
    n, largo_encabezado, largo_registro = struct.unpack("<IHH", raw[4:12])
    desplazamiento, i = 1, 32
    while raw[i] != 0x0D:
        if raw[i : i + 11].split(b"\0")[0].decode() == campo:
            ancho = raw[i + 16]
            break
        desplazamiento += raw[i + 16]
        i += 32
    else:
        raise AssertionError(f"{path.name} no tiene el campo {campo}")
    cambiados = 0
    for r in range(0, n, 2):
        a = largo_encabezado + r * largo_registro + desplazamiento
        texto = raw[a : a + ancho].decode().strip()
        if texto:
            raw[a : a + ancho] = str(2 * int(texto)).rjust(ancho).encode()
            cambiados += 1
    path.write_bytes(bytes(raw))
    return cambiados


def _sellos(db: Path) -> dict[str, dict[str, object]]:
    """Per model, quarter -> its computation stamp."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {
            tabla: dict(con.execute(f"select periodo, max({col}) from {tabla} group by periodo").fetchall())
            for tabla, col in SELLOS.items()
        }
    finally:
        con.close()


def _dbt(db: Path, *args: str) -> None:
    result = run_dbt(db, *args)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]


def _filas(con, tabla: str) -> tuple[list[str], list[tuple]]:
    columnas = [r[0] for r in con.execute(f"describe {tabla}").fetchall() if r[0] not in SOLO_SELLOS]
    lista = ", ".join(columnas)
    return columnas, con.execute(f"select {lista} from {tabla} order by all").fetchall()


def _iguales(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    return a == b


@pytest.fixture(scope="module")
def enoe(tiny_demo, tmp_path_factory):
    """The tiny demo's ENOE files (a copy that can be edited) landed into a fresh warehouse and built."""
    tmp = tmp_path_factory.mktemp("enoe_incremental")
    insumos = tmp / "insumos"
    shutil.copytree(tiny_demo / "enoe", insumos / "enoe")
    db = tmp / "sidil.duckdb"
    con = duckdb.connect(str(db))
    out = load_all(con, insumos, {"enoe"})
    con.close()
    assert {e.estado for e in out.entries} == {"cargado"}, out.lines
    _dbt(db, "build", "--select", *["+" + m for m in MODELOS[1:]], "--indirect-selection", "cautious")
    return db, insumos


def test_nothing_new_recomputes_no_quarter(enoe):
    db, _ = enoe
    antes = _sellos(db)
    assert all(len(por_trimestre) == 17 for por_trimestre in antes.values()), antes
    _dbt(db, "run", *MODELOS)
    assert _sellos(db) == antes


def test_a_replaced_sdem_recomputes_its_quarter_only_and_equals_a_full_refresh(enoe):
    db, insumos = enoe
    antes = _sellos(db)
    con = duckdb.connect(str(db), read_only=True)
    valores_antes = dict(
        con.execute(
            "select indicador, valor from intermediate.int_enoe__indicadores where periodo = ? "
            "and agregacion = '0_geo0'",
            [REEMPLAZADO],
        ).fetchall()
    )
    con.close()

    assert _duplicar_peso(insumos / "enoe" / "ENOEN_SDEMT326.dbf") > 1000
    con = duckdb.connect(str(db))
    out = load_all(con, insumos, {"enoe"})
    con.close()
    reemplazados = [e.periodo for e in out.entries if e.estado == "reemplazado"]
    assert reemplazados == [REEMPLAZADO], out.lines

    _dbt(db, "run", *MODELOS)
    despues = _sellos(db)
    for tabla in SELLOS:
        assert despues[tabla][REEMPLAZADO] > antes[tabla][REEMPLAZADO], tabla
        otros = {p: s for p, s in despues[tabla].items() if p != REEMPLAZADO}
        assert otros == {p: s for p, s in antes[tabla].items() if p != REEMPLAZADO}, tabla

    con = duckdb.connect(str(db), read_only=True)
    valores = dict(
        con.execute(
            "select indicador, valor from intermediate.int_enoe__indicadores where periodo = ? "
            "and agregacion = '0_geo0'",
            [REEMPLAZADO],
        ).fetchall()
    )
    con.close()
    assert valores.keys() == valores_antes.keys()
    assert sum(not _iguales(valores[k], valores_antes[k]) for k in valores) >= 8  # the new weights count

    # The same warehouse rebuilt from scratch gives the same rows (stamps aside).
    completo = db.parent / "completo" / "sidil.duckdb"
    completo.parent.mkdir()
    shutil.copy(db, completo)
    _dbt(completo, "run", "--full-refresh", *MODELOS)
    inc = duckdb.connect(str(db), read_only=True)
    ref = duckdb.connect(str(completo), read_only=True)
    try:
        for tabla in [*SELLOS, "marts.tasas_complementarias", "marts.indice_calidad_ocupacion"]:
            columnas, filas = _filas(inc, tabla)
            columnas_ref, filas_ref = _filas(ref, tabla)
            assert columnas == columnas_ref, tabla
            assert len(filas) == len(filas_ref) > 0, tabla
            distintas = [(a, b) for a, b in zip(filas, filas_ref) if not all(map(_iguales, a, b))]
            assert distintas == [], (tabla, distintas[:3])
    finally:
        inc.close()
        ref.close()


def test_a_quarter_whose_inputs_were_removed_disappears(enoe):
    db, _ = enoe
    antes = _sellos(db)
    con = duckdb.connect(str(db))
    for tabla in ("sdem", "coe1", "coe2"):
        con.execute(f"delete from raw.enoe_{tabla} where periodo = ?", [RETIRADO])
    con.close()
    _dbt(db, "run", *MODELOS)
    despues = _sellos(db)
    for tabla in SELLOS:
        assert RETIRADO not in despues[tabla], tabla
        assert despues[tabla] == {p: s for p, s in antes[tabla].items() if p != RETIRADO}, tabla
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("select count(*) from marts.tasas_complementarias where periodo = ?", [RETIRADO]).fetchone() == (
        0,
    )
    con.close()


def test_enoe_periodos_restricts_the_quarters_and_refuses_what_is_not_a_quarter(enoe):
    db, _ = enoe
    antes = _sellos(db)
    _dbt(
        db,
        "run",
        "--select",
        "int_enoe__diseno_muestral",
        "int_enoe__universo",
        "int_enoe__indicadores",
        "--vars",
        "{enoe_periodos: [2026T2, 2026T3]}",
    )
    despues = _sellos(db)
    for tabla in (
        "intermediate.int_enoe__diseno_muestral",
        "intermediate.int_enoe__universo",
        "intermediate.int_enoe__indicadores",
    ):
        # The other quarters are gone, as in a full build with the var; these two were not recomputed.
        assert despues[tabla] == {p: antes[tabla][p] for p in ("2026T2", "2026T3")}, tabla
    result = run_dbt(db, "compile", "--select", "int_enoe__universo", "--vars", "{enoe_periodos: ['2026T3'' or 1=1']}")
    assert result.returncode != 0
    assert "no es un trimestre" in result.stdout
