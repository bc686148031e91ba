"""Users of the interface: a JSON file (`config/usuarios.json`, SIDIL_USUARIOS overrides; never in git)
with argon2 password hashes and a role, managed by `sidil users add/remove`."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

import settings

# planeador: the consultation only; operador: also the operators' app (/operador/: uploads, catalogs, runs,
# publication); administrador: everything.
ROLES = ("planeador", "operador", "administrador")
ROLES_OPERACION = ("operador", "administrador")
_HASHER = PasswordHasher()
# Verifying against this when the user does not exist takes as long as a real check: the response time
# does not tell which users exist.
_HASH_FICTICIO = _HASHER.hash("usuario-inexistente")


def ruta_usuarios() -> Path:
    return settings.usuarios()


def leer(ruta: Path | None = None) -> dict[str, dict]:
    ruta = ruta or ruta_usuarios()
    if not ruta.exists():
        return {}
    return json.loads(ruta.read_text(encoding="utf-8"))


def _guardar(usuarios: dict, ruta: Path) -> None:
    ruta.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=ruta.parent, prefix=".usuarios-")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(usuarios, f, ensure_ascii=False, indent=2, sort_keys=True)
    os.chmod(tmp, 0o600)
    os.replace(tmp, ruta)


def agregar(usuario: str, contrasena: str, rol: str, ruta: Path | None = None) -> bool:
    """Add or replace a user; True if it replaced one."""
    ruta = ruta or ruta_usuarios()
    usuario = usuario.strip()
    if not usuario or any(ch.isspace() for ch in usuario):
        raise ValueError("El nombre de usuario no puede estar vacío ni tener espacios.")
    if rol not in ROLES:
        raise ValueError(f"Rol desconocido {rol!r}; use {', '.join(ROLES[:-1])} o {ROLES[-1]}.")
    if len(contrasena) < 8:
        raise ValueError("La contraseña debe tener al menos 8 caracteres.")
    usuarios = leer(ruta)
    existia = usuario in usuarios
    usuarios[usuario] = {"hash": _HASHER.hash(contrasena), "rol": rol}
    _guardar(usuarios, ruta)
    return existia


def quitar(usuario: str, ruta: Path | None = None) -> bool:
    """Remove a user; False if there was none."""
    ruta = ruta or ruta_usuarios()
    usuarios = leer(ruta)
    if usuario not in usuarios:
        return False
    del usuarios[usuario]
    _guardar(usuarios, ruta)
    return True


def verificar(usuario: str, contrasena: str, ruta: Path | None = None) -> str | None:
    """The user's role if the password is right, else None."""
    datos = leer(ruta).get(usuario)
    try:
        _HASHER.verify(datos["hash"] if datos else _HASH_FICTICIO, contrasena)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    return datos["rol"] if datos else None
