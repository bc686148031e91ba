"""The remaining input formats (issue 20): riesgos cuts as delimited text (.csv, .tab) landing the same rows
as their .xlsx twin, through the same input boundary (catalog header, columns by position, NSS and CURP
hashed)."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import openpyxl
import pytest

from loaders.catalog import normal_name
from loaders.imss import _cell_text
from tests.conftest import load_all
from tests.loaders.conftest import copy_input
from tests.loaders.test_frontera import HOSTILE, _refused, _snapshot

RIESGOS = "imss/riesgos/STPS_20250931.xlsx"
RIESGOS_CSV = "imss/riesgos/STPS_20250931.csv"


def _sheet_rows(xlsx: Path) -> list[list[str]]:
    """The sheet as a delimited export writes it: one list of texts per row, header first."""
    wb = openpyxl.load_workbook(xlsx, read_only=True, data_only=True)
    rows = [
        ["" if (t := _cell_text(v)) is None else t for v in r]
        for r in wb.worksheets[0].iter_rows(values_only=True)
        if any(v is not None for v in r)
    ]
    wb.close()
    return rows


def write_text_twin(xlsx: Path, target: Path, delimiter: str = ",") -> list[list[str]]:
    rows = _sheet_rows(xlsx)
    with open(target, "w", encoding="utf-8", newline="") as f:
        csv.writer(f, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return rows


def _landed(con: duckdb.DuckDBPyConnection) -> tuple[list[str], list[tuple]]:
    cols = [r[0] for r in con.execute("describe raw.imss_riesgos").fetchall() if r[0] not in ("archivo", "cargado_en")]
    body = ", ".join(f'"{c}"' for c in cols)
    return cols, con.execute(f"select {body} from raw.imss_riesgos order by all").fetchall()


@pytest.mark.parametrize("name, delimiter", [("STPS_20250931.csv", ","), ("STPS_20250931.tab", "\t")])
def test_a_riesgos_text_cut_lands_the_same_rows_as_its_xlsx_twin(tiny_demo, tmp_path, name, delimiter):
    xlsx_root = copy_input(tiny_demo, tmp_path / "xlsx", RIESGOS)
    text_root = tmp_path / "texto"
    (text_root / "imss/riesgos").mkdir(parents=True)
    rows = write_text_twin(tiny_demo / RIESGOS, text_root / "imss/riesgos" / name, delimiter)
    results = []
    for root in (xlsx_root, text_root):
        con = duckdb.connect(str(root / "w.duckdb"))
        out = load_all(con, root, {"imss"})
        assert [e.estado for e in out.entries] == ["cargado"], out.lines
        results.append(_landed(con))
        assert con.execute("select filas_cargadas from raw.load_manifest").fetchall() == [(len(rows) - 1,)]
        con.close()
    assert results[0][0] == results[1][0]  # same columns, nss_hash and anio included
    assert "nss_hash" in results[0][0] and "nss" not in results[0][0]
    assert len(results[1][1]) == len(rows) - 1 > 0
    assert results[0][1] == results[1][1]


def test_a_riesgos_csv_holds_no_clear_nss_or_curp(tiny_demo, tmp_path):
    root = tmp_path / "in"
    (root / "imss/riesgos").mkdir(parents=True)
    rows = write_text_twin(tiny_demo / RIESGOS, root / RIESGOS_CSV)
    # A CURP column too (optional in riesgos, personal): it must land only as curp_hash.
    curps = [f"GAXM8{i:05d}HDFRRN0{i % 10}" for i in range(len(rows) - 1)]
    rows = [rows[0] + ["curp"]] + [r + [c] for r, c in zip(rows[1:], curps)]
    with open(root / RIESGOS_CSV, "w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
    nss_at = [normal_name(h) for h in rows[0]].index("nss")
    clear = {r[nss_at] for r in rows[1:]} | set(curps)
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    out = load_all(con, root, {"imss"})
    assert [e.estado for e in out.entries] == ["cargado"], out.lines
    cols = [r[0] for r in con.execute("describe raw.imss_riesgos").fetchall()]
    assert {"nss_hash", "curp_hash"} <= set(cols) and not {"nss", "curp"} & set(cols)
    assert con.execute("select count(distinct curp_hash) from raw.imss_riesgos").fetchone() == (len(curps),)
    text = " ".join(str(v) for row in con.execute("select * from raw.imss_riesgos").fetchall() for v in row)
    assert not [v for v in clear if v in text]
    con.close()


def test_a_csv_and_an_xlsx_of_the_same_cut_are_two_files_for_one_period(tiny_demo, tmp_path):
    root = copy_input(tiny_demo, tmp_path / "in", RIESGOS)
    write_text_twin(tiny_demo / RIESGOS, root / RIESGOS_CSV)
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    out = load_all(con, root, {"imss"})
    assert sorted(e.estado for e in out.entries) == ["error", "error"]
    assert all("2 archivos" in e.mensaje for e in out.entries)
    assert con.execute(
        "select count(*) from information_schema.tables where table_name = 'imss_riesgos'"
    ).fetchone() == (0,)
    con.close()


def test_a_later_csv_cut_replaces_an_earlier_xlsx_cut_of_the_year(tiny_demo, tmp_path):
    root = copy_input(tiny_demo, tmp_path / "in", "imss/riesgos/STPS_20250331.xlsx")
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    assert [e.estado for e in load_all(con, root, {"imss"}).entries] == ["cargado"]
    rows = write_text_twin(tiny_demo / RIESGOS, root / RIESGOS_CSV)
    out = load_all(con, root, {"imss"})
    states = {Path(e.archivo).name: e.estado for e in out.entries}
    assert states == {"STPS_20250931.csv": "reemplazado", "STPS_20250331.xlsx": "corte_anterior"}, out.lines
    assert con.execute(
        "select count(*), count(distinct periodo), min(archivo) from raw.imss_riesgos where anio = 2025"
    ).fetchone() == (len(rows) - 1, 1, str(root / RIESGOS_CSV))
    con.close()


@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_header_in_a_riesgos_csv_is_refused_and_runs_nothing(tiny_demo, tmp_path, name):
    root = copy_input(
        tiny_demo,
        tmp_path / "in",
        "imss/puestos/PAFINALMES_F_20260931.tab",
        "imss/patrones/PATRONES_STPS_20260931.tab",
        "imss/riesgos/STPS_20250331.xlsx",
    )
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    assert "error" not in {e.estado for e in load_all(con, root, {"imss"}).entries}
    rows = write_text_twin(tiny_demo / RIESGOS, root / RIESGOS_CSV)
    rows[0][rows[0].index("clase_riesgo")] = name
    with open(root / RIESGOS_CSV, "w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
    before = _snapshot(con)
    e = _refused(con, root, RIESGOS_CSV, {"imss"}, "campo desconocido")
    # The csv module doubles a quote inside a quoted header; the name is named either way, as data.
    assert normal_name(name).replace('"', "") in e.mensaje.replace('"', ""), e.mensaje
    assert _snapshot(con) == before
    con.close()


# ---- .rar, read through libarchive ---------------------------------------------------------------------


def rar4_stored(members: dict[str, bytes]) -> bytes:
    """A RAR 4 archive holding `members` stored (no compression): the fixture writer, since no RAR writer
    installs here. Block layout from the RAR 4 technical note: marker, main header, one file header per
    member (HEAD_CRC = low 16 bits of the CRC-32 of the header after it), end-of-archive block."""
    import struct
    import zlib

    def block(body: bytes) -> bytes:
        return struct.pack("<H", zlib.crc32(body) & 0xFFFF) + body

    out = b"Rar!\x1a\x07\x00" + block(struct.pack("<BHH", 0x73, 0, 13) + b"\0" * 6)
    for name, data in members.items():
        fname = name.encode()
        header = (
            struct.pack(
                "<BHHIIBIIBBHI",
                0x74,
                0x8000,
                32 + len(fname),
                len(data),
                len(data),
                0,
                zlib.crc32(data),
                0x5A210000,
                20,
                0x30,
                len(fname),
                0x20,
            )
            + fname
        )
        out += block(header) + data
    return out + block(struct.pack("<BHH", 0x7B, 0x4000, 7))


PUESTOS = "imss/puestos/PAFINALMES_F_20260931.tab"


def test_a_rar_month_lands_the_same_rows_as_its_tab_twin(tiny_demo, tmp_path):
    tab_root = copy_input(tiny_demo, tmp_path / "tab", PUESTOS)
    rar_root = tmp_path / "rar"
    (rar_root / "imss/puestos").mkdir(parents=True)
    (rar_root / "imss/puestos/PAFINALMES_F_20260931.rar").write_bytes(
        rar4_stored({"../PAFINALMES_F_20260931.tab": (tiny_demo / PUESTOS).read_bytes()})
    )
    landed = []
    for root in (tab_root, rar_root):
        con = duckdb.connect(str(root / "w.duckdb"))
        out = load_all(con, root, {"imss"})
        assert [e.estado for e in out.entries] == ["cargado"], out.lines
        landed.append(
            con.execute("select * exclude (archivo, cargado_en) from raw.imss_puestos order by all").fetchall()
        )
        con.close()
    assert landed[0] == landed[1] and len(landed[0]) > 1000
    assert not list(rar_root.rglob("*.tab"))  # extracted beside the warehouse, never among the inputs


@pytest.mark.parametrize(
    "content, words",
    [
        (None, "debe contener un solo archivo"),
        (b"Rar!\x1a\x07\x00" + b"\x00" * 40, "dañado"),
    ],
)
def test_a_rar_with_two_files_or_damaged_is_refused(tiny_demo, tmp_path, content, words):
    root = tmp_path / "in"
    (root / "imss/puestos").mkdir(parents=True)
    data = (tiny_demo / PUESTOS).read_bytes()
    path = root / "imss/puestos/PAFINALMES_F_20260931.rar"
    path.write_bytes(content if content is not None else rar4_stored({"a.tab": data, "b.tab": data}))
    con = duckdb.connect(str(root / "w.duckdb"))
    out = load_all(con, root, {"imss"})
    [e] = out.entries
    assert e.estado == "error" and words in e.mensaje and str(path) in e.mensaje, e.mensaje
    assert not con.execute(
        "select count(*) from information_schema.tables where table_name = 'imss_puestos'"
    ).fetchone()[0]
    con.close()
