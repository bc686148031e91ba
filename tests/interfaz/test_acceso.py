"""Users (argon2 hashes in a JSON file, `sidil users add/remove`), sessions and the failed-login limiter,
and the administrator page's warehouse reads (including while another process writes)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sidil.interfaz import usuarios
from sidil.interfaz.acceso import Limitador, Sesiones


def test_users_are_stored_hashed_and_verified(tmp_path):
    ruta = tmp_path / "usuarios.json"
    assert usuarios.agregar("ana", "una-clave-larga", "administrador", ruta) is False
    assert usuarios.agregar("pepe", "otra-clave-larga", "planeador", ruta) is False
    texto = ruta.read_text()
    assert "una-clave-larga" not in texto and json.loads(texto)["ana"]["hash"].startswith("$argon2id$")
    assert oct(ruta.stat().st_mode & 0o777) == "0o600"
    assert usuarios.verificar("ana", "una-clave-larga", ruta) == "administrador"
    assert usuarios.verificar("pepe", "otra-clave-larga", ruta) == "planeador"
    assert usuarios.verificar("ana", "otra-clave-larga", ruta) is None
    assert usuarios.verificar("nadie", "una-clave-larga", ruta) is None
    assert usuarios.agregar("pepe", "nueva-clave-larga", "administrador", ruta) is True
    assert usuarios.verificar("pepe", "nueva-clave-larga", ruta) == "administrador"
    assert usuarios.quitar("pepe", ruta) and not usuarios.quitar("pepe", ruta)
    assert usuarios.verificar("pepe", "nueva-clave-larga", ruta) is None


@pytest.mark.parametrize(
    "usuario,clave,rol,mensaje",
    [
        ("ana", "corta", "planeador", "al menos 8"),
        ("ana", "una-clave-larga", "jefe", "Rol desconocido"),
        ("a b", "una-clave-larga", "planeador", "espacios"),
    ],
)
def test_bad_users_are_refused(tmp_path, usuario, clave, rol, mensaje):
    with pytest.raises(ValueError, match=mensaje):
        usuarios.agregar(usuario, clave, rol, tmp_path / "u.json")


def test_the_users_command(tmp_path):
    env = dict(os.environ, SIDIL_USUARIOS=str(tmp_path / "u.json"))
    sidil = str(Path(sys.executable).with_name("sidil"))
    r = subprocess.run(
        [sidil, "users", "add", "ana", "--rol", "planeador", "--password-stdin"],
        input="clave-de-ana-1\n",
        env=env,
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0 and "INFO: usuario ana agregado con rol planeador" in r.stdout
    assert usuarios.verificar("ana", "clave-de-ana-1", tmp_path / "u.json") == "planeador"
    r = subprocess.run(
        [sidil, "users", "add", "ana", "--rol", "director", "--password-stdin"],
        input="clave-de-ana-1\n",
        env=env,
        capture_output=True,
        text=True,
    )
    assert r.returncode == 2 and "***ERROR***: Rol desconocido" in r.stdout
    r = subprocess.run([sidil, "users", "remove", "ana"], env=env, capture_output=True, text=True)
    assert r.returncode == 0 and usuarios.leer(tmp_path / "u.json") == {}
    r = subprocess.run([sidil, "users", "remove", "ana"], env=env, capture_output=True, text=True)
    assert r.returncode == 1 and "no existe el usuario ana" in r.stdout


def test_failed_logins_are_limited_per_user_and_per_client():
    reloj = [0.0]
    lim = Limitador(max_usuario=3, max_cliente=5, ventana=60, reloj=lambda: reloj[0])
    for _ in range(3):
        assert not lim.bloqueado("ana", "10.0.0.1")
        lim.fallo("ana", "10.0.0.1")
    assert lim.bloqueado("ana", "10.0.0.2")  # the user is locked from any client
    assert not lim.bloqueado("pepe", "10.0.0.2")
    lim.fallo("pepe", "10.0.0.1")
    lim.fallo("luis", "10.0.0.1")
    assert lim.bloqueado("maria", "10.0.0.1")  # five failures from one client lock that client
    assert not lim.bloqueado("maria", "10.0.0.3")
    reloj[0] = 61
    assert not lim.bloqueado("ana", "10.0.0.1")  # the window passed
    lim.fallo("pepe", "10.0.0.9")
    lim.exito("pepe")
    assert not lim.bloqueado("pepe", "10.0.0.9")


def test_sessions_expire_and_close():
    reloj = [100.0]
    s = Sesiones(duracion=10, reloj=lambda: reloj[0])
    t = s.abrir("ana", "planeador")
    assert s.obtener(t).usuario == "ana" and s.obtener("otro") is None and s.obtener(None) is None
    reloj[0] = 111
    assert s.obtener(t) is None
    t = s.abrir("ana", "planeador")
    s.cerrar(t)
    assert s.obtener(t) is None


def test_the_administrator_page_reads_model_runs_and_data_status(mpr_tiny, monkeypatch):
    from sidil.interfaz.admin_datos import leer_estado

    monkeypatch.setenv("SIDIL_DB", str(mpr_tiny["db"]))
    e = leer_estado()
    assert e.mensaje is None
    assert len(e.corridas) == 1 and e.corridas["familia"][0] == "bosque"
    assert set(e.metricas["run_id"]) == set(e.corridas["run_id"]) and len(e.metricas) > 10
    assert {"enoe", "imss", "dne", "siapi"} <= set(e.insumos["fuente"])
    assert {"train", "predict"} <= set(e.bitacora["proceso"])


def test_the_administrator_page_says_when_the_warehouse_is_busy(mpr_tiny, tmp_path, monkeypatch):
    import shutil

    from sidil.interfaz.admin_datos import EN_ACTUALIZACION, leer_estado

    db = tmp_path / "ocupada.duckdb"
    shutil.copy(mpr_tiny["db"], db)
    escritor = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('listo', flush=True); time.sleep(60)",
            str(db),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert escritor.stdout.readline().strip() == "listo"
        monkeypatch.setenv("SIDIL_DB", str(db))
        t = time.perf_counter()
        e = leer_estado()
        assert e.mensaje == EN_ACTUALIZACION and e.corridas.empty
        assert time.perf_counter() - t < 5
    finally:
        escritor.kill()
        escritor.wait()
    assert leer_estado().mensaje is None


def test_serve_explains_what_is_missing(tmp_path, mpr_manual):
    sidil = str(Path(sys.executable).with_name("sidil"))
    env = dict(os.environ, SIDIL_USUARIOS=str(tmp_path / "u.json"), SIDIL_INTERFAZ_LOG=str(tmp_path / "a.log"))
    r = subprocess.run([sidil, "serve", "--mpr", str(mpr_manual)], env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "no hay usuarios" in r.stdout and "sidil users add" in r.stdout
    usuarios.agregar("ana", "una-clave-larga", "administrador", tmp_path / "u.json")
    r = subprocess.run(
        [sidil, "serve", "--mpr", str(tmp_path / "sin_mpr")], env=env, capture_output=True, text=True, timeout=60
    )
    assert r.returncode == 2 and "No existe la matriz de predicción de riesgo" in r.stdout


@pytest.mark.parametrize(
    "ruta,rol,pasa",
    [
        ("/websocket/", None, False),
        ("/websocket/", "planeador", True),
        ("/admin/websocket/", "planeador", False),
        ("/admin/websocket/", "administrador", True),
    ],
)
def test_the_guard_closes_websockets_without_the_right_session(ruta, rol, pasa):
    import asyncio

    from sidil.interfaz.web import COOKIE, Guardia

    sesiones = Sesiones()
    llamadas, enviados = [], []

    async def app(scope, receive, send):
        llamadas.append(scope["sidil_sesion"].usuario)

    async def send(mensaje):
        enviados.append(mensaje)

    headers = [(b"cookie", f"otra=1; {COOKIE}={sesiones.abrir('ana', rol)}".encode())] if rol else []
    asyncio.run(Guardia(app, sesiones)({"type": "websocket", "path": ruta, "headers": headers}, None, send))
    assert (llamadas == ["ana"]) if pasa else (enviados == [{"type": "websocket.close", "code": 1008}] and not llamadas)
