"""Sessions and the guard on failed logins: after too many failures for one user or from one client in a
window, further attempts are refused until the window passes. Every attempt is logged."""

from __future__ import annotations

import ipaddress
import logging
import secrets
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import settings

log = logging.getLogger("sidil.interfaz.acceso")


def configurar_bitacora(ruta: Path | None = None) -> Path:
    """Log access attempts to `logs/interfaz_accesos.log` (SIDIL_INTERFAZ_LOG overrides)."""
    ruta = ruta or settings.log_accesos()
    ruta.parent.mkdir(parents=True, exist_ok=True)
    if not any(getattr(h, "baseFilename", None) == str(ruta.resolve()) for h in log.handlers):
        h = logging.FileHandler(ruta, encoding="utf-8")
        h.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
        log.addHandler(h)
    log.setLevel(logging.INFO)
    return ruta


class Limitador:
    """At most `max_usuario` failures per user and `max_cliente` per client address in `ventana` s."""

    def __init__(self, max_usuario: int = 5, max_cliente: int = 20, ventana: float = 900.0, reloj=time.monotonic):
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
            return (
                len(self._vigentes(("usuario", usuario))) >= self.max_usuario
                or len(self._vigentes(("cliente", cliente))) >= self.max_cliente
            )

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
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))  # the token of its POST forms


class Sesiones:
    """Server-side sessions behind a random cookie token; they end on logout, expiry or restart. Whoever
    holds something open for a session (the guard, for each websocket) registers a callback with
    `vigilar`, called once when that session ends."""

    def __init__(self, duracion: float = 8 * 3600, reloj=time.time):
        self.duracion, self.reloj = duracion, reloj
        self._sesiones: dict[str, Sesion] = {}
        self._vigilantes: dict[str, dict[int, Callable[[], None]]] = defaultdict(dict)
        self._lock = threading.Lock()

    def vigilar(self, token: str, aviso: Callable[[], None]) -> Callable[[], None]:
        """Call `aviso` when the session `token` ends; returns the function that stops watching."""
        clave = id(aviso)
        with self._lock:
            self._vigilantes[token][clave] = aviso

        def quitar() -> None:
            with self._lock:
                vigentes = self._vigilantes.get(token)
                if vigentes is not None:
                    vigentes.pop(clave, None)
                    if not vigentes:
                        del self._vigilantes[token]

        return quitar

    def _terminar(self, token: str) -> list[Callable[[], None]]:
        """Drop the session and its watchers (under the lock); the caller runs the callbacks returned."""
        self._sesiones.pop(token, None)
        return list(self._vigilantes.pop(token, {}).values())

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
            avisos = self._terminar(token) if s and s.expira < self.reloj() else None
        if avisos is None:
            return s
        for aviso in avisos:
            aviso()
        return None

    def cerrar(self, token: str | None) -> None:
        with self._lock:
            avisos = self._terminar(token or "")
        for aviso in avisos:
            aviso()


def proxies_confiables() -> frozenset[str]:
    """The reverse proxies whose X-Forwarded-For is believed: SIDIL_PROXIES_CONFIABLES, a comma list of IP
    addresses (none by default)."""
    return frozenset(normalizar_ip(p) for p in settings.proxies_confiables())


def normalizar_ip(texto: str) -> str:
    texto = texto.strip()
    try:
        return str(ipaddress.ip_address(texto))
    except ValueError:
        return texto


def direccion_cliente(par: str | None, reenviado: str | None, confiables: frozenset[str]) -> str:
    """The client's address for the failed-login limit and the log: the direct peer, unless the peer is a
    trusted proxy; then the right-most X-Forwarded-For address that is not itself a trusted proxy (the
    left part of the header is whatever the client wrote)."""
    if not par:
        return "desconocido"
    par = normalizar_ip(par)
    if par not in confiables or not reenviado:
        return par
    for direccion in reversed([normalizar_ip(d) for d in reenviado.split(",") if d.strip()]):
        if direccion not in confiables:
            return direccion
    return par
