"""No clear NSS or CURP anywhere past landing (issue 14): `sidil run` on a delivery that includes bad files
(a badly delimited puestos month, a puestos file in the patrones folder, a riesgos cut with data beyond its
header), then every table of the warehouse, every reject, manifest and log row, the exports, the model
store, dbt's target/ and the logs are scanned for the identifiers of the input files."""

from __future__ import annotations

import csv
import gzip
import re
import shutil

import duckdb
import openpyxl
from typer.testing import CliRunner

from sidil.cli import app

ROOT = __import__("pathlib").Path(__file__).resolve().parents[1]
TOKEN = re.compile(rb"(?<![A-Za-z0-9])(\d{11}|[A-Z]{4}\d{6}[HMX][A-Z]{5}[A-Z0-9]\d)(?![A-Za-z0-9])")


def _clear_identifiers(demo) -> set[str]:
    """Every NSS and CURP in the demo's plain-text puestos files and its riesgos cuts."""
    found: set[str] = set()
    for path in (demo / "imss/puestos").iterdir():
        if path.suffix == ".7z":
            continue
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8", newline="") as f:
            head = f.readline()
            delim = "\t" if "\t" in head else ","
            names = head.strip().split(delim)
            for row in csv.reader(f, delimiter=delim):
                found.update(v for k, v in zip(names, row) if k in ("nss", "curp") and v)
    for path in (demo / "imss/riesgos").glob("*.xlsx"):
        rows = openpyxl.load_workbook(path, read_only=True).worksheets[0].iter_rows(values_only=True)
        names = [str(h) for h in next(rows)]
        for row in rows:
            found.update(str(v) for k, v in zip(names, row) if k in ("nss", "curp") and v)
    return found


def _bad_delivery(demo, root) -> None:
    shutil.copytree(demo, root)
    puestos = root / "imss/puestos/PAFINALMES_F_20260931.tab"
    lines = puestos.read_text(encoding="utf-8").splitlines(keepends=True)
    puestos.write_text(
        lines[0] + "".join(ln.replace("\t", ";", 1) for ln in lines[1:60]) + "".join(lines[60:]), encoding="utf-8"
    )
    (root / "imss/patrones/PATRONES_STPS_20261131.tab").write_bytes(
        b"".join(ln.encode() for ln in lines)
    )  # a puestos file where patrones go
    cut = root / "imss/riesgos/STPS_20250931.xlsx"
    wb = openpyxl.load_workbook(cut)
    ws = wb.worksheets[0]
    ws.cell(row=3, column=ws.max_column + 2, value="dato suelto")
    wb.save(cut)


def _scan_files(folder, clear: set[str]) -> list[str]:
    hits = []
    for path in folder.rglob("*"):
        if path.is_file():
            for m in TOKEN.finditer(path.read_bytes()):
                if m.group(1).decode() in clear:
                    hits.append(f"{path}: {m.group(1).decode()[:3]}…")
    return hits


def test_no_clear_nss_or_curp_in_any_table_reject_log_export_model_or_artifact(tiny_demo, tmp_path, monkeypatch):
    root = tmp_path / "entrega"
    _bad_delivery(tiny_demo, root)
    clear = _clear_identifiers(tiny_demo)
    assert len(clear) > 1000
    db = tmp_path / "w.duckdb"
    monkeypatch.setenv("SIDIL_DB", str(db))
    monkeypatch.setenv("SIDIL_PSEUDO_KEY", "clave-de-prueba")
    monkeypatch.setenv("SIDIL_MODELOS", str(tmp_path / "models_store"))
    monkeypatch.setenv("SIDIL_SALIDAS", str(tmp_path / "salidas"))
    result = CliRunner().invoke(app, ["run", "--input", str(root)])
    assert result.exit_code == 0, result.output[-3000:]
    assert result.output.count("***ERROR***: archivo") >= 3  # the three bad files were refused
    assert not [v for v in clear if v in result.output]

    con = duckdb.connect(str(db))
    con.execute("create temp table clear_ids as select unnest(?::varchar[]) as v", [sorted(clear)])
    columns = con.execute(
        "select table_schema, table_name, column_name from information_schema.columns "
        "where data_type = 'VARCHAR' and table_schema not in ('temp', 'information_schema', "
        "'pg_catalog') and table_catalog = current_database()"
    ).fetchall()
    assert len(columns) > 100
    for schema, table, column in columns:
        n = con.execute(
            f'select count(*) from "{schema}"."{table}" where "{column}" in (select v from clear_ids)'
        ).fetchone()[0]
        assert n == 0, f"{schema}.{table}.{column} holds clear identifiers"
    rejects = con.execute("select count(*) from raw.load_rejects").fetchone()[0]
    assert rejects >= 59
    for table in ("raw.load_rejects", "raw.load_manifest", "raw.bitacora"):
        text = "\n".join(str(v) for row in con.execute(f"select * from {table}").fetchall() for v in row)
        assert not [m for m in TOKEN.findall(text.encode()) if m.decode() in clear], table
    for parquet in (tmp_path / "salidas").rglob("*.parquet"):
        quoted = str(parquet).replace("'", "''")
        con.execute(f"create or replace temp view export as select * from read_parquet('{quoted}')")
        for (column,) in con.execute("select column_name from (describe export)").fetchall():
            n = con.execute(
                f'select count(*) from export where "{column}"::varchar in (select v from clear_ids)'
            ).fetchone()[0]
            assert n == 0, f"{parquet}: {column}"
    con.close()
    hits = []
    for folder in (tmp_path / "salidas", tmp_path / "models_store", ROOT / "target", ROOT / "logs"):
        if folder.exists():
            hits += _scan_files(folder, clear)
    assert not hits, hits[:5]
