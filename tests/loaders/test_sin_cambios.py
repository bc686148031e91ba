"""A load with nothing new notices it cheaply (issue 17): files by path, size and mtime before any checksum,
SQLite databases by file size and mtime, SQL Server by a server-side checksum; what changed is still read,
hashed and landed."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import time
from pathlib import Path

import duckdb
import pytest

from loaders import databases, manifest, report, run
from tests.conftest import load_all
from tests.loaders.conftest import copy_input

PATRONES = "imss/patrones/PATRONES_STPS_20260931.tab"
PUESTOS = "imss/puestos/PAFINALMES_F_20260931.tab"
SDEM = "enoe/ENOEN_SDEMT326.dbf"
FILES = (PATRONES, PUESTOS, SDEM)
SIAPI = "siapi/SSI_DB_Prod.sqlite"  # instance 2
DBS = ("dne/dne.sqlite", SIAPI)


def _age(path: Path, seconds: int) -> int:
    """Set a file's mtime `seconds` in the past (older than manifest.RACY_NS, so it can be trusted)."""
    mtime_ns = time.time_ns() - seconds * 1_000_000_000
    os.utime(path, ns=(mtime_ns, mtime_ns))
    return mtime_ns


def _input(tiny_demo: Path, tmp_path: Path, *relpaths: str) -> Path:
    root = copy_input(tiny_demo, tmp_path / "in", *relpaths)
    for rel in relpaths:
        _age(root / rel, 600)
    return root


def _counting_sha(monkeypatch) -> list[str]:
    """Record every file hashed (the real checksum still runs)."""
    seen: list[str] = []
    real = manifest.file_sha256

    def counting(path, *args, **kwargs):
        seen.append(Path(path).name)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(manifest, "file_sha256", counting)
    return seen


def _manifest(con, archivo: str) -> tuple:
    return con.execute(
        "select estado, sha256, tamano_bytes, mtime_ns, cargado_en from raw.load_manifest where archivo = ?",
        [archivo],
    ).fetchone()


def _same_size_edit(path: Path) -> str:
    """Change the last digit of the first data row's last field (num_puestos): same size, new content.
    Returns the new value."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    fields = lines[1].rstrip("\n").split("\t")
    fields[-1] = fields[-1][:-1] + str((int(fields[-1][-1]) + 1) % 10)
    lines[1] = "\t".join(fields) + "\n"
    size = path.stat().st_size
    path.write_text("".join(lines), encoding="utf-8")
    assert path.stat().st_size == size
    return fields[-1]


# ---- files ------------------------------------------------------------------------------------------


def test_unchanged_files_are_skipped_without_being_read(tiny_demo, tmp_path, monkeypatch):
    root = _input(tiny_demo, tmp_path, *FILES)
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    first = load_all(con, root, {"imss", "enoe"})
    assert {e.estado for e in first.entries} == {"cargado"}
    for rel in FILES:
        st = (root / rel).stat()
        row = _manifest(con, str(root / rel))
        assert (row[2], row[3]) == (st.st_size, st.st_mtime_ns)
        assert row[1] == hashlib.sha256((root / rel).read_bytes()).hexdigest()

    def never(*_a, **_k):
        raise AssertionError("an unchanged file was read")

    monkeypatch.setattr(manifest, "file_sha256", never)
    for fuente in run.LANDERS:
        monkeypatch.setitem(run.LANDERS, fuente, never)
    again = load_all(con, root, {"imss", "enoe"})
    assert [e.estado for e in again.entries] == ["omitido"] * len(FILES)
    # The skipped entries still carry the landed checksum.
    assert {e.sha256 for e in again.entries} == {e.sha256 for e in first.entries}
    con.close()


def test_same_size_new_content_and_mtime_is_hashed_and_reloaded(tiny_demo, tmp_path, monkeypatch):
    root = _input(tiny_demo, tmp_path, PATRONES)
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    load_all(con, root, {"imss"})
    path = root / PATRONES
    cve = path.read_text(encoding="utf-8").splitlines()[1].split("\t")[0]
    new_value = _same_size_edit(path)
    mtime = _age(path, 300)
    hashed = _counting_sha(monkeypatch)
    out = load_all(con, root, {"imss"})
    assert [e.estado for e in out.entries] == ["reemplazado"]
    assert hashed == [path.name]
    assert con.execute(
        "select num_puestos from raw.imss_patrones where cve_registro = ? and periodo = date '2026-09-01'", [cve]
    ).fetchall() == [(new_value,)]
    row = _manifest(con, str(path))
    assert row[1] == hashlib.sha256(path.read_bytes()).hexdigest() and row[3] == mtime
    con.close()


def test_a_touched_identical_file_is_skipped_and_its_new_mtime_recorded(tiny_demo, tmp_path, monkeypatch):
    root = _input(tiny_demo, tmp_path, PATRONES, PUESTOS)
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    load_all(con, root, {"imss"})
    path = root / PUESTOS
    landed = _manifest(con, str(path))
    touched = _age(path, 120)  # a new mtime, same bytes
    hashed = _counting_sha(monkeypatch)
    out = load_all(con, root, {"imss"})
    assert {e.estado for e in out.entries} == {"omitido"}
    assert hashed == [path.name]  # only the touched file is read, to compare its checksum
    row = _manifest(con, str(path))
    # Only the mtime changes: the landing (estado, checksum, cargado_en, which `sidil run` reads) stays.
    assert row == (landed[0], landed[1], landed[2], touched, landed[4])
    hashed.clear()
    assert {e.estado for e in load_all(con, root, {"imss"}).entries} == {"omitido"}
    assert hashed == []  # cheap from now on
    con.close()


def test_a_file_replaced_by_an_older_one_of_equal_size_is_rehashed(tiny_demo, tmp_path, monkeypatch):
    """Hostile: a different file of the same size, with an mtime older than the landed one's (copied with
    its dates kept), put in place of the landed file."""
    root = _input(tiny_demo, tmp_path, PATRONES)
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    load_all(con, root, {"imss"})
    path = root / PATRONES
    landed_mtime = _manifest(con, str(path))[3]
    other = tmp_path / "otro.tab"
    other.write_bytes(path.read_bytes())
    new_value = _same_size_edit(other)
    _age(other, 3600)
    os.replace(other, path)
    assert path.stat().st_mtime_ns < landed_mtime
    hashed = _counting_sha(monkeypatch)
    out = load_all(con, root, {"imss"})
    assert [e.estado for e in out.entries] == ["reemplazado"] and hashed == [path.name]
    assert new_value in {r[0] for r in con.execute("select num_puestos from raw.imss_patrones").fetchall()}
    con.close()


def test_a_file_written_just_before_the_load_is_hashed_again_next_time(tiny_demo, tmp_path, monkeypatch):
    """An mtime within RACY_NS of the load is not trusted: a write in the same clock tick could keep it."""
    root = copy_input(tiny_demo, tmp_path / "in", PATRONES)
    path = root / PATRONES
    now = time.time_ns()
    os.utime(path, ns=(now, now))
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    load_all(con, root, {"imss"})
    assert _manifest(con, str(path))[3] is None
    hashed = _counting_sha(monkeypatch)
    assert [e.estado for e in load_all(con, root, {"imss"}).entries] == ["omitido"]
    assert hashed == [path.name]
    con.close()


def test_an_earlier_riesgos_cut_seen_again_is_not_hashed_again(tiny_demo, tmp_path, monkeypatch):
    cuts = ("imss/riesgos/STPS_20250331.xlsx", "imss/riesgos/STPS_20250931.xlsx")
    root = _input(tiny_demo, tmp_path, *cuts)
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    load_all(con, root, {"imss"})
    assert _manifest(con, str(root / cuts[0]))[0] == "corte_anterior"
    hashed = _counting_sha(monkeypatch)
    assert {e.estado for e in load_all(con, root, {"imss"}).entries} == {"omitido", "corte_anterior"}
    assert hashed == []
    con.close()


# ---- databases ------------------------------------------------------------------------------------


def test_unchanged_sqlite_databases_are_skipped_without_reading_them(tiny_demo, tmp_path, monkeypatch):
    root = _input(tiny_demo, tmp_path, *DBS)
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    first = load_all(con, root, {"dne", "siapi"})
    assert {e.estado for e in first.entries} == {"cargado"}
    assert con.execute("select count(*) from raw.load_manifest where firma like 'sqlite:%'").fetchone()[0] == len(
        first.entries
    )

    def never(*_a, **_k):
        raise AssertionError("an unchanged table was read")

    monkeypatch.setattr(databases, "_fetch", never)
    again = load_all(con, root, {"dne", "siapi"})
    assert [e.estado for e in again.entries] == ["omitido"] * len(first.entries)
    con.close()


def test_a_changed_row_in_the_sqlite_file_is_reloaded(tiny_demo, tmp_path, monkeypatch):
    root = _input(tiny_demo, tmp_path, SIAPI)
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    load_all(con, root, {"siapi"})
    lite = sqlite3.connect(root / SIAPI)
    size = (root / SIAPI).stat().st_size
    inspeccion, estatus = lite.execute("select inspeccion_id, insp_estatus from inspeccion limit 1").fetchone()
    nuevo = "X" * len(estatus)  # edited in place: same length, same file size
    lite.execute("update inspeccion set insp_estatus = ? where inspeccion_id = ?", [nuevo, inspeccion])
    lite.commit()
    lite.close()
    assert (root / SIAPI).stat().st_size == size
    _age(root / SIAPI, 60)
    out = load_all(con, root, {"siapi"})
    estados = {e.entidad: e.estado for e in out.entries}
    assert estados.pop("inspeccion") == "reemplazado"
    assert set(estados.values()) == {"omitido"}  # read (the file changed) but identical: skipped by checksum
    assert con.execute(
        "select insp_estatus from raw.siapi_inspeccion where inspeccion_id = ? and instancia = 2", [str(inspeccion)]
    ).fetchall() == [(nuevo,)]
    # Every table now carries the new signature: the next load reads nothing.
    monkeypatch.setattr(databases, "_fetch", lambda *_a, **_k: pytest.fail("read again"))
    assert {e.estado for e in load_all(con, root, {"siapi"}).entries} == {"omitido"}
    con.close()


def test_a_catalog_change_changes_the_signature(tiny_demo):
    url = f"sqlite:///{(tiny_demo / SIAPI).resolve()}"
    cols = databases.fields("siapi_campos")["inspeccion"]
    firma = databases.table_signature(url, "siapi", "inspeccion", cols)
    assert firma is not None and firma.startswith("sqlite:")
    assert databases.table_signature(url, "siapi", "inspeccion", cols[:-1]) != firma
    assert databases.table_signature(url, "siapi", "desahogo", cols) != firma


def test_the_sql_server_signature_is_computed_by_the_server_over_quoted_catalog_columns():
    from sqlalchemy.dialects import mssql

    sql = str(
        databases.mssql_signature_query(
            "inspeccion", ["inspeccion_id", "order", "fecha inicio", "x]; drop table t--"]
        ).compile(dialect=mssql.dialect())
    ).split()
    assert " ".join(sql) == (
        "SELECT count_big(*) AS count_big_1, checksum_agg(binary_checksum(inspeccion_id, [order], [fecha inicio], "
        "[x]]; drop table t--])) AS checksum_agg_1 FROM inspeccion"
    )
    assert "[select]" in str(databases.mssql_signature_query("select", ["a"]).compile(dialect=mssql.dialect()))


def test_other_servers_give_no_signature_and_are_read_in_full():
    # Neither URL is connected to: other dialects have no cheap signature, and no server answers here.
    assert databases.table_signature("postgresql://u:p@servidor/dne", "dne", "empresa", ["empresa_id"]) is None
    assert databases.table_signature("mssql+pyodbc://u:p@servidor/dne?driver=X", "dne", "empresa", ["a"]) is None


# ---- the report after a load ---------------------------------------------------------------------------


def test_the_report_reads_the_facts_kept_at_landing_and_equals_the_raw_tables(loaded_tiny, tmp_path):
    db, _ = loaded_tiny
    copy = tmp_path / "w.duckdb"
    copy.write_bytes(Path(db).read_bytes())
    con = duckdb.connect(str(copy))
    kept = dict(
        con.execute(
            "select entidad, count(resumen) from raw.load_manifest where (fuente, entidad) in "
            "(('imss', 'patrones'), ('imss', 'puestos'), ('enoe', 'sdem')) group by all"
        ).fetchall()
    )
    landed = dict(
        con.execute(
            "select entidad, count(*) from raw.load_manifest where (fuente, entidad) in "
            "(('imss', 'patrones'), ('imss', 'puestos'), ('enoe', 'sdem')) and estado in ('cargado', 'reemplazado') "
            "group by all"
        ).fetchall()
    )
    assert kept == landed and set(kept) == {"patrones", "puestos", "sdem"}
    from_manifest = report.consistency(con)
    assert any("registros patronales" in line for line in from_manifest)
    assert any("población objetivo" in line for line in from_manifest)
    # Without the kept facts the report computes them from the raw tables: the same lines, and keeps them.
    con.execute("update raw.load_manifest set resumen = null")
    assert report.consistency(con) == from_manifest
    assert con.execute("select count(resumen) from raw.load_manifest").fetchone()[0] == sum(kept.values())
    con.close()
