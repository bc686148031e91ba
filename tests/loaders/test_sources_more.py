"""Loader rules per source not covered elsewhere: the Censo's Excel form, database field catalogs,
and reloading everything on request."""

from __future__ import annotations

import csv

import duckdb
import openpyxl
import pytest

from loaders import databases
from tests.conftest import load_all
from tests.loaders.conftest import copy_input


def test_censo_from_the_original_excel_sheet_equals_the_csv(tiny_demo, tmp_path):
    src = tiny_demo / "censo" / "TABLA_C3_CENSO2019.csv"
    with open(src, encoding="cp1252", newline="") as f:
        rows = list(csv.reader(f))
    xlsx_root = tmp_path / "xlsx"
    (xlsx_root / "censo").mkdir(parents=True)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "C3"
    for r in rows:
        ws.append(r)
    wb.save(xlsx_root / "censo" / "TABLA_C3_CENSO2019.xlsx")
    csv_root = copy_input(tiny_demo, tmp_path / "csv", "censo/TABLA_C3_CENSO2019.csv")
    results = []
    for root in (csv_root, xlsx_root):
        con = duckdb.connect(str(root / "w.duckdb"))
        out = load_all(con, root, {"censo"})
        assert [e.estado for e in out.entries] == ["cargado"], out.lines
        cols = [r[0] for r in con.execute("describe raw.censo_c3").fetchall() if r[0] not in ("archivo", "cargado_en")]
        body = ", ".join(f"coalesce(\"{c}\", '')" for c in cols)
        results.append(con.execute(f"select count(*), sum(hash({body})) from raw.censo_c3").fetchall())
        con.close()
    assert results[0] == results[1]
    assert results[0][0][0] == len(rows) - 1


def test_a_database_field_missing_from_the_source_is_a_clear_error(tiny_demo, tmp_path, monkeypatch):
    real = databases.fields

    def with_extra(catalog):
        f = {t: list(c) for t, c in real(catalog).items()}
        if catalog == "dne_campos":
            f["centro_trabajo"].append("campo_que_no_existe")
        return f

    monkeypatch.setattr(databases, "fields", with_extra)
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    out = load_all(con, tiny_demo, {"dne"})
    bad = [e for e in out.entries if e.entidad == "centro_trabajo"]
    assert bad[0].estado == "error"
    assert "campo_que_no_existe" in bad[0].mensaje and "centro_trabajo" in bad[0].mensaje
    assert [e.estado for e in out.entries if e.entidad != "centro_trabajo"] == ["cargado", "cargado"]
    con.close()


def test_todo_reloads_every_period_with_the_same_result(tiny_demo, tmp_path):
    root = copy_input(
        tiny_demo, tmp_path / "in", "imss/patrones/PATRONES_STPS_20260931.tab", "imss/puestos/PAFINALMES_F_20260931.tab"
    )
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    load_all(con, root, {"imss"})
    state = "select count(*), sum(hash(nss_hash, curp_hash, sbc)) from raw.imss_puestos"
    before = con.execute(state).fetchall()
    out = load_all(con, root, {"imss"}, solo_adicionales=False)
    assert {e.estado for e in out.entries} == {"reemplazado"}
    assert con.execute(state).fetchall() == before
    con.close()


@pytest.mark.parametrize("url", ["mssql+pyodbc://usuario:secreto@servidor/DNE?driver=X", "sqlite:////tmp/x.db"])
def test_urls_in_messages_never_show_passwords(url):
    assert "secreto" not in databases.safe_url(url)
