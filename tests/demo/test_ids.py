"""NSS, CURP and registro patronal: generated ids pass their validators, corrupted ones do not."""

from __future__ import annotations

import numpy as np
import pytest

from sidil.demo.imss_ids import ESTADOS_CURP, curp_chars, curp_valida, nss_chars, nss_valido, nss_validos, sexo_curp
from sidil.demo.registros import registro_strings, registro_valido
from sidil.demo.scales import SCALES
from sidil.demo.world import World


def _curps(n: int = 2000, seed: int = 3) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    nac = np.datetime64("1950-01-01") + rng.integers(0, 27_000, n).astype("timedelta64[D]")
    mujer = rng.random(n) < 0.4
    chars = curp_chars(rng, nac, mujer, rng.integers(0, 33, n))
    return chars.view("S18").ravel().astype(str), mujer


def _nss(n: int = 2000, seed: int = 4) -> np.ndarray:
    rng = np.random.default_rng(seed)
    chars = nss_chars(
        rng.integers(1, 99, n), rng.integers(1970, 2026, n), rng.integers(1950, 2008, n), rng.integers(0, 10_000, n)
    )
    return chars.view("S11").ravel().astype(str)


def _flip(s: str, i: int, alphabet: str) -> str:
    c = alphabet[(alphabet.index(s[i]) + 1) % len(alphabet)]
    return s[:i] + c + s[i + 1 :]


def test_curp_generated_are_valid_and_carry_sex():
    curps, mujer = _curps()
    assert all(curp_valida(c) for c in curps)
    assert [sexo_curp(c) for c in curps] == ["M" if m else "H" for m in mujer]
    assert {c[11:13] for c in curps} <= set(ESTADOS_CURP)
    # Homoclave: digit before 2000, letter from 2000.
    for c in curps[:200]:
        assert c[16].isdigit() == (int(c[4:6]) > 26)


def test_curp_known_value():
    # Verification digit computed by hand with RENAPO's weights (18..2) over the first 17 characters.
    assert curp_valida("BADD110313HCMLNS06")
    assert not curp_valida("BADD110313HCMLNS09")


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "XXXX",
        "BADD111313HCMLNS06",
        "BADD110231HCMLNS06",
        "BADD110313XCMLNS06",
        "BADD110313HZZLNS06",
        "BADD110313HCMAES06",
        "1ADD110313HCMLNS06",
    ],
)
def test_curp_rejects_malformed(bad):
    assert not curp_valida(bad)


def test_curp_rejects_corrupted_characters():
    curps, _ = _curps(300)
    alphabet = "0123456789"
    for k, c in enumerate(curps):
        assert not curp_valida(_flip(c, 17, alphabet))  # wrong verification digit
        # A year digit changed by one (weights 14 and 13): the verification digit no longer matches.
        assert not curp_valida(_flip(c, 4 + k % 2, alphabet))


def test_nss_generated_are_valid_and_corruption_detected():
    nss = _nss()
    assert nss_validos(nss).all()
    assert all(len(x) == 11 and x.isdigit() for x in nss)
    digits = "0123456789"
    for k, x in enumerate(nss[:500]):
        assert not nss_valido(_flip(x, k % 11, digits))  # Luhn catches every single-digit change
    assert not nss_valido("1234567890")
    assert not nss_valido("1234567890A")


def test_registro_strings_valid_unique_and_corruption_detected():
    world = World(SCALES["tiny"], 11)
    regs = registro_strings(world).astype(str)
    assert len(set(regs)) == len(regs)
    assert all(registro_valido(r) for r in regs)
    for k, r in enumerate(regs[:300]):
        i = 1 + k % 10
        assert not registro_valido(_flip(r, i, "0123456789"))


def test_nss_unique_even_when_a_group_overflows():
    from sidil.demo.imss_panel import _secuencias

    rng = np.random.default_rng(5)
    n = 60_000  # all in one (subdelegación, affiliation year) and 3 birth years: 20,000 per group > 10,000
    sub = np.full(n, 1, dtype=np.int16)
    af = np.full(n, 2020, dtype=np.int16)
    nac = rng.integers(1990, 1993, n).astype(np.int16)
    seq = _secuencias(sub, af, nac, rng)
    ids = nss_chars(sub, af, nac, seq).view("S11").ravel()
    assert len(np.unique(ids)) == n
    assert nss_validos(ids.astype(str)).all()
