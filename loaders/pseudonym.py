"""Keyed pseudonyms for personal identifiers (NSS, CURP): HMAC-SHA256 computed inside DuckDB.

The key comes from SIDIL_PSEUDO_KEY. For the synthetic demo only, a random key is created in the
git-ignored file `.sidil_pseudo_key` when none is set, so `make run` works on a fresh machine.
The key never enters the repository or any table; the same key gives the same pseudonym, so months link.
"""

from __future__ import annotations

import re
import secrets

import settings

KEY_ENV = settings.PSEUDO_KEY_ENV


class MissingKey(Exception):
    pass


def load_key(allow_demo_key: bool) -> bytes:
    value = settings.llave_seudonimo()
    if value:
        return value.encode("utf-8")
    key_file = settings.archivo_llave_demo()
    if key_file.exists():
        return key_file.read_text(encoding="utf-8").strip().encode("utf-8")
    if not allow_demo_key:
        raise MissingKey(
            f"Falta la llave de seudonimización: defina la variable de entorno {KEY_ENV} (no la guarde en el "
            f"repositorio). Sin ella no se pueden cargar NSS ni CURP."
        )
    key_file.write_text(secrets.token_hex(32) + "\n", encoding="utf-8")
    key_file.chmod(0o600)
    return key_file.read_text(encoding="utf-8").strip().encode("utf-8")


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


def pseudonym_hex(key: bytes, value: str) -> str:
    """The pseudonym of one identifier: the same hex HMAC-SHA256 `hmac_sql` lands (value trimmed)."""
    import hashlib
    import hmac

    return hmac.new(key, value.strip().encode("utf-8"), hashlib.sha256).hexdigest()


# What a personal identifier looks like in text that is not a known field (a rejected line, a message).
CURP_TOKEN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{4}\d{6}[HMXhmx][A-Za-z]{5}[A-Za-z0-9]\d(?![A-Za-z0-9])")
NSS_TOKEN = re.compile(r"(?<!\d)\d{11}(?!\d)")


class Redactor:
    """Replaces every NSS- or CURP-shaped token in a text by its pseudonym (`nss_hash:<hex>`), so that a
    rejected line or a message about a bad row can still be linked to the landed rows, never read in clear.
    Applied to everything stored or printed about a row: raw.load_rejects, the manifest, the log."""

    def __init__(self, key: bytes):
        self.key = key

    def __call__(self, text: str | None) -> str | None:
        if text is None:
            return None
        text = CURP_TOKEN.sub(lambda m: f"curp_hash:{pseudonym_hex(self.key, m.group(0))}", str(text))
        return NSS_TOKEN.sub(lambda m: f"nss_hash:{pseudonym_hex(self.key, m.group(0))}", text)


class KeyMismatch(Exception):
    pass


FINGERPRINT_TABLE = "raw.llave_seudonimizacion"


def fingerprint(key: bytes) -> str:
    """A fingerprint of the key (an HMAC of a fixed text): tells keys apart without revealing them."""
    import hashlib
    import hmac

    return hmac.new(key, b"sidil:huella-de-la-llave:v1", hashlib.sha256).hexdigest()


def check_key(con, key: bytes) -> None:
    """Record the key's fingerprint at the first load; refuse any other key afterwards, because its
    pseudonyms would not link with the months already landed (turnover and flows would be wrong)."""
    con.execute("create schema if not exists raw")
    con.execute(f"create table if not exists {FINGERPRINT_TABLE} (huella varchar, registrada_en timestamp)")
    rows = con.execute(f"select huella from {FINGERPRINT_TABLE}").fetchall()
    if not rows:
        con.execute(f"insert into {FINGERPRINT_TABLE} values (?, current_localtimestamp())", [fingerprint(key)])
        return
    if rows[0][0] != fingerprint(key):
        raise KeyMismatch(
            f"la llave de seudonimización ({KEY_ENV}) no es la misma con la que se cargó esta base de datos: "
            f"los NSS y CURP de lo nuevo no coincidirían con los meses ya cargados y la rotación y los flujos "
            f"saldrían mal. Use la llave original. Para cambiar de llave hay que recargar todo en una base "
            f"nueva (vea el README, «Cambiar la llave de seudonimización»). No se cargó nada."
        )
