"""A fast dBase (DBF) reader: the whole record block at once with numpy, columns parsed by Arrow.

Values equal dbfread's: character fields decoded (latin-1 unless told otherwise) with trailing blanks
removed, N/F fields as integers when they have no decimals and floats otherwise, blank numbers NULL,
D as dates, L as booleans, deleted records skipped. Column names are returned lower-cased.

Edge cases, decided as dbfread reads them and counted in `avisos` (see `read_dbf`):
- D fields holding only zeros (`00000000`, the dBase "no date") are NULL, counted as `fechas_vacias`;
  blank dates are plain NULLs; any other unparseable date is a LoadError naming row and field.
- N/F fields filled with asterisks (`*****`, dBase overflow) are NULL, counted as `desbordamientos`;
  numbers padded with asterisks (`**12`) keep their value, counted as `rellenos_con_asterisco`;
  a comma decimal (`1,5`) is 1.5, counted as `decimales_con_coma`; anything else non-numeric is a LoadError.
- More complete records after the declared ones (before the 0x1A end-of-file mark) are refused:
  dbfread reads them all, the header says otherwise, and we cannot tell which is right.
"""

from __future__ import annotations

import datetime as dt
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from loaders.errors import LoadError


@dataclass(frozen=True)
class DbfField:
    name: str
    type: str
    offset: int  # within the record, after the deletion flag
    length: int
    decimals: int


def _header(raw: bytes, archivo: str) -> tuple[int, int, int, list[DbfField]]:
    if len(raw) < 32:
        raise LoadError(archivo, "el archivo DBF está truncado (no tiene encabezado completo)")
    n_records, header_len, record_len = struct.unpack("<IHH", raw[4:12])
    fields: list[DbfField] = []
    pos, offset = 32, 1
    while pos < header_len - 1 and raw[pos] != 0x0D:
        if pos + 32 > len(raw):
            raise LoadError(archivo, "el archivo DBF está truncado en la descripción de campos")
        desc = raw[pos : pos + 32]
        name = desc[:11].split(b"\0", 1)[0].decode("ascii", errors="replace").strip()
        ftype = chr(desc[11])
        length, decimals = desc[16], desc[17]
        fields.append(DbfField(name, ftype, offset, length, decimals))
        offset += length
        pos += 32
    if offset != record_len:
        raise LoadError(archivo, f"el largo de registro declarado ({record_len}) no coincide con sus campos ({offset})")
    return n_records, header_len, record_len, fields


def _text(col: np.ndarray, encoding: str) -> pa.Array:
    """Fixed-width bytes -> text without trailing blanks or NULs (dbfread keeps leading blanks)."""
    if not (col.view(np.uint8) >= 0x80).any():  # plain ASCII: no decoding needed, zero-copy into Arrow
        width = col.dtype.itemsize
        fixed = pa.FixedSizeBinaryArray.from_buffers(pa.binary(width), len(col), [None, pa.py_buffer(col.tobytes())])
        return pc.utf8_rtrim(fixed.cast(pa.binary()).cast(pa.string()), characters=" \0")
    # Decode once per distinct value (codes and names repeat a lot), then gather.
    values, inverse = np.unique(col, return_inverse=True)
    decoded = [v.rstrip(b" \0").decode(encoding) for v in values.tolist()]
    return pa.array(decoded, pa.string()).take(pa.array(inverse.ravel()))


def _trimmed(col: np.ndarray) -> pa.Array:
    """Fixed-width ASCII bytes -> Arrow text without surrounding blanks; blank -> NULL (zero-copy in)."""
    width = col.dtype.itemsize
    fixed = pa.FixedSizeBinaryArray.from_buffers(pa.binary(width), len(col), [None, pa.py_buffer(col.tobytes())])
    text = pc.utf8_trim(fixed.cast(pa.binary()).cast(pa.string()), characters=" \0")
    return pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)


NUMBER = r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$"


def _count(avisos: dict[str, int] | None, key: str, n: int) -> None:
    if avisos is not None and n:
        avisos[key] = avisos.get(key, 0) + n


def _cast_number(text: pa.Array, decimals: int) -> pa.Array | None:
    for target in (pa.float64(),) if decimals > 0 else (pa.int64(), pa.float64()):
        try:
            return pc.cast(text, target)
        except pa.ArrowInvalid:
            continue
    return None


def _numbers(
    col: np.ndarray, decimals: int, archivo: str, name: str, rows: np.ndarray, avisos: dict[str, int] | None = None
) -> pa.Array:
    """N/F fields: int64 when no value has a decimal point (dbfread gives ints then), else float64.
    The happy path is two Arrow kernels; the dBase quirks dbfread accepts (asterisks, decimal commas) and
    the slow search for the offending value run only when that fails."""
    try:
        text = _trimmed(col)
    except pa.ArrowInvalid:
        raise LoadError(archivo, "bytes no ASCII en un campo numérico", campo=name) from None
    fast = _cast_number(text, decimals)
    if fast is not None:
        return fast
    # As dbfread: asterisks around the number are padding, all asterisks (dBase overflow) is NULL,
    # and a comma is a decimal point.
    stripped = pc.utf8_trim(text, characters="* \0")
    empty = pc.equal(stripped, "")
    overflow = int(pc.sum(empty).as_py() or 0)
    padded = int(pc.sum(pc.and_(pc.invert(empty), pc.not_equal(stripped, text))).as_py() or 0)
    comma = pc.match_substring(stripped, ",")
    commas = int(pc.sum(comma).as_py() or 0)
    cleaned = pc.if_else(empty, pa.scalar(None, pa.string()), pc.replace_substring(stripped, ",", "."))
    values = _cast_number(cleaned, decimals)
    if values is None:
        ok = np.asarray(pc.fill_null(pc.match_substring_regex(cleaned, NUMBER), True))
        bad = np.flatnonzero(~ok)
        if not len(bad):
            raise LoadError(archivo, "valores no numéricos en un campo numérico", campo=name)
        first = int(bad[0])
        raise LoadError(
            archivo,
            f"valor no numérico {text[first].as_py()!r} en un campo numérico",
            fila=int(rows[first]) + 1,
            campo=name,
        )
    _count(avisos, "desbordamientos", overflow)
    _count(avisos, "rellenos_con_asterisco", padded)
    _count(avisos, "decimales_con_coma", commas)
    return values


def _date(data: bytes) -> dt.date | None:
    """One D value exactly as dbfread's parser reads it: only blanks and zeros is NULL."""
    try:
        return dt.date(int(data[:4]), int(data[4:6]), int(data[6:8]))
    except ValueError:
        if data.strip(b" 0") == b"":
            return None
        raise


def _dates(
    col: np.ndarray, archivo: str, name: str, rows: np.ndarray, avisos: dict[str, int] | None = None
) -> pa.Array:
    """D fields. Happy path in numpy: eight digits YYYYMMDD that form a real date (Arrow's strptime
    would roll 20240230 over to March 1st); blanks are NULL; only the rest goes through dbfread's rules."""
    n, width = len(col), col.dtype.itemsize
    b = np.ascontiguousarray(col).view(np.uint8).reshape(n, width)
    out = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    ok = np.zeros(n, dtype=bool)
    if width == 8:
        digits = b.astype(np.int32) - ord("0")
        y = digits[:, :4] @ np.array([1000, 100, 10, 1], dtype=np.int32)
        m = digits[:, 4:6] @ np.array([10, 1], dtype=np.int32)
        d = digits[:, 6:8] @ np.array([10, 1], dtype=np.int32)
        month = ((y.astype(np.int64) - 1970) * 12 + m - 1).astype("datetime64[M]")
        first = month.astype("datetime64[D]")
        days = ((month + 1).astype("datetime64[D]") - first).astype(np.int64)
        ok = ((b >= ord("0")) & (b <= ord("9"))).all(axis=1)
        ok &= (y >= 1) & (m >= 1) & (m <= 12) & (d >= 1) & (d <= days)
        out[ok] = first[ok] + (d[ok] - 1)
    blank = ((b == ord(" ")) | (b == 0)).all(axis=1)
    idx = np.flatnonzero(~ok & ~blank)
    if len(idx):
        uniq, inverse = np.unique(col[idx], return_inverse=True)
        inverse = inverse.ravel()
        dates: list[dt.date | None] = []
        bad: list[int] = []
        zeros = 0
        for k, data in enumerate(uniq.tolist()):
            try:
                dates.append(_date(data))
            except ValueError:
                dates.append(None)
                bad.append(k)
                continue
            if dates[-1] is None:  # not blank (those never get here): zeros, the dBase "no date"
                zeros += int(np.count_nonzero(inverse == k))
        if bad:
            at = int(idx[np.flatnonzero(np.isin(inverse, bad))[0]])
            value = bytes(col[at]).decode("latin-1")
            raise LoadError(
                archivo, f"fecha inválida {value!r} (se espera AAAAMMDD)", fila=int(rows[at]) + 1, campo=name
            )
        fixed = np.array([np.datetime64(v, "D") if v else np.datetime64("NaT") for v in dates], dtype="datetime64[D]")
        out[idx] = fixed[inverse]
        _count(avisos, "fechas_vacias", zeros)
    return pa.array(out, type=pa.date32(), from_pandas=True)


# dBase language-driver byte (header offset 29) -> Python codec, as dbfread maps them.
LANGUAGE_DRIVERS = {
    0x01: "cp437",
    0x02: "cp850",
    0x03: "cp1252",
    0x57: "cp1252",
    0x58: "cp1252",
    0x59: "cp1252",
    0x64: "cp852",
    0x65: "cp866",
    0x66: "cp865",
    0xC8: "cp1250",
    0xC9: "cp1251",
}


def read_dbf(path: Path, encoding: str | None = None, avisos: dict[str, int] | None = None) -> pa.Table:
    """Read a DBF into an Arrow table. The text encoding comes from the file's language-driver byte
    unless given; files that declare none are read as latin-1.

    `avisos`, when given, is filled with how many values of each dBase quirk were read (keys
    `fechas_vacias`, `desbordamientos`, `rellenos_con_asterisco`, `decimales_con_coma`; only nonzero
    ones, added to what the dict already holds). Nothing is counted if the file is refused."""
    archivo = str(path)
    raw = Path(path).read_bytes()
    n_records, header_len, record_len, fields = _header(raw, archivo)
    encoding = encoding or LANGUAGE_DRIVERS.get(raw[29], "latin-1")
    body = np.frombuffer(raw, dtype=np.uint8, offset=header_len)
    available = len(body) // record_len
    if available < n_records:
        raise LoadError(
            archivo,
            f"el archivo DBF está truncado: declara {n_records} registros y contiene {available} completos",
            fila=available + 1,
        )
    # Complete records after the declared ones, up to the end-of-file mark (0x1A) as dbfread reads them.
    flags = body[n_records * record_len : available * record_len : record_len]
    eof = np.flatnonzero(flags == 0x1A)
    flags = flags[: eof[0]] if len(eof) else flags
    extra = int(np.count_nonzero((flags == ord(" ")) | (flags == ord("*"))))
    if extra:
        raise LoadError(
            archivo,
            f"el encabezado declara {n_records} registros pero el archivo contiene "
            f"{n_records + extra} completos; no se sabe cuál es el correcto, "
            f"así que no se carga",
            fila=n_records + 1,
        )
    records = body[: n_records * record_len].reshape(n_records, record_len)
    keep = records[:, 0] != ord("*")
    rows = np.flatnonzero(keep)
    records = records[keep]
    columns: dict[str, pa.Array] = {}
    found: dict[str, int] = {}
    for f in fields:
        col = np.ascontiguousarray(records[:, f.offset : f.offset + f.length]).view(f"S{f.length}").ravel()
        name = f.name.lower()
        if f.type == "C":
            try:
                columns[name] = _text(col, encoding)
            except UnicodeDecodeError:
                raise LoadError(archivo, f"texto que no está en la codificación {encoding}", campo=name) from None
        elif f.type in ("N", "F"):
            columns[name] = _numbers(col, f.decimals, archivo, name, rows, found)
        elif f.type == "D":
            columns[name] = _dates(col, archivo, name, rows, found)
        elif f.type == "L":
            first = np.char.upper(col.astype("S1"))
            vals = np.where(np.isin(first, [b"T", b"Y"]), True, np.where(np.isin(first, [b"F", b"N"]), False, None))
            columns[name] = pa.array(vals.tolist(), pa.bool_())
        else:
            raise LoadError(archivo, f"tipo de campo DBF no soportado '{f.type}'", campo=name)
    for key, n in found.items():
        _count(avisos, key, n)
    return pa.table(columns)
