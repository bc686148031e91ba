"""The fast DBF reader returns exactly what dbfread returns, and names the file, row and field on errors."""

from __future__ import annotations

import datetime as dt

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
    fields = [Field("CD_A", "C", 2), Field("NOM_LOC", "C", 14), Field("FAC", "N", 6), Field("ING", "N", 10, 2),
              Field("EDA", "N", 3)]
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
    raw[start:start + 6] = b"  12X4"
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
