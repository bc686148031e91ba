"""Personal identifiers of the synthetic IMSS records: NSS and CURP, built and checked vectorised.

NSS (11 digits): subdelegación of affiliation (2), year of affiliation (2), birth year (2), sequence (4) and a
Luhn check digit over the first ten. CURP (18 characters, RENAPO): 4 letters from the names, birth date YYMMDD,
sex H/M (position 11), birth-state code (2), 3 internal consonants, homoclave (digit if born before 2000,
letter from 2000) and the RENAPO verification digit. Ids are built as (n, k) uint8 arrays and viewed as
fixed-width bytes, so tens of millions cost seconds.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np

# RENAPO state codes in INEGI order (01 Aguascalientes ... 32 Zacatecas); NE = born abroad.
ESTADOS_CURP = (
    "AS BC BS CC CL CM CS CH DF DG GT GR HG JC MC MN MS NT NL OC PL QT QR SP SL SR TC TS TL VZ YN ZS NE".split()
)
_CURP_ALFABETO = "0123456789ABCDEFGHIJKLMNÑOPQRSTUVWXYZ"
# Value of each ASCII byte in the verification-digit sum (Ñ never occurs in generated CURPs).
_CURP_VALOR = np.full(256, -1, dtype=np.int64)
for _i, _ch in enumerate(_CURP_ALFABETO):
    if ord(_ch) < 256 and _ch != "Ñ":
        _CURP_VALOR[ord(_ch)] = _i
_CURP_VALOR32 = _CURP_VALOR.astype(np.int32)
_CURP_RE = re.compile(
    r"^[A-Z][AEIOUX][A-Z]{2}\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])[HM]("
    + "|".join(ESTADOS_CURP)
    + r")[B-DF-HJ-NP-TV-Z]{3}[0-9A-Z]\d$"
)
_CONSONANTES = np.frombuffer(b"BCDFGHJKLMNPQRSTVWXYZ", dtype=np.uint8)
_VOCALES = np.frombuffer(b"AEIOU", dtype=np.uint8)
# Rough frequencies of initials of Mexican surnames and given names (more G, H, M, R, S, L, C, P).
_INICIALES = np.frombuffer(b"ABCDEFGHIJLMNOPQRSTVZ", dtype=np.uint8)
_P_INICIALES = np.array([4, 3, 9, 4, 2, 4, 10, 6, 1, 4, 6, 12, 3, 2, 6, 1, 10, 7, 2, 3, 1], dtype=float)
_P_INICIALES /= _P_INICIALES.sum()


def _as_chars(ids: np.ndarray, width: int) -> np.ndarray:
    return np.ascontiguousarray(ids.astype(f"S{width}")).view(np.uint8).reshape(-1, width)


# ---- NSS ---------------------------------------------------------------------------------------------------
def luhn(digits: np.ndarray) -> np.ndarray:
    """Luhn check digit of each row of an (n, k) array of digits, column by column (same result as
    `registros.luhn_digit`, without (n, k) int64 temporaries)."""
    k = digits.shape[1]
    s = np.zeros(len(digits), dtype=np.int32)
    for j in range(k):
        d = digits[:, k - 1 - j].astype(np.int32)
        if j % 2 == 0:
            d = d * 2
            d -= 9 * (d > 9)
        s += d
    return (10 - s % 10) % 10


def nss_chars(
    subdel: np.ndarray, anio_afiliacion: np.ndarray, anio_nacimiento: np.ndarray, secuencia: np.ndarray
) -> np.ndarray:
    """(n, 11) uint8 NSS digits from their parts (years as 4-digit ints, written as 2 digits)."""
    n = len(subdel)
    d = np.empty((n, 10), dtype=np.uint8)
    col = 0
    for part, width in ((subdel, 2), (anio_afiliacion % 100, 2), (anio_nacimiento % 100, 2), (secuencia, 4)):
        v = np.asarray(part, dtype=np.int32)
        for j in range(width):
            d[:, col] = (v // 10 ** (width - 1 - j)) % 10
            col += 1
    out = np.empty((n, 11), dtype=np.uint8)
    out[:, :10] = d + 48
    out[:, 10] = luhn(d) + 48
    return out


def nss_validos(nss: Iterable[str] | np.ndarray) -> np.ndarray:
    """Bool per NSS: 11 digits with a correct check digit."""
    arr = np.asarray(list(nss) if not isinstance(nss, np.ndarray) else nss)
    if arr.size == 0:
        return np.zeros(0, dtype=bool)
    ok = np.char.str_len(arr.astype(str)) == 11
    chars = _as_chars(np.where(ok, arr.astype(str), "00000000000"), 11).astype(np.int64) - 48
    ok &= ((chars >= 0) & (chars <= 9)).all(axis=1)
    ok &= luhn(np.clip(chars[:, :10], 0, 9)) == chars[:, 10]
    return ok


def nss_valido(nss: str) -> bool:
    return bool(nss_validos(np.array([nss]))[0])


# ---- CURP --------------------------------------------------------------------------------------------------
def curp_digito(chars17: np.ndarray) -> np.ndarray:
    """RENAPO verification digit of each row of an (n, 17) uint8 array of the first 17 CURP characters."""
    s = np.zeros(len(chars17), dtype=np.int32)
    for i in range(17):  # column by column: small integer arrays, no (n, 17) int64 temporaries
        s += _CURP_VALOR32[chars17[:, i]] * (18 - i)
    return (10 - s % 10) % 10


def civil(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(year, month, day) of days since 1970-01-01 with integer arithmetic (H. Hinnant's civil_from_days)."""
    z = np.asarray(days, dtype=np.int64) + 719_468
    era = np.floor_divide(z, 146_097)
    doe = z - era * 146_097
    yoe = (doe - doe // 1460 + doe // 36_524 - doe // 146_096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = np.where(mp < 10, mp + 3, mp - 9)
    return yoe + era * 400 + (m <= 2), m, d


def curp_chars(rng: np.random.Generator, nacimiento: np.ndarray, mujer: np.ndarray, estado: np.ndarray) -> np.ndarray:
    """(n, 18) uint8 CURPs for birth dates (datetime64[D]), sex (bool women) and birth state (0-31, 32 = NE)."""
    n = len(nacimiento)
    c = np.empty((n, 18), dtype=np.uint8)
    cdf = np.cumsum(_P_INICIALES)
    cdf[-1] = 1.0
    c[:, 0] = _INICIALES[np.searchsorted(cdf, rng.random(n), side="right")]
    c[:, 1] = _VOCALES[np.searchsorted(np.array([0.40, 0.60, 0.75, 0.90, 1.0]), rng.random(n), side="right")]
    c[:, 2] = _INICIALES[np.searchsorted(cdf, rng.random(n), side="right")]
    c[:, 3] = _INICIALES[np.searchsorted(cdf, rng.random(n), side="right")]
    # A person without second surname carries X in position 3.
    c[rng.random(n) < 0.01, 2] = ord("X")
    year, month, day = civil(nacimiento.astype("datetime64[D]").astype(np.int64))
    for k, (val, div) in enumerate(((year % 100, 10), (year % 10, 1), (month, 10), (month, 1), (day, 10), (day, 1))):
        c[:, 4 + k] = (val // div) % 10 + 48
    c[:, 10] = np.where(mujer, ord("M"), ord("H"))
    codes = np.frombuffer("".join(ESTADOS_CURP).encode(), dtype=np.uint8).reshape(-1, 2)
    c[:, 11:13] = codes[estado]
    c[:, 13:16] = _CONSONANTES[rng.integers(0, len(_CONSONANTES), (n, 3))]
    homo_digit = rng.integers(0, 10, n) + 48
    homo_letter = rng.integers(0, 26, n) + 65
    c[:, 16] = np.where(year < 2000, homo_digit, homo_letter)
    c[:, 17] = curp_digito(c[:, :17]) + 48
    return c


def curp_valida(curp: str) -> bool:
    """Structure, a real calendar birth date (century from the homoclave) and the verification digit."""
    if not isinstance(curp, str) or not _CURP_RE.match(curp):
        return False
    century = 1900 if curp[16].isdigit() else 2000
    try:
        np.datetime64(f"{century + int(curp[4:6]):04d}-{curp[6:8]}-{curp[8:10]}", "D")
    except ValueError:
        return False
    chars = np.frombuffer(curp[:17].encode("ascii"), dtype=np.uint8)[None, :]
    return int(curp_digito(chars)[0]) == int(curp[17])


def curps_validas(curps: Iterable[str]) -> np.ndarray:
    return np.array([curp_valida(c) for c in curps], dtype=bool)


def sexo_curp(curp: str) -> str | None:
    """'H' or 'M' from position 11 of a CURP (None when empty)."""
    return curp[10] if curp and len(curp) == 18 else None
