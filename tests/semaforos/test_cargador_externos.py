"""The loader of the Semáforos' external series (externos/): good files land with their values, a bad file
is refused naming file, row and field, and what was landed before stays."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from tests.conftest import load_all

ITAEE = "cve_ent,periodo,valor\n30,2012T4,111.5\n30,2013T4,109.4\n1,2013T4,98.25\n"
PIBE = "cve_ent,periodo,valor\n27,2012,400000\n00,2012,15000000.5\n"
DEUDA = "cve_ent,periodo,valor\n01,2013,1.9\n00,2013,3.0\n"
CANASTA = "cve_ent,ambito,periodo,valor\n00,urbano,2013-10,1200.5\n00,Rural,2013-10,900\n"


def _write(root: Path, name: str, text: str) -> Path:
    path = root / "externos" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture()
def landed(tmp_path):
    root = tmp_path / "in"
    for name, text in (
        ("itaee.csv", ITAEE),
        ("pibe.csv", PIBE),
        ("deuda_publica.csv", DEUDA),
        ("canasta_alimentaria.csv", CANASTA),
    ):
        _write(root, name, text)
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    out = load_all(con, root, {"externos"})
    yield con, root, out
    con.close()


def test_good_files_land_with_their_values(landed):
    con, _root, out = landed
    assert sorted((e.entidad, e.estado, e.periodo, e.filas_cargadas) for e in out.entries) == [
        ("canasta_alimentaria", "cargado", "serie", 2),
        ("deuda_publica", "cargado", "serie", 2),
        ("itaee", "cargado", "serie", 3),
        ("pibe", "cargado", "serie", 2),
    ]
    assert con.execute("select cve_ent, periodo, valor from raw.externos_itaee order by 1, 2").fetchall() == [
        ("01", "2013T4", 98.25),
        ("30", "2012T4", 111.5),
        ("30", "2013T4", 109.4),
    ]
    assert con.execute("select cve_ent, periodo, valor from raw.externos_pibe order by 1").fetchall() == [
        ("00", "2012", 15000000.5),
        ("27", "2012", 400000.0),
    ]
    assert con.execute("select ambito, periodo, valor from raw.externos_canasta_alimentaria order by 1").fetchall() == [
        ("rural", "2013-10", 900.0),
        ("urbano", "2013-10", 1200.5),
    ]
    assert con.execute("select valor from raw.externos_deuda_publica where cve_ent = '01'").fetchone() == (1.9,)


def test_unchanged_files_are_skipped_and_a_new_file_replaces_the_whole_series(landed):
    con, root, _out = landed
    again = load_all(con, root, {"externos"})
    assert {e.estado for e in again.entries} == {"omitido"}
    _write(root, "itaee.csv", "cve_ent,periodo,valor\n30,2014T1,110\n")
    shrunk = load_all(con, root, {"externos"})  # a much shorter series is refused unless forced
    [refused] = [e for e in shrunk.entries if e.entidad == "itaee"]
    assert refused.estado == "error" and "--forzar" in refused.mensaje, refused.mensaje
    third = load_all(con, root, {"externos"}, forzar=True)
    assert [e.estado for e in third.entries if e.entidad == "itaee"] == ["reemplazado"]
    assert con.execute("select cve_ent, periodo, valor from raw.externos_itaee").fetchall() == [("30", "2014T1", 110.0)]


@pytest.mark.parametrize(
    "text, fila, campo, palabra",
    [
        ("cve_ent,periodo,valor\n30,2012T4,111.5\n30,2013T4,1o9.4\n", 3, "valor", "no numérico"),
        ("cve_ent,periodo,valor\n30,2012T4,111.5\n30,2013-4,109.4\n", 3, "periodo", "periodo inválido"),
        ("cve_ent,periodo,valor\n33,2012T4,111.5\n", 2, "cve_ent", "entidad inválida"),
        ("cve_ent,periodo,valor\n30,2012T4,111.5\n30,2012T4,111.6\n", 3, "periodo", "repetida"),
        ("cve_ent,periodo,valor\n30,2012T4,-1\n", 2, "valor", "fuera de rango"),
        ("cve_ent,periodo\n30,2012T4\n", 1, "valor", "falta el campo"),
        ("cve_ent,periodo,valor\n30,2012T4,111.5\n30,2013T4\n", 3, "valor", "menos campos"),
    ],
)
def test_a_bad_file_is_refused_naming_file_row_and_field_and_the_landed_series_stays(
    landed, text, fila, campo, palabra
):
    con, root, _out = landed
    path = _write(root, "itaee.csv", text)
    out = load_all(con, root, {"externos"})
    bad = [e for e in out.entries if e.entidad == "itaee"][0]
    assert bad.estado == "error"
    assert str(path) in bad.mensaje and f"fila {fila}" in bad.mensaje and f"campo {campo}" in bad.mensaje, bad.mensaje
    assert palabra in bad.mensaje
    assert any("***ERROR***" in line and str(path) in line for line in out.lines)
    # The series landed before is untouched.
    assert con.execute("select count(*), sum(valor) from raw.externos_itaee").fetchone() == (3, 111.5 + 109.4 + 98.25)
    manifest = con.execute("select estado from raw.load_manifest where archivo = ?", [str(path)]).fetchone()
    assert manifest == ("error",)


def test_the_canasta_checks_its_area_and_month(landed):
    con, root, _out = landed
    path = _write(root, "canasta_alimentaria.csv", "cve_ent,ambito,periodo,valor\n00,semiurbano,2013-10,1\n")
    bad = [e for e in load_all(con, root, {"externos"}).entries if e.entidad == "canasta_alimentaria"][0]
    assert bad.estado == "error" and "fila 2" in bad.mensaje and "campo ambito" in bad.mensaje
    _write(root, "canasta_alimentaria.csv", "cve_ent,ambito,periodo,valor\n00,urbano,2013-13,1\n")
    bad = [e for e in load_all(con, root, {"externos"}).entries if e.entidad == "canasta_alimentaria"][0]
    assert bad.estado == "error" and "campo periodo" in bad.mensaje and str(path) in bad.mensaje
    assert con.execute("select count(*) from raw.externos_canasta_alimentaria").fetchone() == (2,)


def test_a_delivery_without_external_series_leaves_their_tables_empty_not_missing(tmp_path):
    # Real external series are published apart from the ministry's data: their marts must still build.
    (tmp_path / "in").mkdir()
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    load_all(con, tmp_path / "in", {"externos"})
    for serie in ("itaee", "pibe", "deuda_publica", "canasta_alimentaria"):
        assert con.execute(f"select count(*) from raw.externos_{serie}").fetchone()[0] == 0
    con.close()
