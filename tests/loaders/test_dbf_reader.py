"""The fast DBF reader returns exactly what dbfread returns, and names the file, row and field on errors."""

from __future__ import annotations

import datetime as dt
import struct

import dbfread
import numpy as np
import pytest

from loaders.dbf import read_dbf
from loaders.errors import LoadError
from sidil.demo.formats.dbf import Field, write_dbf


@pytest.fixture()
def sample_dbf(tmp_path):
    rng = np.random.default_rng(5)
    n = 3_000
    fields = [
        Field("CD_A", "C", 2),
        Field("NOM_LOC", "C", 14),
        Field("FAC", "N", 6),
        Field("ING", "N", 10, 2),
        Field("EDA", "N", 3),
    ]
    names = np.array(["Muñoz", "Peña Colorada", "ÁLVARO OBREGÓN", "x", " lead"], dtype=object)
    cols = [
        np.array([f"{i:02d}" for i in rng.integers(1, 40, n)], dtype=object),
        names[rng.integers(0, len(names), n)],
        rng.integers(1, 999_999, n).astype(float),
        np.round(rng.random(n) * 10_000 - 50, 2),
        np.where(rng.random(n) < 0.1, np.nan, rng.integers(0, 99, n)),
    ]
    path = tmp_path / "SDEMT124.dbf"
    write_dbf(path, fields, cols, dt.date(2024, 12, 31))
    return path


def test_values_equal_dbfread(sample_dbf):
    ours = read_dbf(sample_dbf).to_pylist()
    theirs = [{k.lower(): v for k, v in rec.items()} for rec in dbfread.DBF(str(sample_dbf))]
    assert ours == theirs
    assert any(r["nom_loc"] == "ÁLVARO OBREGÓN" for r in ours)  # latin-1 text decoded
    assert any(r["eda"] is None for r in ours)  # blank numbers are NULL
    assert isinstance(ours[0]["fac"], int) and isinstance(ours[0]["ing"], float)


def test_deleted_records_are_skipped_like_dbfread(sample_dbf):
    raw = bytearray(sample_dbf.read_bytes())
    header_len = int.from_bytes(raw[8:10], "little")
    raw[header_len] = ord("*")  # delete the first record
    sample_dbf.write_bytes(bytes(raw))
    ours = read_dbf(sample_dbf).to_pylist()
    theirs = [{k.lower(): v for k, v in rec.items()} for rec in dbfread.DBF(str(sample_dbf))]
    assert len(ours) == 2_999 and ours == theirs


def test_truncated_file_names_the_first_missing_row(sample_dbf):
    raw = sample_dbf.read_bytes()
    sample_dbf.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(LoadError) as err:
        read_dbf(sample_dbf)
    assert "truncado" in str(err.value) and str(sample_dbf) in str(err.value)
    assert err.value.fila is not None and err.value.fila > 1


def test_non_numeric_value_names_row_and_field(sample_dbf):
    raw = bytearray(sample_dbf.read_bytes())
    header_len = int.from_bytes(raw[8:10], "little")
    record_len = int.from_bytes(raw[10:12], "little")
    # Record 11 (1-based), field FAC starts after the flag (1) + CD_A (2) + NOM_LOC (14).
    start = header_len + 10 * record_len + 1 + 2 + 14
    raw[start : start + 6] = b"  12X4"
    sample_dbf.write_bytes(bytes(raw))
    with pytest.raises(LoadError) as err:
        read_dbf(sample_dbf)
    assert err.value.fila == 11 and err.value.campo == "fac"


def test_not_a_dbf_is_a_clear_error(tmp_path):
    bad = tmp_path / "COE1T124.dbf"
    bad.write_bytes(b"esto no es un dbf")
    with pytest.raises(LoadError) as err:
        read_dbf(bad)
    assert str(bad) in str(err.value)


# --- Issue 14: dBase edge cases, decided as dbfread reads them and counted; extra records refused. ---


def _crafted(path, fields, records, declared=None, eof=b"\x1a"):
    """A dBase III file from raw record bytes: fields as (name, type, length, decimals), each record
    the field values already padded; `declared` overrides the header's record count."""
    record_len = 1 + sum(f[2] for f in fields)
    header_len = 32 + 32 * len(fields) + 1
    n = len(records) if declared is None else declared
    head = bytearray(struct.pack("<BBBBIHH", 0x03, 124, 12, 31, n, header_len, record_len))
    head += bytes(17) + b"\x03" + bytes(2)  # reserved, language driver cp1252 (offset 29), reserved
    for name, ftype, length, decimals in fields:
        head += name.encode("ascii").ljust(11, b"\0") + ftype.encode("ascii") + bytes(4)
        head += bytes([length, decimals]) + bytes(14)
    head += b"\x0d"
    body = b"".join(b" " + r for r in records)
    assert all(len(r) == record_len - 1 for r in records)
    path.write_bytes(bytes(head) + body + eof)
    return path


def _dbfread(path):
    return [{k.lower(): v for k, v in rec.items()} for rec in dbfread.DBF(str(path))]


def test_zero_and_blank_dates_are_null_and_counted(tmp_path):
    path = _crafted(
        tmp_path / "fechas.dbf",
        [("ID", "N", 2, 0), ("FEC", "D", 8, 0)],
        [
            b" 1" + b"20240105",
            b" 2" + b"00000000",
            b" 3" + b"        ",
            b" 4" + b"20241231",
            b" 5" + b"00000000",
            b" 6" + b"2024 1 5",
        ],
    )
    avisos: dict[str, int] = {}
    ours = read_dbf(path, avisos=avisos).to_pylist()
    assert ours == _dbfread(path)
    assert [r["fec"] for r in ours] == [
        dt.date(2024, 1, 5),
        None,
        None,
        dt.date(2024, 12, 31),
        None,
        dt.date(2024, 1, 5),
    ]
    assert avisos == {"fechas_vacias": 2}  # blanks are ordinary NULLs, not counted


@pytest.mark.parametrize("bad", [b"2024AB05", b"20240230", b"2024\xe9\xe905"])
def test_invalid_date_is_a_load_error_naming_row_and_field(tmp_path, bad):
    path = _crafted(
        tmp_path / "fechas.dbf",
        [("ID", "N", 2, 0), ("FEC", "D", 8, 0)],
        [b" 1" + b"20240105", b" 2" + b"00000000", b" 3" + bad, b" 4" + bad],
    )
    with pytest.raises(ValueError):  # dbfread refuses it too (20240230 is not rolled over to March)
        _dbfread(path)
    with pytest.raises(LoadError) as err:
        read_dbf(path)
    assert err.value.fila == 3 and err.value.campo == "fec"
    assert str(path) in str(err.value) and bad.decode("latin-1") in str(err.value)


def test_numeric_overflow_asterisks_are_null_and_counted(tmp_path):
    path = _crafted(
        tmp_path / "desborde.dbf",
        [("FAC", "N", 5, 0), ("ING", "N", 7, 2)],
        [
            b"   12" + b"  10.50",
            b"*****" + b"*******",
            b"  **7" + b"   3.25",
            b"    1" + b"*******",
            b"     " + b"   0.00",
        ],
    )
    avisos: dict[str, int] = {}
    ours = read_dbf(path, avisos=avisos).to_pylist()
    assert ours == _dbfread(path)
    assert [r["fac"] for r in ours] == [12, None, 7, 1, None]
    assert [r["ing"] for r in ours] == [10.5, None, 3.25, None, 0.0]
    assert isinstance(ours[0]["fac"], int)
    assert avisos == {"desbordamientos": 3, "rellenos_con_asterisco": 1}


def test_comma_decimals_are_read_as_dbfread_and_counted(tmp_path):
    path = _crafted(
        tmp_path / "coma.dbf",
        [("ING", "N", 6, 1), ("HRS", "N", 4, 0)],
        [b"   1,5" + b"  40", b"  10.0" + b" 2,5", b"  -3,2" + b"   8", b"      " + b"    "],
    )
    avisos: dict[str, int] = {}
    ours = read_dbf(path, avisos=avisos).to_pylist()
    assert ours == _dbfread(path)
    assert [r["ing"] for r in ours] == [1.5, 10.0, -3.2, None]
    assert [r["hrs"] for r in ours] == [40, 2.5, 8, None]
    assert avisos == {"decimales_con_coma": 3}


def test_counts_add_to_the_given_dict_and_clean_files_count_nothing(tmp_path, sample_dbf):
    path = _crafted(tmp_path / "coma.dbf", [("ING", "N", 6, 1)], [b"   1,5", b"*****6"])
    avisos = {"decimales_con_coma": 2}
    read_dbf(path, avisos=avisos)
    assert avisos == {"decimales_con_coma": 3, "rellenos_con_asterisco": 1}
    clean: dict[str, int] = {}
    read_dbf(sample_dbf, avisos=clean)
    assert clean == {}


def test_other_non_numeric_values_are_still_refused(tmp_path):
    path = _crafted(tmp_path / "malo.dbf", [("FAC", "N", 5, 0)], [b"   12", b"*****", b" 1*2 ", b"  1,5"])
    avisos: dict[str, int] = {}
    with pytest.raises(LoadError) as err:
        read_dbf(path, avisos=avisos)
    assert err.value.fila == 3 and err.value.campo == "fac" and "1*2" in str(err.value)
    assert avisos == {}  # a refused file counts nothing


def test_more_records_than_declared_are_refused_with_both_counts(tmp_path):
    recs = [b" 1", b" 2", b" 3", b" 4", b" 5"]
    path = _crafted(tmp_path / "SDEMT124.dbf", [("ID", "N", 2, 0)], recs, declared=3)
    assert len(_dbfread(path)) == 5  # dbfread ignores the header's count: the two readers would differ
    with pytest.raises(LoadError) as err:
        read_dbf(path)
    msg = str(err.value)
    assert str(path) in msg and "declara 3 registros" in msg and "contiene 5" in msg


@pytest.mark.parametrize("tail", [b"\x1a", b"", b"\x1a\x1a\x1a", b"\x1a" + b" 9" * 3])
def test_end_of_file_mark_is_fine(tmp_path, tail):
    path = _crafted(tmp_path / "ok.dbf", [("ID", "N", 2, 0)], [b" 1", b" 2", b" 3"], eof=tail)
    assert read_dbf(path).to_pylist() == _dbfread(path) == [{"id": 1}, {"id": 2}, {"id": 3}]


@pytest.mark.parametrize("tail", [b" ", b"\x1a 9", b"\0" * 3])
def test_partial_tail_or_padding_is_not_an_extra_record(tmp_path, tail):
    # dbfread would even make a NULL record of a lone trailing flag byte; we read the declared ones.
    path = _crafted(tmp_path / "ok.dbf", [("ID", "N", 2, 0)], [b" 1", b" 2", b" 3"], eof=tail)
    assert read_dbf(path).to_pylist() == [{"id": 1}, {"id": 2}, {"id": 3}]
