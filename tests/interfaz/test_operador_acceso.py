"""Who reaches the operators' app: planners get 403 on every page, asset, upload, download and websocket
under /operador/ (and the old /admin/), operators and administrators get through; the role exists for
`sidil users add`; the candidate MPR's CSV neutralises formulas; the banner's text."""

from __future__ import annotations

import asyncio

import duckdb
import pytest

from sidil.interfaz import usuarios
from sidil.interfaz.acceso import Sesiones
from sidil.interfaz.web import COOKIE, Guardia, crear_app
from tests.interfaz.test_seguridad_web import _pedir

RUTAS = [
    ("GET", "/operador/"),
    ("GET", "/operador/?pestana=procesos"),
    ("GET", "/operador"),
    ("GET", "/operador/lib/shiny-1.8.0/shiny.js"),
    ("GET", "/operador/session/abc/download/procesos-descargar_log?w="),
    ("GET", "/operador/session/abc/download/mpr-descargar_csv?w="),
    ("POST", "/operador/session/abc/upload/carga-archivo?w="),
    ("GET", "/admin/"),
    ("GET", "/admin"),
]


@pytest.fixture
def web(mpr_manual, tmp_path, monkeypatch):
    monkeypatch.setenv("SIDIL_USUARIOS", str(tmp_path / "usuarios.json"))
    monkeypatch.setenv("SIDIL_INTERFAZ_LOG", str(tmp_path / "accesos.log"))
    monkeypatch.setenv("SIDIL_LOGS_PROCESOS", str(tmp_path / "procesos"))
    monkeypatch.setenv("SIDIL_AUDITORIA", str(tmp_path / "auditoria.log"))
    sesiones = Sesiones()
    app = crear_app(mpr_manual, sesiones=sesiones, proxies=frozenset(), insumos=tmp_path / "insumos")
    return {"app": app, "sesiones": sesiones}


def test_operador_is_a_role():
    assert usuarios.ROLES == ("planeador", "operador", "administrador")
    assert usuarios.ROLES_OPERACION == ("operador", "administrador")


def test_users_add_accepts_the_operator_role(tmp_path):
    ruta = tmp_path / "u.json"
    usuarios.agregar("olga", "una-clave-larga", "operador", ruta)
    assert usuarios.verificar("olga", "una-clave-larga", ruta) == "operador"
    with pytest.raises(ValueError, match="use planeador, operador o administrador"):
        usuarios.agregar("x", "una-clave-larga", "jefe", ruta)


@pytest.mark.parametrize("metodo,ruta", RUTAS)
def test_a_planner_gets_403_on_everything_under_operador(web, metodo, ruta):
    galleta = web["sesiones"].abrir("pepe", "planeador")
    r = _pedir(web["app"], metodo, ruta, [("cookie", f"{COOKIE}={galleta}")])
    assert r["status"] == 403, (ruta, r["status"])
    assert 'id="prohibido"' in r["body"] and "operadores y administradores" in r["body"]


@pytest.mark.parametrize("metodo,ruta", RUTAS)
def test_without_a_session_everything_under_operador_goes_to_login(web, metodo, ruta):
    r = _pedir(web["app"], metodo, ruta)
    assert r["status"] == 303 and r["headers"]["location"] == ["/login"]


@pytest.mark.parametrize("rol", ["operador", "administrador"])
def test_operators_and_administrators_reach_the_app(web, rol):
    galleta = web["sesiones"].abrir("olga", rol)
    cab = [("cookie", f"{COOKIE}={galleta}")]
    pagina = _pedir(web["app"], "GET", "/operador/", cab)
    assert pagina["status"] == 200
    assert "Estatus y procesos" in pagina["body"] and "Matriz de riesgos" in pagina["body"]
    assert "en construcción" not in pagina["body"].lower()
    assert _pedir(web["app"], "GET", "/operador/lib/shiny-1.8.0/shiny.js", cab)["status"] == 200
    viejo = _pedir(web["app"], "GET", "/admin/", cab)  # the old admin page leads here
    assert viejo["status"] == 303 and viejo["headers"]["location"] == ["/operador/?pestana=procesos"]
    consulta = _pedir(web["app"], "GET", "/", cab)
    assert consulta["status"] == 200


@pytest.mark.parametrize(
    "ruta,rol,pasa",
    [
        ("/operador/websocket/", None, False),
        ("/operador/websocket/", "planeador", False),
        ("/operador/websocket/", "operador", True),
        ("/operador/websocket/", "administrador", True),
        ("/admin/websocket/", "planeador", False),
        ("/websocket/", "operador", True),
    ],
)
def test_the_guard_closes_operator_websockets_of_planners(ruta, rol, pasa):
    sesiones = Sesiones()
    llamadas, enviados = [], []

    async def app(scope, receive, send):
        llamadas.append(scope["sidil_sesion"].usuario)

    async def send(mensaje):
        enviados.append(mensaje)

    headers = [(b"cookie", f"{COOKIE}={sesiones.abrir('olga', rol)}".encode())] if rol else []
    asyncio.run(Guardia(app, sesiones)({"type": "websocket", "path": ruta, "headers": headers}, None, send))
    assert (
        (llamadas == ["olga"]) if pasa else (enviados == [{"type": "websocket.close", "code": 1008}] and not llamadas)
    )


def test_the_candidate_csv_neutralises_formulas(tmp_path):
    from sidil.interfaz.operador_mpr import escribir_csv

    parquet = tmp_path / "mpr.parquet"
    con = duckdb.connect()
    con.execute(f"""copy (select * from (values (1, '=HYPERLINK("http://x")', 0.5::double), (2, 'Normal', 0.9::double),
                                          (3, '-2+3', -0.25::double)) t(centro_trabajo_id, nombre_ct, riesgo))
                    to '{parquet}' (format parquet)""")
    escribir_csv(parquet, tmp_path / "mpr.csv")
    lineas = (tmp_path / "mpr.csv").read_text(encoding="utf-8").splitlines()
    assert lineas[0] == "centro_trabajo_id,nombre_ct,riesgo"
    assert lineas[1:] == ["2,Normal,0.9", '1,"\'=HYPERLINK(""http://x"")",0.5', "3,'-2+3,-0.25"]


def test_the_banner_names_the_job_or_the_other_run(tmp_path, monkeypatch):
    from sidil import trabajos
    from sidil.interfaz.app_operador import texto_banner

    monkeypatch.setenv("SIDIL_LOGS_PROCESOS", str(tmp_path))
    import os

    t = trabajos.Trabajo(
        "x",
        ["load", "predict"],
        "olga",
        "2026-11-30T10:05:00",
        os.getpid(),
        "x.log",
        arranque=trabajos._arranque(os.getpid()),
    )
    assert texto_banner(t, None) == (
        "Proceso en ejecución: Carga de insumos, Predicción (MPR), iniciado por olga "
        "el 2026-11-30 10:05. Los datos pueden cambiar al terminar."
    )
    terminado = trabajos.Trabajo(**{**t.__dict__, "codigo": 0})
    assert texto_banner(terminado, None) is None
    assert (
        texto_banner(terminado, {"pasos": ["build"], "usuario": "cron", "inicio": "2026-11-30T03:00:00"})
        == "Proceso en ejecución: Construcción de modelos (dbt), iniciado por cron el 2026-11-30 03:00."
    )
