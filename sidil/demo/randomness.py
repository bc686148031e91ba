"""Independent, reproducible random streams: one per (seed, component, part).

Every generator asks for its own stream by name, so adding draws to one source never changes the
files of another, and the same seed always gives byte-identical files.
"""

from __future__ import annotations

import zlib

import numpy as np


def stream(seed: int, *keys: str | int) -> np.random.Generator:
    """A numpy Generator for `seed` and the named part of the demo (e.g. "imss", "puestos", 2026, 9)."""
    words = [int(seed) & 0xFFFFFFFF]
    for key in keys:
        words.append(key if isinstance(key, int) else zlib.crc32(str(key).encode("utf-8")))
    return np.random.default_rng(np.random.SeedSequence(words))
