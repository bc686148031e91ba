"""Sessions and the guard on failed logins: after too many failures for one user or from one client in a
window, further attempts are refused until the window passes. Every attempt is logged."""

from __future__ import annotations

import logging
import os
import secrets
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from pathlib import Path

from sidil.interfaz.mpr import PROJECT_DIR

log = logging.getLogger("sidil.interfaz.acceso")


def configurar_bitacora(ruta: Path | None = None) -> Path:
    """Log access attempts to `logs/interfaz_accesos.log` (SIDIL_INTERFAZ_LOG overrides)."""
    ruta = ruta or Path(os.environ.get("SIDIL_INTERFAZ_LOG") or PROJECT_DIR / "logs" / "interfaz_accesos.log")
    ruta.parent.mkdir(parents=True, exist_ok=True)
    if not any(getattr(h, "baseFilename", None) == str(ruta.resolve()) for h in log.handlers):
        h = logging.FileHandler(ruta, encoding="utf-8")
        h.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
        log.addHandler(h)
    log.setLevel(logging.INFO)
    return ruta


class Limitador:
    """At most `max_usuario` failures per user and `max_cliente` per client address in `ventana` s."""

    def __init__(self, max_usuario: int = 5, max_cliente: int = 20, ventana: float = 900.0,
                 reloj=time.monotonic):
        self.max_usuario, self.max_cliente, self.ventana, self.reloj = max_usuario, max_cliente, ventana, reloj
        self._fallos: dict[tuple[str, str], deque] = defaultdict(deque)
        self._lock = threading.Lock()

    def _vigentes(self, clave) -> deque:
        q, ahora = self._fallos[clave], self.reloj()
        while q and ahora - q[0] > self.ventana:
            q.popleft()
        return q

    def bloqueado(self, usuario: str, cliente: str) -> bool:
        with self._lock:
            return (len(self._vigentes(("usuario", usuario))) >= self.max_usuario
                    or len(self._vigentes(("cliente", cliente))) >= self.max_cliente)

    def fallo(self, usuario: str, cliente: str) -> None:
        with self._lock:
            ahora = self.reloj()
            self._fallos[("usuario", usuario)].append(ahora)
            self._fallos[("cliente", cliente)].append(ahora)

    def exito(self, usuario: str) -> None:
        with self._lock:
            self._fallos.pop(("usuario", usuario), None)


@dataclass
class Sesion:
    usuario: str
    rol: str
    expira: float


class Sesiones:
    """Server-side sessions behind a random cookie token; they end on logout, expiry or restart."""

    def __init__(self, duracion: float = 8 * 3600, reloj=time.time):
        self.duracion, self.reloj = duracion, reloj
        self._sesiones: dict[str, Sesion] = {}
        self._lock = threading.Lock()

    def abrir(self, usuario: str, rol: str) -> str:
        token = secrets.token_urlsafe(32)
        with self._lock:
            self._sesiones[token] = Sesion(usuario, rol, self.reloj() + self.duracion)
        return token

    def obtener(self, token: str | None) -> Sesion | None:
        if not token:
            return None
        with self._lock:
            s = self._sesiones.get(token)
            if s and s.expira < self.reloj():
                del self._sesiones[token]
                return None
            return s

    def cerrar(self, token: str | None) -> None:
        with self._lock:
            self._sesiones.pop(token or "", None)
