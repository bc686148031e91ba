"""The operators' audit log: one JSON line per upload, catalog change, run and publication, with the user.

`logs/auditoria.log` (SIDIL_AUDITORIA overrides). Each event is serialised with `json.dumps`, so whatever a
user typed or uploaded (a file name, a comment) stays a value: it cannot break a line or forge another event.
"""

from __future__ import annotations

import fcntl
import json
from datetime import UTC, datetime
from pathlib import Path

import settings


def ruta_auditoria() -> Path:
    return settings.auditoria()


def auditar(usuario: str, accion: str, detalle: str) -> None:
    """Append one event. The write is a single `write` of one line under an exclusive lock, so events of
    concurrent sessions (threads or processes) never interleave."""
    evento = {
        "fecha": datetime.now(UTC).isoformat(timespec="seconds"),
        "usuario": str(usuario),
        "accion": str(accion),
        "detalle": str(detalle),
    }
    linea = json.dumps(evento, ensure_ascii=False) + "\n"
    ruta = ruta_auditoria()
    ruta.parent.mkdir(parents=True, exist_ok=True)
    with open(ruta, "a", encoding="utf-8") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            f.write(linea)
            f.flush()
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def eventos(ruta: Path | None = None) -> list[dict]:
    """Every event, oldest first (a line that does not parse is skipped, not fatal)."""
    ruta = ruta or ruta_auditoria()
    if not ruta.exists():
        return []
    salida = []
    with open(ruta, encoding="utf-8") as f:
        for linea in f:
            try:
                salida.append(json.loads(linea))
            except json.JSONDecodeError:
                continue
    return salida
