"""IMSS registro patronal strings of the world's employers, shared by the IMSS and DNE generators.

Format: 11 characters, a letter, 9 digits and a check digit (Luhn over the 9 digits), e.g. `Y6012345105`.
Unique within a world, deterministic for its seed.
"""

from __future__ import annotations

import numpy as np

from sidil.demo.randomness import stream
from sidil.demo.world import World

LETRAS = np.frombuffer(b"ABCDEFGHJKLMNPRSTUVWXYZ", dtype=np.uint8)  # no I, O, Q (read as digits)


def luhn_digit(digits: np.ndarray) -> np.ndarray:
    """Luhn check digit for each row of an (n, k) array of digits 0-9."""
    d = digits.astype(np.int64)[:, ::-1].copy()
    d[:, 0::2] *= 2
    d[:, 0::2] -= 9 * (d[:, 0::2] > 9)
    return (10 - d.sum(axis=1) % 10) % 10


def registro_strings(world: World) -> np.ndarray:
    """The registro of every world employer as a numpy `S11` array (index = registro index)."""
    n = len(world.registros.n_trabajadores)
    rng = stream(world.seed, "ids", "registro")
    # Unique 9-digit bodies: a random permutation of a range large enough for every scale.
    body = rng.choice(1_000_000_000, size=n, replace=False) if n < 2_000_000 else None
    if body is None:  # pragma: no cover - worlds of more than 2M employers are not used
        raise ValueError("demasiados registros")
    digits = (body[:, None] // (10 ** np.arange(8, -1, -1))) % 10
    chars = np.empty((n, 11), dtype=np.uint8)
    chars[:, 0] = LETRAS[rng.integers(0, len(LETRAS), n)]
    chars[:, 1:10] = digits + ord("0")
    chars[:, 10] = luhn_digit(digits) + ord("0")
    return chars.view("S11").ravel()


def registro_valido(registro: str) -> bool:
    """True when a registro string has the demo's structure and a correct check digit."""
    if len(registro) != 11 or not registro[0].isalpha() or not registro[1:].isdigit():
        return False
    digits = np.array([[int(c) for c in registro[1:10]]])
    return int(luhn_digit(digits)[0]) == int(registro[10])
