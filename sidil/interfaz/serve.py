"""`sidil serve`: check what the interface needs, then run it under uvicorn."""

from __future__ import annotations

from pathlib import Path

from sidil.interfaz import usuarios
from sidil.interfaz.mpr import MatrizNoDisponible


def servir(host: str, port: int, mpr: Path | None, say, insumos: Path | None = None) -> int:
    import uvicorn

    from sidil.interfaz.web import crear_app

    if not usuarios.leer():
        say(
            f"***ERROR***: no hay usuarios en {usuarios.ruta_usuarios()}; cree uno con "
            f"`sidil users add USUARIO --rol administrador`."
        )
        return 2
    try:
        app = crear_app(mpr, insumos=insumos)
    except MatrizNoDisponible as exc:
        say(f"***ERROR***: {exc}")
        return 2
    say(
        f"INFO: interfaz de consulta en http://{host}:{port}/ y de operación en http://{host}:{port}/operador/ "
        f"(Ctrl+C para detener)."
    )
    # uvicorn would believe X-Forwarded-For from any local client (a bypass of the per-client limit on
    # failed logins): the app itself trusts it only from SIDIL_PROXIES_CONFIABLES.
    uvicorn.run(app, host=host, port=port, log_level="warning", proxy_headers=False)
    return 0
