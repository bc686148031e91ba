"""dBase III (.dbf) writer, vectorised: the whole record block is built as one numpy byte matrix.

Only the two field types INEGI's survey files use: `C` (text, left-aligned, space-padded) and `N`
(numbers as right-aligned ASCII, `decimals` digits after the point; a blank field is NULL).
Text is encoded in cp1252 (latin-1 for every character INEGI uses) and the header carries the matching
language-driver byte (0x03, "Windows ANSI"), so dbfread and R's foreign::read.dbf decode it correctly.
The header's last-update date is an argument: the same inputs always give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ENCODING = "cp1252"
LANGUAGE_DRIVER = 0x03  # Windows ANSI (cp1252)
_SPACE = 0x20


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # "C" or "N"
    width: int
    decimals: int = 0

    def __post_init__(self) -> None:
        if self.type not in ("C", "N"):
            raise ValueError(f"Tipo de campo no soportado: {self.type!r}")
        if not 1 <= len(self.name) <= 10 or not self.name.isascii():
            raise ValueError(f"Nombre de campo DBF inválido: {self.name!r}")
        if not 1 <= self.width <= 254 or (self.type == "N" and self.decimals and self.decimals > self.width - 2):
            raise ValueError(f"Ancho inválido para {self.name}: {self.width},{self.decimals}")


def zero_pad(values: np.ndarray, width: int) -> np.ndarray:
    """Non-negative integers as zero-padded ASCII codes (bytes dtype `S<width>`), e.g. 9 -> b'09'."""
    v = np.asarray(values, dtype=np.int64)
    if v.size and (v.min() < 0 or v.max() >= 10**width):
        raise ValueError(f"Valor fuera de rango para un código de {width} dígitos")
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    digits = (v[:, None] // powers[None, :]) % 10 + 48
    return np.ascontiguousarray(digits.astype(np.uint8)).view(f"S{width}").ravel()


def _text_matrix(values: np.ndarray, width: int, encoding: str) -> np.ndarray:
    """(n, width) uint8 matrix of left-aligned, space-padded text; '' and None are blank."""
    arr = np.asarray(values)
    n = len(arr)
    if arr.dtype.kind != "S":
        # Encode each distinct value once (codes and names repeat a lot), then gather.
        as_str = np.where(arr == None, "", arr).astype(str)  # noqa: E711 (element-wise None test)
        uniq, inverse = np.unique(as_str, return_inverse=True)
        encoded = [u.encode(encoding) for u in uniq]
        if any(len(e) > width for e in encoded):
            raise ValueError(f"Texto más largo que el campo ({width}): {max(encoded, key=len)!r}")
        table = np.array(encoded, dtype=f"S{width}") if encoded else np.zeros(0, dtype=f"S{width}")
        arr = table[inverse.ravel()] if n else np.zeros(0, dtype=f"S{width}")
    elif arr.dtype.itemsize > width:
        if n and (np.char.str_len(arr) > width).any():
            raise ValueError(f"Texto más largo que el campo ({width})")
        arr = arr.astype(f"S{width}")
    else:
        arr = arr.astype(f"S{width}")
    mat = np.ascontiguousarray(arr).view(np.uint8).reshape(n, width).copy()
    mat[mat == 0] = _SPACE  # numpy pads with NUL; dBase pads with spaces
    return mat


def _number_matrix(values: np.ndarray, width: int, decimals: int) -> np.ndarray:
    """(n, width) uint8 matrix of right-aligned numbers; NaN is a blank (NULL) field."""
    v = np.asarray(values)
    n = len(v)
    null = np.isnan(v) if v.dtype.kind == "f" else np.zeros(n, dtype=bool)
    scaled = (
        np.where(null, 0, v).astype(np.float64) * 10**decimals
        if v.dtype.kind == "f"
        else v.astype(np.int64) * 10**decimals
    )
    q = np.rint(scaled).astype(np.int64)
    neg = q < 0
    a = np.abs(q)
    # Digits needed: at least one before the point.
    ndig = np.maximum(np.floor(np.log10(np.maximum(a, 1))).astype(np.int64) + 1, decimals + 1)
    length = ndig + (1 if decimals else 0) + neg
    if n and length[~null].max(initial=0) > width:
        raise ValueError(f"Número más ancho que el campo ({width},{decimals})")
    mat = np.full((n, width), _SPACE, dtype=np.uint8)
    rest = a.copy()
    pos = width - 1
    for k in range(ndig.max(initial=1)):
        if decimals and k == decimals:
            mat[:, pos] = ord(".")
            pos -= 1
        put = k < ndig
        mat[put, pos] = (rest[put] % 10 + 48).astype(np.uint8)
        rest //= 10
        pos -= 1
        if pos < 0:
            break
    if neg.any():
        cols = width - length[neg]
        mat[np.flatnonzero(neg), cols] = ord("-")
    mat[null] = _SPACE
    return mat


def field_bytes(field: Field, values: np.ndarray, encoding: str = ENCODING) -> np.ndarray:
    """The (n, width) byte matrix of one field, exactly as it is stored in the records."""
    if field.type == "C":
        return _text_matrix(values, field.width, encoding)
    return _number_matrix(values, field.width, field.decimals)


def write_dbf(
    path: Path,
    fields: Sequence[Field],
    columns: Sequence[np.ndarray],
    fecha: dt.date,
    encoding: str = ENCODING,
    chunk_rows: int = 200_000,
) -> Path:
    """Write a dBase III table. `columns[i]` holds the values of `fields[i]` (C: str/bytes, N: numbers,
    NaN = NULL). Rows are formatted in chunks to bound memory."""
    if len(fields) != len(columns):
        raise ValueError("Cada campo necesita su columna")
    names = [f.name.upper() for f in fields]
    if len(set(names)) != len(names):
        raise ValueError("Nombres de campo repetidos")
    n = len(columns[0]) if columns else 0
    if any(len(c) != n for c in columns):
        raise ValueError("Las columnas tienen longitudes distintas")
    record_len = 1 + sum(f.width for f in fields)
    header_len = 32 + 32 * len(fields) + 1
    header = bytearray(
        struct.pack("<B3BIHH", 0x03, fecha.year - 1900, fecha.month, fecha.day, n, header_len, record_len)
    )
    header += bytes(20)
    header[29] = LANGUAGE_DRIVER
    for f, name in zip(fields, names):
        desc = name.encode("ascii").ljust(11, b"\x00") + f.type.encode("ascii") + bytes(4)
        desc += bytes([f.width, f.decimals if f.type == "N" else 0]) + bytes(14)
        header += desc
    header += b"\x0d"
    path = Path(path)
    with open(path, "wb") as fh:
        fh.write(header)
        for start in range(0, n, chunk_rows):
            stop = min(start + chunk_rows, n)
            block = np.empty((stop - start, record_len), dtype=np.uint8)
            block[:, 0] = _SPACE  # not deleted
            col = 1
            for f, values in zip(fields, columns):
                block[:, col : col + f.width] = field_bytes(f, values[start:stop], encoding)
                col += f.width
            fh.write(block.tobytes())
        fh.write(b"\x1a")
    return path
