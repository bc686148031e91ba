"""The dBase III writer: round-trip through dbfread, header bytes, NULLs, encoding, errors."""

from __future__ import annotations

import datetime as dt
import struct

import dbfread
import numpy as np
import pytest

from sidil.demo.formats.dbf import Field, field_bytes, write_dbf, zero_pad

FIELDS = [
    Field("ENT", "C", 2),
    Field("NOM_MUN", "C", 24),
    Field("FAC", "N", 9),
    Field("ING_X_HRS", "N", 10, 2),
    Field("P5B_THRS", "N", 3),
]


def _columns():
    return [
        zero_pad(np.array([1, 9, 32, 7]), 2),
        np.array(["Acapulco de Juárez", "Peñón, Ñuñoa", "", "Zapotitlán Tablas"]),
        np.array([10, 234_567, 1, 999_999_999]),
        np.array([0.0, 1234.567, -3.2, np.nan]),
        np.array([45.0, np.nan, 999.0, 0.0]),
    ]


def test_round_trip_values_text_and_decimals(tmp_path):
    path = write_dbf(tmp_path / "T.dbf", FIELDS, _columns(), dt.date(2023, 5, 15))
    table = dbfread.DBF(path)
    assert table.encoding == "cp1252"
    assert table.date == dt.date(2023, 5, 15)
    assert table.field_names == ["ENT", "NOM_MUN", "FAC", "ING_X_HRS", "P5B_THRS"]
    rows = [dict(r) for r in table]
    assert rows == [
        {"ENT": "01", "NOM_MUN": "Acapulco de Juárez", "FAC": 10, "ING_X_HRS": 0.0, "P5B_THRS": 45},
        {"ENT": "09", "NOM_MUN": "Peñón, Ñuñoa", "FAC": 234567, "ING_X_HRS": 1234.57, "P5B_THRS": None},
        {"ENT": "32", "NOM_MUN": "", "FAC": 1, "ING_X_HRS": -3.2, "P5B_THRS": 999},
        {"ENT": "07", "NOM_MUN": "Zapotitlán Tablas", "FAC": 999999999, "ING_X_HRS": None, "P5B_THRS": 0},
    ]
    types = {f.name: (f.type, f.length, f.decimal_count) for f in table.fields}
    assert types["ING_X_HRS"] == ("N", 10, 2) and types["ENT"] == ("C", 2, 0)


def test_header_bytes_and_layout(tmp_path):
    path = write_dbf(tmp_path / "T.dbf", FIELDS, _columns(), dt.date(2021, 11, 15))
    raw = path.read_bytes()
    version, yy, mm, dd, n, header_len, record_len = struct.unpack("<B3BIHH", raw[:12])
    assert (version, yy, mm, dd, n) == (0x03, 121, 11, 15, 4)
    assert raw[29] == 0x03  # language driver: Windows ANSI
    assert header_len == 32 + 32 * len(FIELDS) + 1 and raw[header_len - 1] == 0x0D
    assert record_len == 1 + sum(f.width for f in FIELDS)
    assert len(raw) == header_len + 4 * record_len + 1 and raw[-1] == 0x1A
    # Latin text is stored in cp1252, not UTF-8.
    assert "Juárez".encode("cp1252") in raw and "Juárez".encode("utf-8") not in raw


def test_numbers_right_aligned_and_null_blank():
    m = field_bytes(Field("X", "N", 8, 2), np.array([3.14159, -0.5, np.nan, 12345.0]))
    assert [bytes(r) for r in m] == [b"    3.14", b"   -0.50", b"        ", b"12345.00"]
    m = field_bytes(Field("C", "C", 3), np.array([b"1", b"", b"099"]))
    assert [bytes(r) for r in m] == [b"1  ", b"   ", b"099"]


def test_same_input_same_bytes_and_chunking(tmp_path):
    a = write_dbf(tmp_path / "a.dbf", FIELDS, _columns(), dt.date(2020, 5, 15))
    b = write_dbf(tmp_path / "b.dbf", FIELDS, _columns(), dt.date(2020, 5, 15), chunk_rows=3)
    assert a.read_bytes() == b.read_bytes()


def test_zero_pad_and_errors(tmp_path):
    assert list(zero_pad(np.array([0, 7, 123]), 3)) == [b"000", b"007", b"123"]
    with pytest.raises(ValueError):
        zero_pad(np.array([1000]), 3)
    with pytest.raises(ValueError):
        write_dbf(tmp_path / "x.dbf", [Field("N", "N", 3)], [np.array([12345])], dt.date(2020, 1, 1))
    with pytest.raises(ValueError):
        write_dbf(tmp_path / "x.dbf", [Field("T", "C", 3)], [np.array(["abcd"])], dt.date(2020, 1, 1))
    with pytest.raises(ValueError):
        Field("DEMASIADO_LARGO", "C", 3)
    with pytest.raises(ValueError):
        Field("D", "D", 8)
