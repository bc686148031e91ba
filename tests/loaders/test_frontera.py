"""The input boundary (issue 14): hostile headers and file names never run as SQL, rejects and messages
hold no clear NSS or CURP, empty, collapsing and wrong-kind deliveries are refused, the key is checked,
and damaged deliveries (NUL bytes, late encoding errors, huge lines, leftovers of a killed run) are named.

After every refused file the raw schema and every landed table are unchanged (`_snapshot`)."""

from __future__ import annotations

import gzip
import sqlite3
import struct

import duckdb
import openpyxl
import pytest
from typer.testing import CliRunner

from loaders import pseudonym
from loaders.catalog import normal_name
from sidil.cli import app
from tests.conftest import KEY, load_all
from tests.loaders.conftest import copy_input

PUESTOS = "imss/puestos/PAFINALMES_F_20260931.tab"
PATRONES = "imss/patrones/PATRONES_STPS_20260931.tab"
PATRONES_AGO = "imss/patrones/PATRONES_STPS_2026831.tab"
RIESGOS = "imss/riesgos/STPS_20250931.xlsx"
SDEM_DBF = "enoe/ENOEN_SDEMT326.dbf"
SDEM_CSV = "enoe/conjunto_de_datos_sdem_enoe_2024_1t.csv"
CENSO = "censo/TABLA_C3_CENSO2019.csv"
ITAEE = "externos/itaee.csv"

# Names a careless or hostile delivery could carry in a header: quotes, statement ends, keywords, unicode.
HOSTILE = [
    'x"; drop table raw.imss_puestos; --',
    "x'); commit; delete from raw.imss_patrones; --",
    "commit",
    "drop",
    "ñandú; select 1",
]


def _snapshot(con: duckdb.DuckDBPyConnection) -> dict:
    """Every raw table (bookkeeping aside): its columns, row count and a hash of its content."""
    tables = [
        r[0]
        for r in con.execute(
            "select table_name from information_schema.tables where table_schema = 'raw' order by 1"
        ).fetchall()
    ]
    snap = {}
    for t in tables:
        if t in ("load_manifest", "load_rejects", "bitacora"):
            continue
        cols = [r[0] for r in con.execute(f'describe raw."{t}"').fetchall()]
        body = ", ".join(f'"{c}"' for c in cols if c != "cargado_en")
        snap[t] = (tuple(cols), con.execute(f'select count(*), sum(hash({body})) from raw."{t}"').fetchone())
    return snap


@pytest.fixture
def landed(tiny_demo, tmp_path):
    """A warehouse with one good file of every file source landed; the input folder to break things in."""
    root = copy_input(
        tiny_demo, tmp_path / "in", PUESTOS, PATRONES, PATRONES_AGO, RIESGOS, SDEM_DBF, SDEM_CSV, CENSO, ITAEE
    )
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    out = load_all(con, root, {"imss", "enoe", "censo", "externos"})
    assert "error" not in {e.estado for e in out.entries}, out.lines
    yield con, root
    con.close()


def _refused(con, root, rel: str, sources: set[str], words: str, **kw):
    """Load again; the file at `rel` must be the only error, with `words` in its message, and nothing landed
    before may change. Returns the entry."""
    before = _snapshot(con)
    out = load_all(con, root, sources, **kw)
    bad = [e for e in out.entries if e.estado == "error"]
    assert [e.archivo for e in bad] == [str(root / rel)], out.lines
    assert words in bad[0].mensaje, bad[0].mensaje
    assert _snapshot(con) == before
    return bad[0]


def _rewrite_header(path, old: str, new: str, encoding: str = "utf-8") -> None:
    text = path.read_text(encoding=encoding)
    head, rest = text.split("\n", 1)
    path.write_text(head.replace(old, new, 1) + "\n" + rest, encoding=encoding)


# ---- 1. names from headers are data ---------------------------------------------------------------


@pytest.mark.parametrize("name", HOSTILE)
@pytest.mark.parametrize(
    "rel, sources, replaced",
    [
        (PATRONES, {"imss"}, "razon_social"),
        (PUESTOS, {"imss"}, "tipo_trabajador"),
        (CENSO, {"censo"}, "etiq_entidad"),
        (ITAEE, {"externos"}, "valor"),
    ],
)
def test_a_hostile_header_in_a_text_file_is_refused_and_runs_nothing(landed, rel, sources, replaced, name):
    con, root = landed
    enc = "latin-1" if rel == CENSO else "utf-8"
    _rewrite_header(root / rel, replaced, name, enc)
    e = _refused(con, root, rel, sources, "campo")
    assert (
        "campo desconocido" in e.mensaje and repr(normal_name(name)) in e.mensaje
    ) or f"falta el campo obligatorio '{replaced}'" in e.mensaje, e.mensaje


@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_header_in_an_excel_file_is_refused(landed, name):
    con, root = landed
    path = root / RIESGOS
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    ws.cell(row=1, column=ws.max_column + 1, value=name)
    ws.cell(row=2, column=ws.max_column, value="x")
    wb.save(path)
    e = _refused(con, root, RIESGOS, {"imss"}, "campo desconocido")
    assert repr(normal_name(name)) in e.mensaje


def _dbf_with_field_name(src: bytes, index: int, name: bytes) -> bytes:
    """A DBF whose field `index` is renamed (11 bytes, NUL padded, as dBase stores names)."""
    pos = 32 + 32 * index
    return src[:pos] + name[:11].ljust(11, b"\0") + src[pos + 11 :]


@pytest.mark.parametrize("name", [b'x";drop --', b"x');commit", b"commit", b"drop"])
def test_an_unknown_enoe_field_is_kept_as_data_in_one_map_column(landed, name):
    con, root = landed
    path = root / SDEM_DBF
    fields = [f.lower() for f in __import__("dbfread").DBF(str(path)).field_names]
    at = fields.index("tcco")  # a questionnaire field the catalog knows
    path.write_bytes(_dbf_with_field_name(path.read_bytes(), at, name))
    columns_before = [r[0] for r in con.execute("describe raw.enoe_sdem").fetchall()]
    out = load_all(con, root, {"enoe"})
    assert "error" not in {e.estado for e in out.entries}, out.lines
    assert [r[0] for r in con.execute("describe raw.enoe_sdem").fetchall()] == columns_before
    keys = con.execute(
        "select distinct unnest(map_keys(campos_adicionales)) from raw.enoe_sdem where periodo = '2026T3'"
    ).fetchall()
    assert keys == [(normal_name(name.decode()),)]
    # tcco is now absent from that quarter (NULL), and every other table is intact.
    assert con.execute("select count(tcco) from raw.enoe_sdem where periodo = '2026T3'").fetchone() == (0,)
    assert con.execute("select count(*) from raw.imss_puestos").fetchone()[0] > 0


def test_a_hostile_file_name_is_a_value_not_code(landed, tiny_demo):
    con, root = landed
    (root / PATRONES).unlink()
    hostile = root / "imss/patrones/PATRONES_';drop table raw.imss_puestos;--_20260931.tab"
    hostile.write_bytes((tiny_demo / PATRONES).read_bytes().replace(b"\n", b"\r\n"))  # a new version
    puestos = con.execute("select count(*) from raw.imss_puestos").fetchone()
    out = load_all(con, root, {"imss"})
    assert "error" not in {e.estado for e in out.entries}, out.lines
    assert con.execute("select count(*) from raw.imss_puestos").fetchone() == puestos
    assert con.execute(
        "select distinct archivo from raw.imss_patrones where periodo = date '2026-09-01'"
    ).fetchall() == [(str(hostile),)]


def test_a_hostile_column_in_a_database_is_never_read(tiny_demo, tmp_path):
    root = tmp_path / "in"
    (root / "dne").mkdir(parents=True)
    db = root / "dne" / "dne.sqlite"
    db.write_bytes((tiny_demo / "dne" / "dne.sqlite").read_bytes())
    lite = sqlite3.connect(db)
    lite.execute('alter table centro_trabajo add column "x"""";drop table raw.dne_empresa;--" text')
    lite.commit()
    lite.close()
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    out = load_all(con, root, {"dne"})
    assert "error" not in {e.estado for e in out.entries}, out.lines
    assert con.execute("select count(*) from raw.dne_empresa").fetchone()[0] > 0
    assert not [
        c
        for (c,) in con.execute(
            "select column_name from information_schema.columns where table_name = 'dne_centro_trabajo'"
        ).fetchall()
        if "drop" in c
    ]
    con.close()


# ---- 2. rejects and messages hold pseudonyms, never clear identifiers -----------------------------


def test_rejected_lines_hold_pseudonyms_not_clear_nss_or_curp(landed, tiny_demo):
    con, root = landed
    path = root / PUESTOS
    lines = (tiny_demo / PUESTOS).read_text(encoding="utf-8").splitlines(keepends=True)
    bad = [ln.replace("\t", ";", 2) for ln in lines[1:40]]  # badly delimited rows: too few fields
    path.write_text(lines[0] + "".join(bad) + "".join(lines[40:]), encoding="utf-8")
    clear = {f for ln in lines[1:40] for f in ln.rstrip("\n").split("\t")[1:3] if f}
    messages: list[str] = []
    out = load_all(con, root, {"imss"}, log=messages.append)
    [e] = [e for e in out.entries if e.estado == "error"]
    assert "fila 2" in e.mensaje and "menos campos" in e.mensaje, e.mensaje
    rejects = con.execute(
        "select fila, campo, valor, error from raw.load_rejects where archivo = ?", [str(path)]
    ).fetchall()
    assert {r[0] for r in rejects} == set(range(2, 41))
    stored = " ".join(str(v) for r in rejects for v in r) + " ".join(messages) + e.mensaje
    stored += " ".join(str(v) for r in con.execute("select * from raw.load_manifest").fetchall() for v in r)
    assert not [v for v in clear if v in stored]
    # The pseudonym in a rejected line is the HMAC the landed column uses, so it links to landed rows.
    nss = lines[1].split("\t")[1]
    assert f"nss_hash:{pseudonym.pseudonym_hex(KEY, nss)}" in rejects[0][2]
    ipad, opad = pseudonym.hmac_pads(KEY)
    landed_hash = con.execute(
        f"select {pseudonym.hmac_sql('$v::varchar', '$ipad', '$opad')}", {"v": nss, "ipad": ipad, "opad": opad}
    ).fetchone()[0]
    assert landed_hash == pseudonym.pseudonym_hex(KEY, nss)


def test_the_redactor_replaces_identifier_shaped_tokens_only():
    r = pseudonym.Redactor(KEY)
    text = r("fila 5: A1234567890\t38138836630\tCICF880201HJCJKZ84\t491.60")
    assert "38138836630" not in text and "CICF880201HJCJKZ84" not in text
    assert "A1234567890" in text and "491.60" in text
    assert f"curp_hash:{pseudonym.pseudonym_hex(KEY, 'CICF880201HJCJKZ84')}" in text


# ---- 4. empty and collapsing deliveries ---------------------------------------------------------


def test_a_header_only_file_is_refused_and_the_landed_month_stays(landed):
    con, root = landed
    path = root / PUESTOS
    path.write_text(path.read_text(encoding="utf-8").split("\n", 1)[0] + "\n", encoding="utf-8")
    _refused(con, root, PUESTOS, {"imss"}, "no tiene filas de datos")


def test_a_collapsing_delivery_is_refused_with_both_counts_unless_forced(landed):
    con, root = landed
    path = root / PUESTOS
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    n = len(lines) - 1
    path.write_text("".join(lines[: 1 + n // 10]), encoding="utf-8")
    e = _refused(con, root, PUESTOS, {"imss"}, "--forzar")
    assert f"{n // 10:,} filas" in e.mensaje and f"tiene {n:,}" in e.mensaje, e.mensaje
    out = load_all(con, root, {"imss"}, forzar=True)
    [ok] = [x for x in out.entries if x.archivo == str(path)]
    assert ok.estado == "reemplazado" and "--forzar" in ok.mensaje
    assert con.execute("select count(*) from raw.imss_puestos where periodo = date '2026-09-01'").fetchone() == (
        n // 10,
    )


def test_a_new_month_far_below_its_neighbours_is_refused(landed, tiny_demo):
    con, root = landed
    src = (tiny_demo / PATRONES).read_text(encoding="utf-8").splitlines(keepends=True)
    rel = "imss/patrones/PATRONES_STPS_20261031.tab"
    (root / rel).write_text("".join(src[:20]), encoding="utf-8")
    e = _refused(con, root, rel, {"imss"}, "mediana de los periodos vecinos")
    assert "2026-08" in e.mensaje and "2026-09" in e.mensaje


def test_the_cli_refuses_a_collapse_and_accepts_it_with_forzar(landed, monkeypatch, tmp_path):
    con, root = landed
    con.close()
    monkeypatch.setenv("SIDIL_DB", str(tmp_path / "w.duckdb"))
    path = root / PATRONES
    path.write_text("".join(path.read_text(encoding="utf-8").splitlines(keepends=True)[:5]), encoding="utf-8")
    runner = CliRunner()
    refused = runner.invoke(app, ["load", "--input", str(root), "--source", "imss"])
    assert refused.exit_code == 1 and "sidil load --forzar" in refused.output
    forced = runner.invoke(app, ["load", "--input", str(root), "--source", "imss", "--forzar"])
    assert forced.exit_code == 0, forced.output
    assert "reducción aceptada con --forzar" in forced.output


# ---- 5. a file of the wrong kind, a missing needed field -----------------------------------------


def test_a_puestos_file_in_the_patrones_folder_is_refused_and_changes_no_columns(landed, tiny_demo):
    con, root = landed
    (root / PATRONES).write_bytes((tiny_demo / PUESTOS).read_bytes())
    e = _refused(con, root, PATRONES, {"imss"}, "falta el campo obligatorio")
    assert "nss" not in [r[0] for r in con.execute("describe raw.imss_patrones").fetchall()]
    assert "38138836630" not in e.mensaje


def test_a_patrones_file_with_an_unknown_extra_column_is_refused(landed):
    con, root = landed
    path = root / PATRONES
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text(
        "".join(ln.rstrip("\n") + ("\tnss\n" if i == 0 else "\t12345678901\n") for i, ln in enumerate(lines)),
        encoding="utf-8",
    )
    e = _refused(con, root, PATRONES, {"imss"}, "campo desconocido 'nss'")
    assert "campo nss" in e.mensaje


def test_a_puestos_month_without_the_wage_is_refused(landed):
    con, root = landed
    path = root / PUESTOS
    rows = [ln.split("\t") for ln in path.read_text(encoding="utf-8").splitlines(keepends=True)]
    path.write_text("".join("\t".join(r[:3] + r[4:]) for r in rows), encoding="utf-8")
    _refused(con, root, PUESTOS, {"imss"}, "falta el campo obligatorio 'sbc'")


def test_every_text_raw_table_has_exactly_the_catalog_columns(landed):
    from loaders.catalog import known_fields

    con, _root = landed
    for entidad in ("patrones", "puestos"):
        cols = [r[0] for r in con.execute(f"describe raw.imss_{entidad}").fetchall()]
        expected = [c.nombre for c in known_fields("imss", entidad).values() if not c.personal]
        assert cols[: len(expected)] == expected


# ---- 7. the pseudonymisation key --------------------------------------------------------------------


def test_another_key_is_refused_before_anything_is_written(landed):
    con, root = landed
    before = _snapshot(con)
    path = root / PUESTOS
    path.write_text(path.read_text(encoding="utf-8").replace("\n", "\r\n"), encoding="utf-8")  # a new version
    with pytest.raises(pseudonym.KeyMismatch, match="no es la misma"):
        load_all(con, root, {"imss"}, key=b"otra-llave")
    assert _snapshot(con) == before
    out = load_all(con, root, {"imss"})  # the right key still works
    assert "error" not in {e.estado for e in out.entries}, out.lines


def test_the_cli_says_the_key_is_wrong_and_logs_it(landed, monkeypatch, tmp_path):
    con, root = landed
    con.close()
    monkeypatch.setenv("SIDIL_DB", str(tmp_path / "w.duckdb"))
    monkeypatch.setenv("SIDIL_PSEUDO_KEY", "otra-llave")
    result = CliRunner().invoke(app, ["load", "--input", str(root), "--source", "imss"])
    assert result.exit_code == 2
    assert "***ERROR***: la llave de seudonimización" in result.output and "Traceback" not in result.output
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    assert con.execute("select proceso, resultado from raw.bitacora").fetchall() == [("load", "error")]
    assert "otra-llave" not in str(con.execute("select * from raw.llave_seudonimizacion").fetchall())


# ---- damaged deliveries -----------------------------------------------------------------------------


def test_nul_bytes_are_refused_naming_row_and_field(landed):
    con, root = landed
    path = root / PATRONES
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    fields = lines[6].split("\t")
    fields[1] = fields[1][:3] + "\0" + fields[1][3:]
    lines[6] = "\t".join(fields)
    path.write_text("".join(lines), encoding="utf-8")
    e = _refused(con, root, PATRONES, {"imss"}, "bytes nulos")
    assert "fila 7" in e.mensaje and "campo razon_social" in e.mensaje, e.mensaje


def test_nul_bytes_in_a_gzip_file_are_refused(landed):
    con, root = landed
    path = root / PATRONES
    data = path.read_bytes()
    at = data.index(b"\n", 200) + 3
    (root / (PATRONES + ".gz")).write_bytes(gzip.compress(data[:at] + b"\0" + data[at:], mtime=0))
    path.unlink()
    e = _refused(con, root, PATRONES + ".gz", {"imss"}, "bytes nulos")
    assert "fila" in e.mensaje and "campo" in e.mensaje


def test_an_encoding_error_late_in_a_big_file_names_row_and_field(landed):
    con, root = landed
    path = root / PATRONES
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    body = "".join(lines[1:])
    copies = (5 << 20) // len(body.encode()) + 1  # past the 4 MB sample that decides the encoding
    data = (lines[0] + body * copies).encode("utf-8")
    bad = "\t".join(["Z9999999999", "PE\xd1A SA"] + lines[1].split("\t")[2:]).encode("latin-1")
    path.write_bytes(data + bad)
    e = _refused(con, root, PATRONES, {"imss"}, "codificación")
    fila = data.count(b"\n") + 1
    assert f"fila {fila}" in e.mensaje and "campo razon_social" in e.mensaje, e.mensaje


def test_an_oversized_line_is_named_by_row_without_a_none_field(landed):
    con, root = landed
    path = root / PATRONES
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    fields = lines[3].split("\t")
    fields[1] = "X" * (3 << 20)
    lines[3] = "\t".join(fields)
    path.write_text("".join(lines), encoding="utf-8")
    e = _refused(con, root, PATRONES, {"imss"}, "demasiado larga")
    assert "fila 4" in e.mensaje and "None" not in e.mensaje, e.mensaje


def test_a_dbf_declaring_fewer_records_than_it_holds_is_refused(landed):
    con, root = landed
    path = root / SDEM_DBF
    raw = bytearray(path.read_bytes())
    n = struct.unpack("<I", raw[4:8])[0]
    raw[4:8] = struct.pack("<I", n - 3)
    path.write_bytes(bytes(raw))
    _refused(con, root, SDEM_DBF, {"enoe"}, "declara")


def test_leftovers_of_a_killed_extraction_are_cleaned_and_never_loaded(landed, tiny_demo, monkeypatch, tmp_path):
    con, root = landed
    monkeypatch.setenv("SIDIL_DB", str(tmp_path / "w.duckdb"))
    leftover = root / "imss/puestos/sidil_7z_abc123"
    leftover.mkdir()
    (leftover / "PAFINALMES_F_20260931.tab").write_bytes((tiny_demo / PUESTOS).read_bytes())
    archive = next((tiny_demo / "imss/puestos").glob("*.7z"))
    copy_input(tiny_demo, root, str(archive.relative_to(tiny_demo)))
    messages: list[str] = []
    out = load_all(con, root, {"imss"}, log=messages.append)
    assert "error" not in {e.estado for e in out.entries}, messages
    assert not leftover.exists()
    assert any("carga interrumpida" in m for m in messages)
    from loaders.textfile import extraction_root

    assert extraction_root().parent == (tmp_path).resolve()
    assert not list(extraction_root().iterdir())  # the archive was extracted there, then removed


# ---- 6. whatever fails, one Spanish message and a bitacora row -------------------------------------


def test_a_reader_error_refuses_only_its_file(landed, monkeypatch):
    import pyarrow as pa

    from loaders import run

    con, root = landed
    path = root / CENSO
    path.write_bytes(path.read_bytes().replace(b"entidad,", b"ENTIDAD,", 1))  # a new version

    def broken(*_a):
        raise pa.ArrowInvalid("lector roto")

    monkeypatch.setitem(run.LANDERS, "censo", broken)
    e = _refused(con, root, CENSO, {"censo", "imss"}, "no se pudo leer (ArrowInvalid: lector roto)")
    assert e.estado == "error"


def test_an_unexpected_failure_in_sidil_load_is_one_line_and_a_bitacora_row(landed, monkeypatch, tmp_path):
    from loaders import run

    con, root = landed
    before = _snapshot(con)
    con.close()
    monkeypatch.setenv("SIDIL_DB", str(tmp_path / "w.duckdb"))
    path = root / CENSO
    path.write_bytes(path.read_bytes().replace(b"entidad,", b"ENTIDAD,", 1))  # a new version

    def broken(*_a):
        raise RuntimeError("algo que nadie esperaba")

    monkeypatch.setitem(run.LANDERS, "censo", broken)
    result = CliRunner().invoke(app, ["load", "--input", str(root), "--source", "censo"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    errors = [ln for ln in result.output.splitlines() if ln.startswith("***ERROR***")]
    assert len(errors) == 1 and "falló la carga por un error inesperado (RuntimeError" in errors[0], result.output
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    assert con.execute("select proceso, resultado, mensaje from raw.bitacora").fetchall() == [
        ("load", "error", errors[0])
    ]
    assert _snapshot(con) == before
    con.close()


def test_a_hostile_header_in_an_enoe_csv_is_a_map_key(landed):
    con, root = landed
    path = root / SDEM_CSV
    _rewrite_header(path, "tcco", 'x"); drop table raw.enoe_sdem; --', "latin-1")
    columns_before = [r[0] for r in con.execute("describe raw.enoe_sdem").fetchall()]
    out = load_all(con, root, {"enoe"})
    assert "error" not in {e.estado for e in out.entries}, out.lines
    assert [r[0] for r in con.execute("describe raw.enoe_sdem").fetchall()] == columns_before
    assert con.execute(
        "select distinct unnest(map_keys(campos_adicionales)) from raw.enoe_sdem where periodo = '2024T1'"
    ).fetchall() == [('x");droptableraw.enoe_sdem;--',)]


@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_header_in_a_censo_workbook_is_refused(landed, name):
    import csv

    con, root = landed
    with open(root / CENSO, encoding="latin-1", newline="") as f:
        rows = list(csv.reader(f))
    rows[0][1] = name
    (root / CENSO).unlink()
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "C3"
    for row in rows:
        ws.append(row)
    rel = "censo/TABLA_C3_CENSO2019.xlsx"
    wb.save(root / rel)
    e = _refused(con, root, rel, {"censo"}, "campo desconocido")
    assert repr(normal_name(name)) in e.mensaje


def test_dbase_overflow_values_are_counted_in_the_manifest(landed):
    import dbfread

    con, root = landed
    path = root / SDEM_DBF
    table = dbfread.DBF(str(path))
    field = next(f for f in table.fields if f.name.lower() == "ingocup")
    offset = 1 + sum(f.length for f in table.fields[: table.fields.index(field)])
    raw = bytearray(path.read_bytes())
    header_len, record_len = struct.unpack("<HH", raw[8:12])
    for record in (0, 5):
        start = header_len + record * record_len + offset
        raw[start : start + field.length] = b"*" * field.length
    path.write_bytes(bytes(raw))
    out = load_all(con, root, {"enoe"})
    [e] = [x for x in out.entries if x.archivo == str(path)]
    assert e.estado == "reemplazado" and "2 números desbordados (*****) leídos como vacíos" in e.mensaje, e.mensaje
    assert (
        con.execute("select count(*) from raw.enoe_sdem where periodo = '2026T3' and ingocup is null").fetchone()[0]
        >= 2
    )


def test_a_collapsing_database_snapshot_is_refused_even_on_a_retry(tiny_demo, tmp_path):
    root = tmp_path / "in"
    (root / "dne").mkdir(parents=True)
    db = root / "dne" / "dne.sqlite"
    db.write_bytes((tiny_demo / "dne" / "dne.sqlite").read_bytes())
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    assert "error" not in {e.estado for e in load_all(con, root, {"dne"}).entries}
    n = con.execute("select count(*) from raw.dne_centro_trabajo").fetchone()[0]
    lite = sqlite3.connect(db)
    lite.execute("delete from centro_trabajo where rowid % 10 <> 0")  # a read cut short: a tenth is left
    lite.commit()
    lite.close()
    for _ in range(2):  # the second try meets a manifest row in error, and is still compared with raw
        out = load_all(con, root, {"dne"})
        [e] = [x for x in out.entries if x.entidad == "centro_trabajo"]
        assert e.estado == "error" and f"tiene {n:,}" in e.mensaje and "--forzar" in e.mensaje, e.mensaje
        assert con.execute("select count(*) from raw.dne_centro_trabajo").fetchone()[0] == n
    forced = load_all(con, root, {"dne"}, forzar=True)
    assert [x.estado for x in forced.entries if x.entidad == "centro_trabajo"] == ["reemplazado"]
    assert con.execute("select count(*) from raw.dne_centro_trabajo").fetchone()[0] < n / 2
    con.close()
