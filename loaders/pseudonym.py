"""Keyed pseudonyms for personal identifiers (NSS, CURP): HMAC-SHA256 computed inside DuckDB.

The key comes from SIDIL_PSEUDO_KEY. For the synthetic demo only, a random key is created in the
git-ignored file `.sidil_pseudo_key` when none is set, so `make run` works on a fresh machine.
The key never enters the repository or any table; the same key gives the same pseudonym, so months link.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

KEY_ENV = "SIDIL_PSEUDO_KEY"
KEY_FILE = Path(".sidil_pseudo_key")


class MissingKey(Exception):
    pass


def load_key(allow_demo_key: bool) -> bytes:
    value = os.environ.get(KEY_ENV)
    if value:
        return value.encode("utf-8")
    if KEY_FILE.exists():
        return KEY_FILE.read_text(encoding="utf-8").strip().encode("utf-8")
    if not allow_demo_key:
        raise MissingKey(
            f"Falta la llave de seudonimización: defina la variable de entorno {KEY_ENV} (no la guarde en el "
            f"repositorio). Sin ella no se pueden cargar NSS ni CURP."
        )
    KEY_FILE.write_text(secrets.token_hex(32) + "\n", encoding="utf-8")
    KEY_FILE.chmod(0o600)
    return KEY_FILE.read_text(encoding="utf-8").strip().encode("utf-8")


def hmac_pads(key: bytes) -> tuple[bytes, bytes]:
    """HMAC inner and outer padded keys (RFC 2104, SHA-256 block of 64 bytes)."""
    import hashlib

    if len(key) > 64:
        key = hashlib.sha256(key).digest()
    key = key.ljust(64, b"\0")
    return bytes(b ^ 0x36 for b in key), bytes(b ^ 0x5C for b in key)


def hmac_sql(column_sql: str, ipad_param: str = "$ipad", opad_param: str = "$opad") -> str:
    """SQL expression: hex HMAC-SHA256 of a text column (NULL stays NULL)."""
    return f"sha256({opad_param}::blob || unhex(sha256({ipad_param}::blob || encode({column_sql}))))"
