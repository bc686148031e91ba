"""The web server: a login page, the session guard in front of every page, and the two Shiny apps —
the consultation (every role) at `/` and the operators' app (operators and administrators) at
`/operador/`; the former administrator page `/admin/` now redirects to the operators' status tab.

Both forms (login, logout) are POSTs that carry a CSRF token and are refused when their Origin (or Referer)
names another host; every response carries the security headers below; a websocket ends with the login
session it was opened under (logout or expiry)."""

from __future__ import annotations

import asyncio
import html
import secrets
from pathlib import Path
from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route

import settings
from sidil.interfaz import usuarios
from sidil.interfaz.acceso import (
    Limitador,
    Sesion,
    Sesiones,
    configurar_bitacora,
    direccion_cliente,
    log,
    normalizar_ip,
    proxies_confiables,
)
from sidil.interfaz.mpr import Matriz

COOKIE = "sidil_sesion"
COOKIE_CSRF = "sidil_csrf"  # the login form's token before there is a session (double-submit cookie)
LIBRES = ("/login", "/logout")
# Shiny's pages carry inline scripts and styles, and its plots are data: images; everything else comes
# from this origin, the websocket included, and no other site may frame the pages.
CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
CABECERAS = (
    (b"x-frame-options", b"DENY"),
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
)

_ESTILO = """<style>body{font-family:system-ui,sans-serif;background:#f3f5f8;margin:0}
.caja{max-width:380px;margin:10vh auto;background:#fff;padding:2rem;border-radius:8px;box-shadow:0 2px 8px #0002}
h1{font-size:1.3rem;color:#1f3b5a}label{display:block;margin-top:1rem}input{width:100%;padding:.5rem;
box-sizing:border-box}button{margin-top:1.5rem;width:100%;padding:.6rem;background:#1f6f43;color:#fff;border:0;
border-radius:4px;font-size:1rem}.error{color:#a40000;margin-top:1rem}</style>"""


def pagina_login(mensaje: str = "", estado: int = 200, csrf: str = "") -> HTMLResponse:
    error = f'<p class="error" id="error-login">{html.escape(mensaje)}</p>' if mensaje else ""
    return HTMLResponse(
        f"""<!doctype html><html lang="es"><head><meta charset="utf-8">
<title>SIDIL — Acceso</title>{_ESTILO}</head><body><div class="caja">
<h1>SIDIL — Interfaz de consulta de la Matriz de Predicción de Riesgo</h1>
<form method="post" action="/login"><input type="hidden" name="csrf" value="{html.escape(csrf)}">
<label>Usuario <input name="usuario" id="usuario" autocomplete="username" required></label>
<label>Contraseña <input name="contrasena" id="contrasena" type="password" autocomplete="current-password"
required></label><button type="submit" id="entrar">Entrar</button></form>
{error}</div></body></html>""",
        status_code=estado,
    )


def pagina_prohibida() -> HTMLResponse:
    return HTMLResponse(
        f"""<!doctype html><html lang="es"><head><meta charset="utf-8"><title>SIDIL</title>
{_ESTILO}</head><body><div class="caja"><h1 id="prohibido">Acceso no permitido</h1><p>Esta página es solo para
operadores y administradores.</p><p><a href="/">Volver a la consulta</a></p></div></body></html>""",
        status_code=403,
    )


# The operators' app and the old administrator address: only these roles, for every page, asset, upload,
# download and websocket under them.
RUTAS_OPERACION = ("/operador", "/admin")


def es_de_operacion(ruta: str) -> bool:
    return any(ruta == r or ruta.startswith(r + "/") for r in RUTAS_OPERACION)


async def admin_redirigida(scope, receive, send):
    """`/admin/...`: the administrator page's content lives in the operators' status tab now."""
    if scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": 1008})
        return
    await RedirectResponse("/operador/?pestana=procesos", status_code=303)(scope, receive, send)


def pagina_salir(csrf: str) -> HTMLResponse:
    """GET /logout only asks: closing the session takes the POST of this form."""
    return HTMLResponse(f"""<!doctype html><html lang="es"><head><meta charset="utf-8"><title>SIDIL</title>
{_ESTILO}</head><body><div class="caja"><h1>¿Cerrar la sesión?</h1><form method="post" action="/logout">
<input type="hidden" name="csrf" value="{html.escape(csrf)}"><button type="submit" id="confirmar_salir">Cerrar
sesión</button></form><p><a href="/">Volver a la consulta</a></p></div></body></html>""")


def pagina_rechazada() -> HTMLResponse:
    return HTMLResponse(
        f"""<!doctype html><html lang="es"><head><meta charset="utf-8"><title>SIDIL</title>
{_ESTILO}</head><body><div class="caja"><h1 id="rechazada">Solicitud rechazada</h1><p>El formulario no viene de
esta página o ya venció. Vuelva a la página y envíelo de nuevo.</p><p><a href="/">Volver a la consulta</a></p>
</div></body></html>""",
        status_code=403,
    )


def boton_salir(sesion: Sesion | None, accion: str):
    """The "Cerrar sesión" button of the Shiny pages: a POST to /logout with the session's token
    (`accion` is relative, "logout" or "../logout", as the apps' other links)."""
    from shiny import ui

    return ui.tags.form(
        ui.tags.input(type="hidden", name="csrf", value=sesion.csrf if sesion else ""),
        ui.tags.button("Cerrar sesión", type="submit", id="salir", class_="btn btn-link nav-link d-inline p-0"),
        method="post",
        action=accion,
        class_="d-inline m-0",
    )


class Guardia:
    """ASGI middleware: no page, asset, download or websocket without a session; `/operador` (and the old
    `/admin`) only for operators and administrators; the security headers on every response; a websocket
    closed (code 1008) as soon as its login session ends. The session reaches the Shiny apps in the ASGI scope."""

    def __init__(self, app, sesiones: Sesiones):
        self.app, self.sesiones = app, sesiones

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            send = _con_cabeceras(send)
        elif scope["type"] != "websocket":
            return await self.app(scope, receive, send)
        ruta = scope.get("path", "")
        if ruta in LIBRES:
            return await self.app(scope, receive, send)
        token = _cookie(scope, COOKIE)
        sesion = self.sesiones.obtener(token)
        if sesion is None or (es_de_operacion(ruta) and sesion.rol not in usuarios.ROLES_OPERACION):
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1008})
                return
            respuesta = RedirectResponse("/login", status_code=303) if sesion is None else pagina_prohibida()
            return await respuesta(scope, receive, send)
        scope["sidil_sesion"] = sesion
        if scope["type"] == "websocket":
            return await self._websocket(scope, receive, send, token)
        return await self.app(scope, receive, send)

    async def _websocket(self, scope, receive, send, token: str):
        """Run the app's websocket while its login session lasts: when the session ends (logout, expiry)
        the socket is closed with 1008 and the app is told the client left, so its Shiny session ends;
        nothing the app sends after that goes out."""
        terminada = asyncio.Event()
        bucle = asyncio.get_running_loop()
        dejar = self.sesiones.vigilar(token, lambda: bucle.call_soon_threadsafe(terminada.set))
        cerrado = False
        pendiente: asyncio.Future | None = None
        salida = {"type": "websocket.disconnect", "code": 1008}

        def restante() -> float | None:
            """Seconds left of the login session, None once it has ended."""
            sesion = None if terminada.is_set() else self.sesiones.obtener(token)
            return None if sesion is None else max(0.0, sesion.expira - self.sesiones.reloj())

        async def cerrar() -> None:
            nonlocal cerrado
            if not cerrado:
                cerrado = True
                await send({"type": "websocket.close", "code": 1008})

        async def recibir():
            nonlocal pendiente
            while True:
                if cerrado:
                    return salida
                queda = restante()
                if queda is None:
                    await cerrar()
                    return salida
                if pendiente is None:
                    pendiente = asyncio.ensure_future(receive())
                fin = asyncio.ensure_future(terminada.wait())
                try:
                    await asyncio.wait({pendiente, fin}, timeout=queda + 1, return_when=asyncio.FIRST_COMPLETED)
                finally:
                    fin.cancel()
                if pendiente.done():
                    mensaje, pendiente = pendiente.result(), None
                    if mensaje["type"] == "websocket.receive" and restante() is None:
                        continue  # a message after the session ended gets no answer: close
                    return mensaje

        async def enviar(mensaje) -> None:
            nonlocal cerrado
            if cerrado:
                return
            if mensaje["type"] == "websocket.send" and restante() is None:
                return await cerrar()
            if mensaje["type"] == "websocket.close":
                cerrado = True
            await send(mensaje)

        try:
            return await self.app(scope, recibir, enviar)
        finally:
            dejar()
            if pendiente is not None:
                pendiente.cancel()


def _con_cabeceras(send):
    """`send` adding the security headers to the start of every HTTP response."""

    async def enviar(mensaje) -> None:
        if mensaje["type"] == "http.response.start":
            cabeceras = list(mensaje.get("headers", []))
            presentes = {bytes(k).lower() for k, _ in cabeceras}
            cabeceras += [(k, v) for k, v in CABECERAS if k not in presentes]
            mensaje = {**mensaje, "headers": cabeceras}
        await send(mensaje)

    return enviar


def _cookie(scope, nombre: str) -> str | None:
    for clave, valor in scope.get("headers", []):
        if clave == b"cookie":
            for parte in valor.decode("latin-1").split(";"):
                k, _, v = parte.strip().partition("=")
                if k == nombre:
                    return v
    return None


def _iguales(enviado, esperado: str | None) -> bool:
    return (
        isinstance(enviado, str)
        and bool(esperado)
        and bool(enviado)
        and secrets.compare_digest(enviado.encode(), str(esperado).encode())
    )


def carpeta_insumos(insumos: Path | str | None = None) -> Path:
    """The input folder the operators' uploads and runs use: the given one, else SIDIL_INSUMOS, else
    demo_data/ of the project."""
    return Path(insumos or settings.insumos()).resolve()


def crear_app(
    ruta_mpr: Path | str | None = None,
    limitador: Limitador | None = None,
    sesiones: Sesiones | None = None,
    proxies: frozenset[str] | None = None,
    insumos: Path | str | None = None,
) -> Guardia:
    """The whole application, ready for uvicorn (run it with uvicorn's own proxy headers off: the client
    address is worked out here, trusting X-Forwarded-For only from `proxies`, SIDIL_PROXIES_CONFIABLES)."""
    from sidil.interfaz.app_consulta import crear_app_consulta
    from sidil.interfaz.app_operador import crear_app_operador
    from sidil.interfaz.limite_carga import LimiteCarga

    configurar_bitacora()
    matriz = Matriz(ruta_mpr)
    sesiones = sesiones or Sesiones()
    limitador = limitador or Limitador()
    confiables = proxies_confiables() if proxies is None else proxies

    def cliente_de(request: Request) -> str:
        return direccion_cliente(
            request.client.host if request.client else None, request.headers.get("x-forwarded-for"), confiables
        )

    def mismo_origen(request: Request) -> bool:
        """A form POST comes from a page of this site: its Origin, or without one its Referer, names the
        Host (the X-Forwarded-Host of a trusted proxy). Clients that send neither are no browser, and the
        token still has to match."""
        origen = request.headers.get("origin") or request.headers.get("referer")
        if origen is None:
            return True
        host = request.headers.get("host", "")
        par = request.client.host if request.client else None
        if par and normalizar_ip(par) in confiables and "x-forwarded-host" in request.headers:
            host = request.headers["x-forwarded-host"].split(",")[-1].strip()
        return bool(host) and urlsplit(origen).netloc.lower() == host.lower()

    def formulario_login(request: Request, mensaje: str = "", estado: int = 200) -> Response:
        token = request.cookies.get(COOKIE_CSRF) or secrets.token_urlsafe(32)
        respuesta = pagina_login(mensaje, estado, token)
        respuesta.set_cookie(COOKIE_CSRF, token, httponly=True, samesite="strict", path="/login")
        return respuesta

    async def login(request: Request) -> Response:
        if request.method == "GET":
            if sesiones.obtener(request.cookies.get(COOKIE)):
                return RedirectResponse("/", status_code=303)
            return formulario_login(request)
        form = await request.form()
        usuario = str(form.get("usuario", "")).strip()
        contrasena = str(form.get("contrasena", ""))
        cliente = cliente_de(request)
        if not mismo_origen(request) or not _iguales(form.get("csrf"), request.cookies.get(COOKIE_CSRF)):
            log.warning(
                f"***ADVERTENCIA***: formulario de acceso rechazado (otro origen o sin token válido) "
                f"usuario={usuario!r} cliente={cliente} origen={request.headers.get('origin')!r}"
            )
            return formulario_login(
                request, "El formulario de acceso venció o no viene de esta página; vuelva a intentarlo.", 403
            )
        if limitador.bloqueado(usuario, cliente):
            log.warning(
                f"***ADVERTENCIA***: acceso bloqueado por intentos fallidos usuario={usuario!r} cliente={cliente}"
            )
            return formulario_login(
                request, "Demasiados intentos fallidos; espere unos minutos antes de intentar de nuevo.", 429
            )
        rol = usuarios.verificar(usuario, contrasena)
        if rol is None:
            limitador.fallo(usuario, cliente)
            log.warning(f"***ADVERTENCIA***: contraseña o usuario incorrectos usuario={usuario!r} cliente={cliente}")
            return formulario_login(request, "Usuario o contraseña incorrectos.", 401)
        limitador.exito(usuario)
        log.info(f"INFO: acceso correcto usuario={usuario!r} rol={rol} cliente={cliente}")
        respuesta = RedirectResponse("/", status_code=303)
        respuesta.set_cookie(
            COOKIE, sesiones.abrir(usuario, rol), httponly=True, samesite="strict", max_age=int(sesiones.duracion)
        )
        return respuesta

    async def logout(request: Request) -> Response:
        token = request.cookies.get(COOKIE)
        sesion = sesiones.obtener(token)
        if sesion is not None and request.method == "GET":
            return pagina_salir(sesion.csrf)  # a link or an image cannot log anyone out
        if sesion is not None:
            form = await request.form()
            if not mismo_origen(request) or not _iguales(form.get("csrf"), sesion.csrf):
                log.warning(
                    f"***ADVERTENCIA***: cierre de sesión rechazado (otro origen o sin token válido) "
                    f"usuario={sesion.usuario!r} cliente={cliente_de(request)}"
                )
                return pagina_rechazada()
            log.info(f"INFO: cierre de sesión usuario={sesion.usuario!r}")
            sesiones.cerrar(token)  # its websockets close with it
        respuesta = RedirectResponse("/login", status_code=303)
        respuesta.delete_cookie(COOKIE)
        return respuesta

    app = Starlette(
        routes=[
            Route("/login", login, methods=["GET", "POST"]),
            Route("/logout", logout, methods=["GET", "POST"]),
            Mount("/admin", app=admin_redirigida),
            Mount("/operador", app=LimiteCarga(crear_app_operador(carpeta_insumos(insumos)))),  # upload size limit
            Mount("/", app=crear_app_consulta(matriz)),
        ]
    )
    return Guardia(app, sesiones)
