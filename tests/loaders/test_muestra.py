"""`sidil load --muestra N` (the manual's `muestra`): N registros patronales chosen by a fixed hash land with
their puestos and riesgos; the manifest marks the periods as samples, and a later complete load replaces
them even when the files are unchanged. Expected counts are computed here from the files, in Python."""

from __future__ import annotations

import csv
import hashlib

import duckdb
import openpyxl
from typer.testing import CliRunner

from loaders.catalog import field_renames, normal_name
from loaders.imss import MUESTRA_SEMILLA
from sidil.cli import app
from tests.conftest import load_all
from tests.loaders.conftest import copy_input

PATRONES = [
    "imss/patrones/PATRONES_STPS_2025931.tab",
    "imss/patrones/PATRONES_STPS_2026831.tab",
    "imss/patrones/PATRONES_STPS_20260931.tab",
]
PUESTOS = [
    "imss/puestos/PAFINALMES_F_2025931.tab",
    "imss/puestos/PAFINALMES_F_2026831.tab",
    "imss/puestos/PAFINALMES_F_20260931.tab",
]
MESES = ["2025-09-01", "2026-08-01", "2026-09-01"]
RIESGOS = "imss/riesgos/STPS_20250931.xlsx"  # its cut month (2025-09) has patrones: it follows their sample


def _tab_cves(path) -> list[str]:
    with open(path, encoding="utf-8", newline="") as f:
        return [r["cve_registro"].strip() for r in csv.DictReader(f, delimiter="\t")]


def _riesgos_cves(path) -> list[str]:
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    rows = [r for r in wb.worksheets[0].iter_rows(values_only=True) if any(v is not None for v in r)]
    wb.close()
    renames = field_renames("imss", "riesgos")
    header = [renames.get(normal_name(h), normal_name(h)) for h in rows[0]]
    at = header.index("cve_registro")
    return [str(r[at]).strip() for r in rows[1:]]


def expected_sample(cves: list[str], n: int) -> set[str]:
    """The N registros with the smallest md5(seed || cve_registro): the rule, computed independently."""
    distinct = sorted({c for c in cves if c})
    return set(sorted(distinct, key=lambda c: (hashlib.md5((MUESTRA_SEMILLA + c).encode()).hexdigest(), c))[:n])


def _root(tiny_demo, tmp_path):
    return copy_input(tiny_demo, tmp_path / "in", *PATRONES, *PUESTOS, RIESGOS)


def test_a_sample_lands_n_registros_with_their_puestos_and_riesgos(tiny_demo, tmp_path):
    n = 20  # the tiny demo's 2025 cut has riesgos for 5 of these registros
    root = _root(tiny_demo, tmp_path)
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    out = load_all(con, root, {"imss"}, muestra=n)
    assert {e.estado for e in out.entries} == {"cargado"}, out.lines
    for pat, pue, mes in zip(PATRONES, PUESTOS, MESES):
        sample = expected_sample(_tab_cves(tiny_demo / pat), n)
        landed = {
            r[0].strip()
            for r in con.execute("select cve_registro from raw.imss_patrones where periodo = ?", [mes]).fetchall()
        }
        assert landed == sample and len(sample) == n
        n_pat = sum(1 for c in _tab_cves(tiny_demo / pat) if c in sample)
        n_pue = sum(1 for c in _tab_cves(tiny_demo / pue) if c in sample)
        assert 0 < n_pue < len(_tab_cves(tiny_demo / pue))
        assert con.execute("select count(*) from raw.imss_patrones where periodo = ?", [mes]).fetchone() == (n_pat,)
        assert con.execute("select count(*) from raw.imss_puestos where periodo = ?", [mes]).fetchone() == (n_pue,)
    sample_sep25 = expected_sample(_tab_cves(tiny_demo / PATRONES[0]), n)
    n_rie = sum(1 for c in _riesgos_cves(tiny_demo / RIESGOS) if c in sample_sep25)
    assert con.execute("select count(*) from raw.imss_riesgos").fetchone() == (n_rie,) and n_rie > 0
    assert con.execute(
        "select count(*) from raw.imss_riesgos where trim(cve_registro) not in "
        "(select trim(cve_registro) from raw.imss_patrones where periodo = '2025-09-01')"
    ).fetchone() == (0,)
    # The manifest says these are samples of N: never taken for the complete months.
    rows = con.execute(
        "select entidad, muestra, filas_leidas, filas_cargadas, mensaje from raw.load_manifest order by archivo"
    ).fetchall()
    assert len(rows) == 7 and {r[1] for r in rows} == {n}
    assert all(r[2] > r[3] for r in rows) and all("muestra de 20 registros patronales" in r[4] for r in rows)
    from loaders.report import consistency

    lines = consistency(con)
    assert any("***ADVERTENCIA***: imss puestos: 3 periodo(s)" in ln and "MUESTRA de 20" in ln for ln in lines), lines
    con.close()


def test_the_same_n_gives_the_same_sample(tiny_demo, tmp_path):
    root = _root(tiny_demo, tmp_path)
    state = []
    for i in range(2):
        con = duckdb.connect(str(tmp_path / f"w{i}.duckdb"))
        load_all(con, root, {"imss"}, muestra=4)
        state.append(
            [
                con.execute(f"select count(*), sum(hash(cve_registro, periodo)) from raw.imss_{t}").fetchone()
                for t in ("patrones", "puestos", "riesgos")
            ]
        )
        con.close()
    assert state[0] == state[1]


def test_a_complete_load_replaces_a_sample_of_unchanged_files(tiny_demo, tmp_path):
    root = _root(tiny_demo, tmp_path)
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    load_all(con, root, {"imss"}, muestra=3)
    again = load_all(con, root, {"imss"}, muestra=3)
    assert {e.estado for e in again.entries} == {"omitido"}  # the same sample: nothing to do
    other = load_all(con, root, {"imss"}, muestra=6)
    assert {e.estado for e in other.entries} == {"reemplazado"}  # another N is another sample
    assert con.execute(
        "select count(distinct cve_registro) from raw.imss_patrones where periodo = '2026-09-01'"
    ).fetchone() == (6,)
    full = load_all(con, root, {"imss"})  # solo_adicionales: the checksums are the same, yet it reloads
    assert {e.estado for e in full.entries} == {"reemplazado"}, full.lines
    assert all("reemplaza la muestra cargada antes" in e.mensaje for e in full.entries)
    for pat, pue, mes in zip(PATRONES, PUESTOS, MESES):
        assert con.execute("select count(*) from raw.imss_patrones where periodo = ?", [mes]).fetchone() == (
            len(_tab_cves(tiny_demo / pat)),
        )
        assert con.execute("select count(*) from raw.imss_puestos where periodo = ?", [mes]).fetchone() == (
            len(_tab_cves(tiny_demo / pue)),
        )
    assert con.execute("select count(*) from raw.imss_riesgos").fetchone() == (len(_riesgos_cves(tiny_demo / RIESGOS)),)
    assert con.execute("select count(*) from raw.load_manifest where muestra is not null").fetchone() == (0,)
    assert {e.estado for e in load_all(con, root, {"imss"}).entries} == {"omitido"}
    con.close()


def test_sidil_load_muestra_on_the_command_line(tiny_demo, tmp_path, monkeypatch):
    monkeypatch.setenv("SIDIL_DB", str(tmp_path / "w.duckdb"))
    root = copy_input(tiny_demo, tmp_path / "in", PATRONES[2], PUESTOS[2], "censo/TABLA_C3_CENSO2019.csv")
    result = CliRunner().invoke(app, ["load", "--input", str(root), "--muestra", "2"])
    assert result.exit_code == 0, result.output
    assert "solo una muestra de 2 registros patronales" in result.output
    assert "MUESTRA de 2 registros patronales" in result.output
    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    assert con.execute("select count(distinct cve_registro) from raw.imss_patrones").fetchone() == (2,)
    # Only IMSS is sampled: the Censo lands whole.
    assert con.execute("select muestra from raw.load_manifest where fuente = 'censo'").fetchone() == (None,)
    assert "muestra=2" in con.execute("select parametros from raw.bitacora").fetchone()[0]
    con.close()
    status = CliRunner().invoke(app, ["status"])
    assert "imss puestos: 1 periodo(s) (2026-09 a 2026-09) cargado(s) como MUESTRA de 2" in status.output, status.output
    assert CliRunner().invoke(app, ["load", "--input", str(root), "--muestra", "0"]).exit_code == 2
