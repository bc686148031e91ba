"""`sidil load` on the tiny demo: every source lands, a re-load changes nothing, changed files replace
their period, duplicates and bad files are refused with the file, row and field named, and no raw
table holds a clear NSS or CURP."""

from __future__ import annotations

import csv
import gzip
import hashlib
import hmac
import subprocess
import sys
import time

import dbfread
import duckdb
import openpyxl
import pytest

from loaders.errors import WarehouseBusy
from loaders.warehouse import connect
from tests.conftest import KEY, load_all
from tests.loaders.conftest import copy_input

LATEST = "imss/puestos/PAFINALMES_F_20260931.tab"
LATEST_PATRONES = "imss/patrones/PATRONES_STPS_20260931.tab"


def _rows(path) -> list[dict]:
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def _snapshot(db) -> dict:
    con = duckdb.connect(str(db), read_only=True)
    tables = [
        r[0]
        for r in con.execute(
            "select table_name from information_schema.tables where table_schema = 'raw' order by 1"
        ).fetchall()
    ]
    snap = {}
    for t in tables:
        # When a file or database was last checked (mtime_ns, firma: issue 17) is bookkeeping, not landed data:
        # one written moments before a load is hashed once more on the next and only then recorded.
        skip = ("cargado_en", "mtime_ns", "firma")
        cols = [r[0] for r in con.execute(f"describe raw.{t}").fetchall() if r[0] not in skip]
        body = ", ".join(f'"{c}"' for c in cols)
        snap[t] = con.execute(f"select count(*), sum(hash({body})) from raw.{t}").fetchall()[0]
    con.close()
    return snap


# ---- the whole demo ---------------------------------------------------------------------------


def test_every_source_lands_with_its_rows(loaded_tiny, tiny_demo):
    db, outcome = loaded_tiny
    states = {e.estado for e in outcome.entries}
    assert "error" not in states, [e.mensaje for e in outcome.entries if e.estado == "error"]
    con = duckdb.connect(str(db), read_only=True)
    n = con.execute("select count(*) from raw.imss_puestos where periodo = date '2026-09-01'").fetchall()[0][0]
    assert n == len(_rows(tiny_demo / LATEST))
    n = con.execute("select count(*) from raw.imss_patrones where periodo = date '2026-09-01'").fetchall()[0][0]
    assert n == len(_rows(tiny_demo / LATEST_PATRONES))
    dbf = tiny_demo / "enoe" / "ENOEN_SDEMT326.dbf"
    assert con.execute("select count(*) from raw.enoe_sdem where periodo = '2026T3'").fetchall()[0][0] == len(
        dbfread.DBF(str(dbf))
    )
    import sqlite3

    lite = sqlite3.connect(tiny_demo / "dne" / "dne.sqlite")
    assert (
        con.execute("select count(*) from raw.dne_centro_trabajo").fetchall()[0][0]
        == lite.execute("select count(*) from centro_trabajo").fetchone()[0]
    )
    for i, name in enumerate(
        [
            "SSI_DB_ReformaLaboral",
            "SSI_DB_Prod",
            "SSI_DB_Prod_Rgitas",
            "SSI_DB_SIAPI_ReFeSSAT_Prod",
            "SSI_DB_SIAPI_REFESSATV2",
        ],
        start=1,
    ):
        lite = sqlite3.connect(tiny_demo / "siapi" / f"{name}.sqlite")
        assert (
            con.execute("select count(*) from raw.siapi_inspeccion where instancia = ?", [i]).fetchall()[0][0]
            == lite.execute("select count(*) from inspeccion").fetchone()[0]
        )
    # One manifest row per input file seen, with its checksum.
    files = [p for p in tiny_demo.rglob("*") if p.is_file() and p.parts[-2] != "truth" and p.suffix not in (".sqlite",)]
    manifest = dict(
        con.execute("select archivo, sha256 from raw.load_manifest where archivo not like 'sqlite%'").fetchall()
    )
    assert set(manifest) == {str(p) for p in files}
    sample = tiny_demo / LATEST
    assert manifest[str(sample)] == hashlib.sha256(sample.read_bytes()).hexdigest()
    con.close()


def test_reloading_the_same_folder_changes_nothing(tiny_demo, tmp_path):
    db = tmp_path / "w.duckdb"
    con = duckdb.connect(str(db))
    load_all(con, tiny_demo)
    con.close()
    before = _snapshot(db)
    con = duckdb.connect(str(db))
    again = load_all(con, tiny_demo)
    con.close()
    assert {e.estado for e in again.entries} <= {"omitido", "corte_anterior"}
    assert _snapshot(db) == before


def test_riesgos_keep_only_the_latest_cut_of_each_year(loaded_tiny, tiny_demo):
    db, _ = loaded_tiny
    con = duckdb.connect(str(db), read_only=True)
    sept = openpyxl.load_workbook(tiny_demo / "imss/riesgos/STPS_20250931.xlsx", read_only=True).worksheets[0]
    n_sept = sum(1 for r in sept.iter_rows(values_only=True) if any(v is not None for v in r)) - 1
    assert con.execute("select count(*) from raw.imss_riesgos where anio = 2025").fetchall()[0][0] == n_sept
    assert con.execute("select count(distinct periodo) from raw.imss_riesgos where anio = 2025").fetchall()[0][0] == 1
    march = str(tiny_demo / "imss/riesgos/STPS_20250331.xlsx")
    assert (
        con.execute("select estado from raw.load_manifest where archivo = ?", [march]).fetchall()[0][0]
        == "corte_anterior"
    )
    con.close()


# ---- personal data ------------------------------------------------------------------------------


def test_no_raw_table_holds_a_clear_nss_or_curp(loaded_tiny, tiny_demo):
    db, _ = loaded_tiny
    rows = _rows(tiny_demo / LATEST)
    clear = {r["nss"] for r in rows} | {r["curp"] for r in rows if r["curp"]}
    con = duckdb.connect(str(db), read_only=True)
    con.execute("create temp table clear_ids (v varchar)")
    con.executemany("insert into clear_ids values (?)", [(v,) for v in clear])
    text_cols = con.execute(
        "select table_name, column_name from information_schema.columns "
        "where table_schema = 'raw' and data_type = 'VARCHAR'"
    ).fetchall()
    for table, column in text_cols:
        hits = con.execute(
            f'select count(*) from raw.{table} where "{column}" in (select v from clear_ids)'
        ).fetchall()[0][0]
        assert hits == 0, f"raw.{table}.{column} holds clear identifiers"
    con.close()


def test_pseudonyms_are_hmac_sha256_with_the_key_and_curps_are_completed(loaded_tiny, tiny_demo):
    db, _ = loaded_tiny
    rows = _rows(tiny_demo / LATEST)
    by_nss: dict[str, str] = {}
    for r in rows:
        if r["curp"]:
            by_nss[r["nss"]] = r["curp"]
    missing = [r for r in rows if not r["curp"] and r["nss"] in by_nss]
    assert missing, "the demo plants recoverable missing CURPs"
    r = missing[0]
    mac = lambda v: hmac.new(KEY, v.encode(), hashlib.sha256).hexdigest()  # noqa: E731
    con = duckdb.connect(str(db), read_only=True)
    got = con.execute(
        "select curp_hash, sexo, curp_completada from raw.imss_puestos "
        "where periodo = date '2026-09-01' and nss_hash = ? and cve_registro = ?",
        [mac(r["nss"]), r["cve_registro"]],
    ).fetchall()
    curp = by_nss[r["nss"]]
    assert got == [(mac(curp), 1 if curp[10] == "H" else 2, True)]
    con.close()


# ---- changed, duplicated and bad files ----------------------------------------------------------


def test_a_changed_file_replaces_only_its_period(tiny_demo, tmp_path):
    root = copy_input(tiny_demo, tmp_path / "in", LATEST_PATRONES, "imss/patrones/PATRONES_STPS_2026831.tab")
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    load_all(con, root, {"imss"})
    path = root / LATEST_PATRONES
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[:-10]), encoding="utf-8")
    out = load_all(con, root, {"imss"})
    assert [e.estado for e in out.entries if e.archivo == str(path)] == ["reemplazado"]
    counts = dict(
        con.execute("select strftime(periodo, '%Y-%m'), count(*) from raw.imss_patrones group by 1").fetchall()
    )
    assert counts["2026-09"] == len(lines) - 1 - 10
    assert counts["2026-08"] == len((root / "imss/patrones/PATRONES_STPS_2026831.tab").read_text().splitlines()) - 1
    con.close()


def test_two_files_for_one_period_is_an_error_naming_both(tiny_demo, tmp_path):
    root = copy_input(tiny_demo, tmp_path / "in", LATEST_PATRONES)
    other = root / "imss/patrones/PA_FINAL_20260931.tab"
    other.write_bytes((root / LATEST_PATRONES).read_bytes())
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    out = load_all(con, root, {"imss"})
    errors = [e for e in out.entries if e.estado == "error"]
    assert len(errors) == 2
    assert all(str(other) in e.mensaje and str(root / LATEST_PATRONES) in e.mensaje for e in errors)
    assert not con.execute(
        "select count(*) from information_schema.tables where table_name = 'imss_patrones'"
    ).fetchall()[0][0]
    con.close()


def _corrupt(kind: str, root, tiny_demo):
    """Write a bad version of a demo file; return (path, expected words in the message, row, field)."""
    puestos = root / LATEST
    text = (tiny_demo / LATEST).read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    if kind == "fila_con_campos_de_mas":
        lines[41] = lines[41].rstrip("\n") + "\tEXTRA\n"
        puestos.write_text("".join(lines), encoding="utf-8")
        return puestos, "más campos", 42, "campo 8"
    if kind == "codificacion":
        # A UTF-8 patrones file (accented company names) with one row appended in latin-1.
        patrones = root / LATEST_PATRONES
        plines = (tiny_demo / LATEST_PATRONES).read_text(encoding="utf-8").splitlines(keepends=True)
        assert any(ord(ch) > 127 for ch in "".join(plines[:99])), "needs accents before the bad row"
        fields = plines[99].split("\t")
        fields[1] = "PEÑA Y MUÑOZ S.A."
        patrones.write_bytes(
            "".join(plines[:99]).encode("utf-8")
            + "\t".join(fields).encode("latin-1")
            + "".join(plines[100:]).encode("utf-8")
        )
        return patrones, "codificación", 100, "razon_social"
    if kind == "delimitador":
        puestos.write_text(text.replace("\t", ";"), encoding="utf-8")
        return puestos, "delimitador", 1, None
    if kind == "falta_campo":
        rows = [ln.split("\t") for ln in lines]
        puestos.write_text("".join("\t".join(r[:1] + r[2:]) for r in rows), encoding="utf-8")
        return puestos, "falta el campo obligatorio 'nss'", 1, "nss"
    if kind == "gz_truncado":
        puestos.unlink()
        gz = root / "imss/puestos/PAFINALMES_F_20260931.tab.gz"
        data = gzip.compress(text.encode(), mtime=0)
        gz.write_bytes(data[: len(data) // 2])
        return gz, "dañado", None, None
    if kind == "7z_truncado":
        puestos.unlink()
        src = next((tiny_demo / "imss/puestos").glob("*.7z"))
        bad = root / "imss/puestos/PAFINALMES_F_20260931.7z"
        data = src.read_bytes()
        bad.write_bytes(data[: len(data) // 2])
        return bad, "dañado", None, None
    if kind == "rar":
        puestos.unlink()
        rar = root / "imss/puestos/PAFINALMES_F_20260931.rar"
        rar.write_bytes(b"Rar!\x1a\x07\x00")
        return rar, ".rar", None, None
    if kind == "dbf_ilegible":
        puestos.unlink()
        dbf = root / "enoe/ENOEN_SDEMT326.dbf"
        dbf.parent.mkdir(parents=True, exist_ok=True)
        data = (tiny_demo / "enoe/ENOEN_SDEMT326.dbf").read_bytes()
        dbf.write_bytes(data[: len(data) // 3])
        return dbf, "truncado", "any", None
    raise ValueError(kind)


@pytest.mark.parametrize(
    "kind",
    [
        "fila_con_campos_de_mas",
        "codificacion",
        "delimitador",
        "falta_campo",
        "gz_truncado",
        "7z_truncado",
        "rar",
        "dbf_ilegible",
    ],
)
def test_a_bad_file_is_refused_naming_file_row_and_field_and_earlier_data_stays(kind, tiny_demo, tmp_path):
    root = copy_input(tiny_demo, tmp_path / "in", LATEST, LATEST_PATRONES)
    db = tmp_path / "w.duckdb"
    con = duckdb.connect(str(db))
    load_all(con, root, {"imss"})  # a good September first
    state = (
        "select (select count(*) from raw.imss_puestos), (select sum(hash(nss_hash)) from raw.imss_puestos), "
        "(select count(*) from raw.imss_patrones), "
        "(select sum(hash(cve_registro || num_puestos)) from raw.imss_patrones)"
    )
    before = con.execute(state).fetchall()
    path, words, fila, campo = _corrupt(kind, root, tiny_demo)
    out = load_all(con, root, {"imss", "enoe"})
    bad = [e for e in out.entries if e.archivo == str(path)]
    assert len(bad) == 1 and bad[0].estado == "error", out.lines
    msg = bad[0].mensaje
    assert str(path) in msg and words in msg, msg
    if fila == "any":
        assert "fila" in msg
    elif fila is not None:
        assert f"fila {fila}" in msg, msg
    if campo is not None:
        assert f"campo {campo}" in msg, msg
    assert any(line.startswith("***ERROR***") and str(path) in line for line in out.lines)
    # What was landed before is untouched, and the manifest says why this file was not landed.
    assert con.execute(state).fetchall() == before
    row = con.execute("select estado, mensaje from raw.load_manifest where archivo = ?", [str(path)]).fetchall()
    assert row == [("error", msg)]
    if kind == "fila_con_campos_de_mas":
        rejects = con.execute("select fila, campo from raw.load_rejects where archivo = ?", [str(path)]).fetchall()
        assert rejects and rejects[0][0] == 42
    con.close()


# ---- ENOE specifics -------------------------------------------------------------------------------


def test_enoe_values_equal_dbfread_and_cve_ent_becomes_ent(loaded_tiny, tiny_demo):
    db, _ = loaded_tiny
    con = duckdb.connect(str(db), read_only=True)
    recs = list(dbfread.DBF(str(tiny_demo / "enoe/COE1T115.dbf")))
    got = con.execute(
        "select cd_a, ent, con, v_sel, n_hog, h_mud, n_ren, p3j, p5c_thrs from raw.enoe_coe1 "
        "where periodo = '2015T1' order by rowid"
    ).fetchall()
    want = [
        (r["CD_A"], r["ENT"], r["CON"], r["V_SEL"], r["N_HOG"], r["H_MUD"], r["N_REN"], r["P3J"], r["P5C_THRS"])
        for r in recs
    ]
    assert got == want
    # 2025 files spell the state `cve_ent`: the field catalog lands it as `ent`.
    assert (
        con.execute("select count(*) from raw.enoe_sdem where periodo = '2026T3' and ent is null").fetchall()[0][0] == 0
    )
    cols = [r[0] for r in con.execute("describe raw.enoe_sdem").fetchall()]
    assert "cve_ent" not in cols
    # The CSV quarter lands with the numeric types of the DBF quarters.
    assert con.execute("select typeof(fac_tri) from raw.enoe_sdem where periodo = '2024T1' limit 1").fetchall()[0][
        0
    ] in ("BIGINT", "DOUBLE")
    con.close()


# ---- the warehouse ----------------------------------------------------------------------------------


def test_a_second_writer_fails_fast_with_a_clear_message(tmp_path):
    db = tmp_path / "w.duckdb"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, time; c = duckdb.connect({str(db)!r}); print('ok', flush=True); time.sleep(30)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ok"
        start = time.perf_counter()
        with pytest.raises(WarehouseBusy) as err:
            connect(path=db)
        assert time.perf_counter() - start < 10
        assert "en uso por otro proceso" in str(err.value)
    finally:
        holder.kill()
