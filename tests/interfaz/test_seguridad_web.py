"""The web boundary at the HTTP level (the ASGI app called directly, and `sidil serve` for real): the security
headers, the CSRF token and Origin check of the login and logout forms, logout by POST only, websockets
that end with their login session, and X-Forwarded-For believed only from a configured proxy."""

from __future__ import annotations

import asyncio
import http.cookiejar
import os
import re
import urllib.error
import urllib.parse
import urllib.request

import pytest

from sidil.interfaz import usuarios
from sidil.interfaz.acceso import Limitador, Sesiones, direccion_cliente, proxies_confiables
from sidil.interfaz.web import COOKIE, COOKIE_CSRF, Guardia, crear_app
from tests.interfaz.conftest import sidil_serve

CLAVE = "una-clave-larga"
FORM = ("content-type", "application/x-www-form-urlencoded")
CABECERAS = {"x-frame-options": "DENY", "x-content-type-options": "nosniff", "referrer-policy": "same-origin"}


def _pedir(app, metodo: str, ruta: str, headers=(), datos: dict | None = None, cliente: str = "127.0.0.1") -> dict:
    """One HTTP request through the ASGI app: {'status', 'headers' (name -> list of values), 'body'}."""
    hs = [(k.lower().encode(), v.encode()) for k, v in headers]
    if not any(k == b"host" for k, _ in hs):
        hs.append((b"host", b"sidil.local"))
    cuerpo = urllib.parse.urlencode(datos).encode() if datos is not None else b""
    if datos is not None:
        hs.append((b"content-type", b"application/x-www-form-urlencoded"))
    camino, _, consulta = ruta.partition("?")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": metodo,
        "scheme": "http",
        "path": camino,
        "raw_path": camino.encode(),
        "query_string": consulta.encode(),
        "root_path": "",
        "headers": hs,
        "client": (cliente, 40000),
        "server": ("sidil.local", 80),
    }
    salida: dict = {"status": None, "headers": {}, "body": b""}
    enviado = False

    async def receive():
        nonlocal enviado
        if not enviado:
            enviado = True
            return {"type": "http.request", "body": cuerpo, "more_body": False}
        await asyncio.sleep(3600)

    async def send(m):
        if m["type"] == "http.response.start":
            salida["status"] = m["status"]
            for k, v in m["headers"]:
                salida["headers"].setdefault(k.decode().lower(), []).append(v.decode())
        elif m["type"] == "http.response.body":
            salida["body"] += m.get("body", b"")

    asyncio.run(app(scope, receive, send))
    salida["body"] = salida["body"].decode("utf-8", "replace")
    return salida


def _cookie(r: dict, nombre: str) -> str | None:
    for v in r["headers"].get("set-cookie", []):
        k, _, resto = v.partition("=")
        if k == nombre:
            return resto.split(";")[0]
    return None


def _token(r: dict) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', r["body"])[1]


@pytest.fixture
def web(mpr_manual, tmp_path, monkeypatch):
    monkeypatch.setenv("SIDIL_USUARIOS", str(tmp_path / "usuarios.json"))
    monkeypatch.setenv("SIDIL_INTERFAZ_LOG", str(tmp_path / "accesos.log"))
    usuarios.agregar("ana", CLAVE, "planeador")
    sesiones = Sesiones()
    return {
        "app": crear_app(mpr_manual, sesiones=sesiones, proxies=frozenset()),
        "sesiones": sesiones,
        "log": tmp_path / "accesos.log",
    }


def _entrar(app) -> str:
    """Log in as a browser does; returns the session cookie."""
    pagina = _pedir(app, "GET", "/login")
    r = _pedir(
        app,
        "POST",
        "/login",
        [("cookie", f"{COOKIE_CSRF}={_cookie(pagina, COOKIE_CSRF)}"), ("origin", "http://sidil.local")],
        {"usuario": "ana", "contrasena": CLAVE, "csrf": _token(pagina)},
    )
    assert r["status"] == 303 and r["headers"]["location"] == ["/"]
    return _cookie(r, COOKIE)


def test_every_response_carries_the_security_headers(web):
    app = web["app"]
    cookie = _entrar(app)
    respuestas = [
        _pedir(app, "GET", "/login"),
        _pedir(app, "GET", "/"),  # page, redirect
        _pedir(app, "GET", "/", [("cookie", f"{COOKIE}={cookie}")]),  # the Shiny page
        _pedir(app, "GET", "/lib/shiny-1.8.0/shiny.js", [("cookie", f"{COOKIE}={cookie}")]),
        _pedir(app, "GET", "/admin/", [("cookie", f"{COOKIE}={cookie}")]),  # 403 for a planner
        _pedir(app, "POST", "/login", datos={"usuario": "x"}),
    ]  # a refused POST
    assert [r["status"] for r in respuestas] == [200, 303, 200, 200, 403, 403]
    for r in respuestas:
        assert {k: r["headers"].get(k) for k in CABECERAS} == {k: [v] for k, v in CABECERAS.items()}
        csp = r["headers"]["content-security-policy"][0]
        assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp and "object-src 'none'" in csp


def test_the_login_form_needs_its_token_and_this_site_as_origin(web):
    app = web["app"]
    pagina = _pedir(app, "GET", "/login")
    token, galleta = _token(pagina), _cookie(pagina, COOKIE_CSRF)
    assert token == galleta and len(token) > 30
    atributos = pagina["headers"]["set-cookie"][0]
    assert "Path=/login" in atributos and "SameSite=strict" in atributos and "HttpOnly" in atributos
    datos = {"usuario": "ana", "contrasena": CLAVE, "csrf": token}
    con_galleta = ("cookie", f"{COOKIE_CSRF}={galleta}")
    intentos = {
        "sin token": _pedir(app, "POST", "/login", [con_galleta], {"usuario": "ana", "contrasena": CLAVE}),
        "sin galleta": _pedir(app, "POST", "/login", [], datos),
        "otro token": _pedir(app, "POST", "/login", [("cookie", f"{COOKIE_CSRF}=otro")], datos),
        "otro sitio": _pedir(app, "POST", "/login", [con_galleta, ("origin", "https://malo.example")], datos),
        "origen nulo": _pedir(app, "POST", "/login", [con_galleta, ("origin", "null")], datos),
        "referer de otro sitio": _pedir(
            app, "POST", "/login", [con_galleta, ("referer", "https://malo.example/x")], datos
        ),
        "otro puerto": _pedir(app, "POST", "/login", [con_galleta, ("origin", "http://sidil.local:8080")], datos),
    }
    assert {k: r["status"] for k, r in intentos.items()} == dict.fromkeys(intentos, 403)
    assert not [k for k, r in intentos.items() if _cookie(r, COOKIE)]  # no session was opened
    assert "no viene de esta página" in intentos["otro sitio"]["body"]
    bien = _pedir(app, "POST", "/login", [con_galleta, ("origin", "http://sidil.local")], datos)
    assert bien["status"] == 303 and _cookie(bien, COOKIE)
    por_referer = _pedir(app, "POST", "/login", [con_galleta, ("referer", "http://sidil.local/login")], datos)
    assert por_referer["status"] == 303
    assert web["log"].read_text(encoding="utf-8").count("formulario de acceso rechazado") == 7


def test_logout_is_a_post_with_the_session_token(web):
    app, sesiones = web["app"], web["sesiones"]
    cookie = _entrar(app)
    con_sesion = ("cookie", f"{COOKIE}={cookie}")
    sigue = lambda: _pedir(app, "GET", "/", [con_sesion])["status"] == 200  # noqa: E731
    pagina = _pedir(app, "GET", "/logout", [con_sesion])  # a GET only asks
    assert pagina["status"] == 200 and 'id="confirmar_salir"' in pagina["body"] and sigue()
    token = _token(pagina)
    assert token == sesiones.obtener(cookie).csrf
    assert _pedir(app, "POST", "/logout", [con_sesion], {})["status"] == 403 and sigue()
    assert _pedir(app, "POST", "/logout", [con_sesion], {"csrf": "otro"})["status"] == 403 and sigue()
    assert (
        _pedir(app, "POST", "/logout", [con_sesion, ("origin", "https://malo.example")], {"csrf": token})["status"]
        == 403
        and sigue()
    )
    r = _pedir(app, "POST", "/logout", [con_sesion, ("origin", "http://sidil.local")], {"csrf": token})
    assert r["status"] == 303 and r["headers"]["location"] == ["/login"]
    assert sesiones.obtener(cookie) is None and not sigue()
    assert _pedir(app, "GET", "/logout", [con_sesion])["status"] == 303  # no session: to the login


def _websocket(sesiones: Sesiones, token: str, pasos):
    """Run the guard around an echo websocket app; `pasos(entrada, salida)` drives it. Returns what the
    client was sent and what the app received."""
    recibido: list[dict] = []
    enviado: list[dict] = []

    async def eco(scope, receive, send):
        assert (await receive())["type"] == "websocket.connect"
        await send({"type": "websocket.accept"})
        while True:
            m = await receive()
            recibido.append(m)
            if m["type"] == "websocket.disconnect":
                await send({"type": "websocket.send", "text": "tarde"})  # must not go out
                return
            await send({"type": "websocket.send", "text": "eco " + m["text"]})

    async def main():
        entrada: asyncio.Queue = asyncio.Queue()
        await entrada.put({"type": "websocket.connect"})

        async def send(m):
            enviado.append(m)

        scope = {"type": "websocket", "path": "/websocket/", "headers": [(b"cookie", f"{COOKIE}={token}".encode())]}
        tarea = asyncio.create_task(Guardia(eco, sesiones)(scope, entrada.get, send))
        await pasos(entrada, enviado)
        await asyncio.wait_for(tarea, 5)

    asyncio.run(main())
    return enviado, recibido


async def _esperar(enviado, n):
    for _ in range(200):
        if len(enviado) >= n:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(enviado)


def test_a_websocket_is_closed_when_its_session_logs_out():
    sesiones = Sesiones()
    token, otro = sesiones.abrir("ana", "planeador"), sesiones.abrir("luis", "planeador")

    async def pasos(entrada, enviado):
        await entrada.put({"type": "websocket.receive", "text": "hola"})
        await _esperar(enviado, 2)
        sesiones.cerrar(otro)  # another login's logout does nothing here
        await entrada.put({"type": "websocket.receive", "text": "sigo"})
        await _esperar(enviado, 3)
        sesiones.cerrar(token)  # logout: closed at once, without waiting for a message

    enviado, recibido = _websocket(sesiones, token, pasos)
    assert enviado == [
        {"type": "websocket.accept"},
        {"type": "websocket.send", "text": "eco hola"},
        {"type": "websocket.send", "text": "eco sigo"},
        {"type": "websocket.close", "code": 1008},
    ]
    assert recibido[-1] == {"type": "websocket.disconnect", "code": 1008}


def test_a_websocket_stops_answering_when_its_session_expires():
    reloj = [1000.0]
    sesiones = Sesiones(duracion=60, reloj=lambda: reloj[0])
    token = sesiones.abrir("ana", "planeador")

    async def pasos(entrada, enviado):
        await entrada.put({"type": "websocket.receive", "text": "hola"})
        await _esperar(enviado, 2)
        reloj[0] += 61
        await entrada.put({"type": "websocket.receive", "text": "¿sigues?"})

    enviado, recibido = _websocket(sesiones, token, pasos)
    assert enviado == [
        {"type": "websocket.accept"},
        {"type": "websocket.send", "text": "eco hola"},
        {"type": "websocket.close", "code": 1008},
    ]
    assert [m.get("text") for m in recibido] == ["hola", None]  # "¿sigues?" never reached the app


def test_the_client_address_believes_forwarding_only_from_configured_proxies(monkeypatch):
    monkeypatch.delenv("SIDIL_PROXIES_CONFIABLES", raising=False)
    assert proxies_confiables() == frozenset()
    monkeypatch.setenv("SIDIL_PROXIES_CONFIABLES", " 10.0.0.5, ::1 ,")
    confiables = proxies_confiables()
    assert confiables == {"10.0.0.5", "::1"}
    assert direccion_cliente("127.0.0.1", "1.2.3.4", confiables) == "127.0.0.1"  # not a proxy
    assert direccion_cliente("10.0.0.5", None, confiables) == "10.0.0.5"
    assert direccion_cliente("10.0.0.5", "1.2.3.4", confiables) == "1.2.3.4"
    assert direccion_cliente("10.0.0.5", "6.6.6.6, 1.2.3.4", confiables) == "1.2.3.4"  # the left part is the client's
    assert direccion_cliente("10.0.0.5", "6.6.6.6, 1.2.3.4, ::1", confiables) == "1.2.3.4"
    assert direccion_cliente(None, "1.2.3.4", confiables) == "desconocido"


def test_the_failed_login_limit_is_per_real_client(mpr_manual, tmp_path, monkeypatch):
    monkeypatch.setenv("SIDIL_USUARIOS", str(tmp_path / "usuarios.json"))
    monkeypatch.setenv("SIDIL_INTERFAZ_LOG", str(tmp_path / "accesos.log"))
    usuarios.agregar("ana", CLAVE, "planeador")

    def intento(app, usuario, cliente, reenviado):
        pagina = _pedir(app, "GET", "/login")
        r = _pedir(
            app,
            "POST",
            "/login",
            [("cookie", f"{COOKIE_CSRF}={_cookie(pagina, COOKIE_CSRF)}"), ("x-forwarded-for", reenviado)],
            {"usuario": usuario, "contrasena": "mala-clave", "csrf": _token(pagina)},
            cliente=cliente,
        )
        return r["status"]

    directo = crear_app(mpr_manual, Limitador(max_cliente=3), proxies=frozenset())
    assert [intento(directo, f"u{i}", "127.0.0.1", f"203.0.113.{i}") for i in range(4)] == [401, 401, 401, 429]
    detras = crear_app(mpr_manual, Limitador(max_cliente=3), proxies=frozenset({"127.0.0.1"}))
    assert [intento(detras, f"u{i}", "127.0.0.1", f"203.0.113.{i}") for i in range(4)] == [401] * 4
    assert [intento(detras, f"v{i}", "127.0.0.1", "198.51.100.7") for i in range(4)] == [401, 401, 401, 429]
    assert "cliente=198.51.100.7" in (tmp_path / "accesos.log").read_text(encoding="utf-8")


def test_sidil_serve_does_not_believe_a_local_client_forwarding(mpr_manual, tmp_path):
    """uvicorn believes X-Forwarded-For from 127.0.0.1 by default: with it, 20 failures from one local client
    claiming 20 addresses would never reach the per-client limit."""
    archivo = tmp_path / "usuarios.json"
    usuarios.agregar("ana", CLAVE, "planeador", archivo)
    env = dict(os.environ, SIDIL_USUARIOS=str(archivo), SIDIL_INTERFAZ_LOG=str(tmp_path / "accesos.log"))
    env.pop("SIDIL_PROXIES_CONFIABLES", None)
    with sidil_serve(env, "--mpr", str(mpr_manual)) as url:

        def intento(i: int) -> int:
            jarra = urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
            opener = urllib.request.build_opener(jarra)
            token = re.search(r'name="csrf" value="([^"]+)"', opener.open(url + "/login", timeout=10).read().decode())[
                1
            ]
            datos = urllib.parse.urlencode({"usuario": f"u{i}", "contrasena": "mala-clave", "csrf": token}).encode()
            pedido = urllib.request.Request(url + "/login", datos, headers={"X-Forwarded-For": f"203.0.113.{i}"})
            try:
                return opener.open(pedido, timeout=10).status
            except urllib.error.HTTPError as exc:
                return exc.code

        assert [intento(i) for i in range(21)] == [401] * 20 + [429]
        log = (tmp_path / "accesos.log").read_text(encoding="utf-8")
        assert "203.0.113." not in log and log.count("cliente=127.0.0.1") == 21
