"""The web server: a login page, the session guard in front of every page, and the two Shiny apps —
the consultation (planners and administrators) at `/` and the administrator page at `/admin/`."""

from __future__ import annotations

import html
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route

from sidil.interfaz import usuarios
from sidil.interfaz.acceso import Limitador, Sesiones, configurar_bitacora, log
from sidil.interfaz.mpr import Matriz

COOKIE = "sidil_sesion"
LIBRES = ("/login", "/logout")

_ESTILO = """<style>body{font-family:system-ui,sans-serif;background:#f3f5f8;margin:0}
.caja{max-width:380px;margin:10vh auto;background:#fff;padding:2rem;border-radius:8px;box-shadow:0 2px 8px #0002}
h1{font-size:1.3rem;color:#1f3b5a}label{display:block;margin-top:1rem}input{width:100%;padding:.5rem;
box-sizing:border-box}button{margin-top:1.5rem;width:100%;padding:.6rem;background:#1f6f43;color:#fff;border:0;
border-radius:4px;font-size:1rem}.error{color:#a40000;margin-top:1rem}</style>"""


def pagina_login(mensaje: str = "", estado: int = 200) -> HTMLResponse:
    error = f'<p class="error" id="error-login">{html.escape(mensaje)}</p>' if mensaje else ""
    return HTMLResponse(f"""<!doctype html><html lang="es"><head><meta charset="utf-8">
<title>SIDIL — Acceso</title>{_ESTILO}</head><body><div class="caja">
<h1>SIDIL — Interfaz de consulta de la Matriz de Predicción de Riesgo</h1>
<form method="post" action="/login"><label>Usuario <input name="usuario" id="usuario" autocomplete="username"
required></label><label>Contraseña <input name="contrasena" id="contrasena" type="password"
autocomplete="current-password" required></label><button type="submit" id="entrar">Entrar</button></form>
{error}</div></body></html>""", status_code=estado)


def pagina_prohibida() -> HTMLResponse:
    return HTMLResponse(f"""<!doctype html><html lang="es"><head><meta charset="utf-8"><title>SIDIL</title>
{_ESTILO}</head><body><div class="caja"><h1 id="prohibido">Acceso no permitido</h1><p>Esta página es solo para
administradores.</p><p><a href="/">Volver a la consulta</a></p></div></body></html>""", status_code=403)


class Guardia:
    """ASGI middleware: no page, asset, download or websocket without a session; `/admin` only for
    administrators. The session reaches the Shiny apps in the ASGI scope."""

    def __init__(self, app, sesiones: Sesiones):
        self.app, self.sesiones = app, sesiones

    async def __call__(self, scope, receive, send):
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        ruta = scope.get("path", "")
        if ruta in LIBRES:
            return await self.app(scope, receive, send)
        token = _cookie(scope, COOKIE)
        sesion = self.sesiones.obtener(token)
        admin = ruta == "/admin" or ruta.startswith("/admin/")
        if sesion is None or (admin and sesion.rol != "administrador"):
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1008})
                return
            respuesta = RedirectResponse("/login", status_code=303) if sesion is None else pagina_prohibida()
            return await respuesta(scope, receive, send)
        scope["sidil_sesion"] = sesion
        return await self.app(scope, receive, send)


def _cookie(scope, nombre: str) -> str | None:
    for clave, valor in scope.get("headers", []):
        if clave == b"cookie":
            for parte in valor.decode("latin-1").split(";"):
                k, _, v = parte.strip().partition("=")
                if k == nombre:
                    return v
    return None


def crear_app(ruta_mpr: Path | str | None = None, limitador: Limitador | None = None) -> Guardia:
    """The whole application, ready for uvicorn."""
    from sidil.interfaz.app_admin import crear_app_admin
    from sidil.interfaz.app_consulta import crear_app_consulta

    configurar_bitacora()
    matriz = Matriz(ruta_mpr)
    sesiones = Sesiones()
    limitador = limitador or Limitador()

    async def login(request: Request) -> Response:
        if request.method == "GET":
            if sesiones.obtener(request.cookies.get(COOKIE)):
                return RedirectResponse("/", status_code=303)
            return pagina_login()
        form = await request.form()
        usuario = str(form.get("usuario", "")).strip()
        contrasena = str(form.get("contrasena", ""))
        cliente = request.client.host if request.client else "desconocido"
        if limitador.bloqueado(usuario, cliente):
            log.warning(f"***ADVERTENCIA***: acceso bloqueado por intentos fallidos usuario={usuario!r} "
                        f"cliente={cliente}")
            return pagina_login("Demasiados intentos fallidos; espere unos minutos antes de intentar de nuevo.",
                                429)
        rol = usuarios.verificar(usuario, contrasena)
        if rol is None:
            limitador.fallo(usuario, cliente)
            log.warning(f"***ADVERTENCIA***: contraseña o usuario incorrectos usuario={usuario!r} "
                        f"cliente={cliente}")
            return pagina_login("Usuario o contraseña incorrectos.", 401)
        limitador.exito(usuario)
        log.info(f"INFO: acceso correcto usuario={usuario!r} rol={rol} cliente={cliente}")
        respuesta = RedirectResponse("/", status_code=303)
        respuesta.set_cookie(COOKIE, sesiones.abrir(usuario, rol), httponly=True, samesite="strict",
                             max_age=int(sesiones.duracion))
        return respuesta

    async def logout(request: Request) -> Response:
        sesion = sesiones.obtener(request.cookies.get(COOKIE))
        if sesion:
            log.info(f"INFO: cierre de sesión usuario={sesion.usuario!r}")
        sesiones.cerrar(request.cookies.get(COOKIE))
        respuesta = RedirectResponse("/login", status_code=303)
        respuesta.delete_cookie(COOKIE)
        return respuesta

    app = Starlette(routes=[
        Route("/login", login, methods=["GET", "POST"]),
        Route("/logout", logout, methods=["GET"]),
        Mount("/admin", app=crear_app_admin(matriz)),
        Mount("/", app=crear_app_consulta(matriz)),
    ])
    return Guardia(app, sesiones)
