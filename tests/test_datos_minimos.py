"""Minimal personal data (spec 001, issue 20): after loading and building the tiny demo, no RFC, name or
address of an employer who is a person (persona física) is anywhere in the warehouse, while the names of
legal entities (personas morales) that the MPR and the consultation show are still there. The clear values
are read from the demo's own inputs (dne/dne.sqlite and the IMSS patrones files)."""

from __future__ import annotations

import csv
import io
import re
import sqlite3

import duckdb

from sidil.demo.imss_empleadores import FORMAS

RFC_FISICA = re.compile(r"[A-Z]{4}\d{6}[A-Z0-9]{3}")


def _dne(demo) -> dict:
    con = sqlite3.connect(demo / "dne" / "dne.sqlite")
    empresas = con.execute("select empresa_id, razon_social, rfc from empresa").fetchall()
    fisicas = {e for e, _, rfc in empresas if rfc and RFC_FISICA.fullmatch(rfc)}
    morales = {e for e, _, rfc in empresas if rfc and len(rfc) == 12}
    cts = con.execute(
        "select centro_trabajo_id, empresa_id, ct_nombre, ct_calle, ct_num_exterior, ct_colonia from centro_trabajo"
    ).fetchall()
    con.close()
    return {
        "rfc": {rfc for e, _, rfc in empresas if e in fisicas},
        "nombres": {r for e, r, _ in empresas if e in fisicas} | {n for _, e, n, *_ in cts if e in fisicas},
        "domicilios": {" ".join(p for p in d if p) for *_, c, n, col in cts for d in [(c, n, col)]},
        "ct_fisica": {ct for ct, e, *_ in cts if e in fisicas},
        "ct_moral": {ct: n for ct, e, n, *_ in cts if e in morales},
    }


def _patrones_fisicas(demo) -> set[str]:
    """Razones sociales of the IMSS employers who are persons (no legal form: a person's name)."""
    found = set()
    for path in (demo / "imss" / "patrones").glob("*.tab"):
        data = path.read_bytes()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:  # some months come in latin-1
            text = data.decode("latin-1")
        for row in csv.DictReader(io.StringIO(text, newline=""), delimiter="\t"):
            razon = row.get("razon_social") or ""
            if razon and not any(razon.endswith(forma) for forma in FORMAS):
                found.add(razon)
    return found


def _hits(con, clear: set[str]) -> list[str]:
    con.execute("create or replace temp table clear_values as select unnest(?::varchar[]) as v", [sorted(clear)])
    columns = con.execute(
        "select table_schema, table_name, column_name from information_schema.columns "
        "where data_type = 'VARCHAR' and table_schema not in ('temp', 'information_schema', "
        "'pg_catalog') and table_catalog = current_database()"
    ).fetchall()
    assert len(columns) > 100
    return [
        f"{s}.{t}.{c}"
        for s, t, c in columns
        if con.execute(f'select count(*) from "{s}"."{t}" where "{c}" in (select v from clear_values)').fetchone()[0]
    ]


def test_no_rfc_name_or_address_of_a_persona_fisica_anywhere_in_the_warehouse(built_tiny, tiny_demo):
    dne = _dne(tiny_demo)
    patrones = _patrones_fisicas(tiny_demo)
    assert len(dne["rfc"]) > 20 and len(patrones) > 100, "the demo has employers who are persons"
    assert all(RFC_FISICA.fullmatch(r) for r in dne["rfc"])
    con = duckdb.connect(str(built_tiny), read_only=True)
    assert _hits(con, dne["rfc"] | dne["nombres"] | patrones | dne["domicilios"]) == []
    # The street address is never read and the IMSS razón social never landed: no such column anywhere.
    assert (
        con.execute(
            "select count(*) from information_schema.columns where column_name in "
            "('ct_calle', 'ct_num_exterior', 'ct_colonia', 'domicilio')"
        ).fetchone()[0]
        == 0
    )
    assert "razon_social" not in {r[0] for r in con.execute("describe raw.imss_patrones").fetchall()}
    con.close()


def test_names_of_personas_morales_stay_for_the_mpr_and_the_consultation(built_tiny, tiny_demo):
    dne = _dne(tiny_demo)
    con = duckdb.connect(str(built_tiny), read_only=True)
    rows = dict(con.execute("select centro_trabajo_id, nombre_ct from marts.dne_plus").fetchall())
    morales = {ct: n for ct, n in dne["ct_moral"].items() if ct in rows}
    assert len(morales) > 1000
    assert all(rows[ct] == n for ct, n in morales.items())  # the consultation still shows their names
    fisicas = [ct for ct in dne["ct_fisica"] if ct in rows]
    assert fisicas and all(rows[ct] is None for ct in fisicas)
    tipos = dict(con.execute("select tipo_persona, count(*) from staging.stg_dne__empresa group by 1").fetchall())
    assert tipos["fisica"] == len(dne["rfc"]) and tipos["moral"] > 10 * tipos["fisica"]
    n = con.execute(
        "select count(*) from staging.stg_dne__empresa where tipo_persona is distinct from 'moral' "
        "and (razon_social is not null or rfc is not null)"
    ).fetchone()[0]
    assert n == 0
    con.close()


def test_a_field_landed_in_clear_before_is_dropped_at_the_next_load(tiny_demo, tmp_path):
    """A warehouse landed before the catalog of personal data loses the clear columns at its next load."""
    from tests.conftest import load_all

    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute("create schema raw")
    con.execute("create table raw.dne_centro_trabajo (centro_trabajo_id varchar, ct_calle varchar)")
    con.execute("insert into raw.dne_centro_trabajo values ('1', 'AV. JUAREZ')")
    con.execute(
        "create table raw.imss_patrones (cve_registro varchar, razon_social varchar, periodo date, archivo varchar)"
    )
    con.execute("insert into raw.imss_patrones values ('A0000000000', 'JUAN PEREZ LOPEZ', '2000-01-01', 'viejo')")
    load_all(con, tiny_demo, {"dne", "imss"})
    for table in ("raw.dne_centro_trabajo", "raw.imss_patrones"):
        columns = {r[0] for r in con.execute(f"describe {table}").fetchall()}
        assert not columns & {"ct_calle", "razon_social"}, table
    assert con.execute("select count(*) from raw.imss_patrones where archivo = 'viejo'").fetchone()[0] == 1
    assert con.execute("select count(*) from raw.imss_patrones").fetchone()[0] > 1000
    con.close()


def test_a_rejected_patrones_line_keeps_no_razon_social(tiny_demo, tmp_path):
    """A patrones row refused at landing is kept in raw.load_rejects without its razón social."""
    from tests.conftest import load_all

    src = sorted((tiny_demo / "imss" / "patrones").glob("*.tab"))[-1]
    lines = src.read_text(encoding="utf-8").splitlines(keepends=True)
    at = lines[0].rstrip("\r\n").split("\t").index("razon_social")
    razon = lines[4].split("\t")[at]
    lines[4] = lines[4].rstrip("\r\n") + "\tcampo de más\n"
    (tmp_path / "in" / "imss" / "patrones").mkdir(parents=True)
    (tmp_path / "in" / "imss" / "patrones" / src.name).write_text("".join(lines), encoding="utf-8")
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    out = load_all(con, tmp_path / "in", {"imss"})
    assert [e.estado for e in out.entries] == ["error"], out.lines
    text = "\n".join(str(v) for row in con.execute("select * from raw.load_rejects").fetchall() for v in row)
    assert "[dato personal omitido]" in text and razon not in text
    assert razon not in "\n".join(out.lines)
    con.close()
