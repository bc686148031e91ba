"""The real application (`sidil serve`) driven in headless Chromium (Debian's package, through Playwright):
login, the three kinds of filter against a direct SQL count, the seeded subsample, both exports, the
analysis tab, the administrator page and who may reach it. Screenshots of each tab go to tests/artifacts/."""

from __future__ import annotations

import csv
import http.cookiejar
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import duckdb
import openpyxl
import pytest

from sidil.interfaz import consultas, usuarios
from sidil.interfaz.filtros import FiltroRango, FiltroValores, Seleccion
from sidil.interfaz.mpr import Matriz
from tests.interfaz.conftest import sidil_serve

ARTEFACTOS = Path(__file__).resolve().parents[1] / "artifacts"
CLAVES = {
    "ana": ("clave-de-ana-1", "administrador"),
    "pepe": ("clave-de-pepe-1", "planeador"),
    "luis": ("clave-de-luis-1", "planeador"),
}


@pytest.fixture(scope="module")
def servidor(mpr_tiny, tmp_path_factory):
    """`sidil serve` on a free local port over the tiny demo's MPR; yields its base URL and paths."""
    root = tmp_path_factory.mktemp("serve")
    archivo_usuarios = root / "usuarios.json"
    for u, (clave, rol) in CLAVES.items():
        usuarios.agregar(u, clave, rol, archivo_usuarios)
    env = dict(mpr_tiny["env"], SIDIL_USUARIOS=str(archivo_usuarios), SIDIL_INTERFAZ_LOG=str(root / "accesos.log"))
    with sidil_serve(env, "--mpr", str(mpr_tiny["mpr"])) as url:
        yield {"url": url, "log": root / "accesos.log", "mpr": mpr_tiny["mpr"]}


# Every Content-Security-Policy violation of a page, so that a test can assert the policy breaks nothing.
_VIOLACIONES_CSP = """window.__csp = [];
document.addEventListener('securitypolicyviolation',
                          e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"""


def _entrar(navegador, servidor, usuario, contexto=None):
    pagina = (
        contexto.new_page()
        if contexto is not None
        else navegador.new_page(viewport={"width": 1500, "height": 1100}, accept_downloads=True)
    )
    pagina.add_init_script(_VIOLACIONES_CSP)
    pagina.goto(servidor["url"] + "/")
    assert pagina.url.endswith("/login")  # no page without a session
    pagina.fill("#usuario", usuario)
    pagina.fill("#contrasena", CLAVES[usuario][0])
    pagina.click("#entrar")
    pagina.wait_for_selector("#conteo")
    return pagina


def _conteo(pagina) -> int:
    return int(pagina.inner_text("#conteo").replace(",", ""))


def _esperar_conteo(pagina, esperado: int, timeout: float = 20.0) -> int:
    fin = time.time() + timeout
    while time.time() < fin:
        if _conteo(pagina) == esperado:
            return esperado
        time.sleep(0.1)
    return _conteo(pagina)


def _slider(pagina, id_, desde, hasta):
    pagina.evaluate(f"() => $('#{id_}').data('ionRangeSlider').update({{from: {desde}, to: {hasta}}})")
    # ion.rangeSlider reports its change to Shiny on the next tick; wait until Shiny has the value
    pagina.wait_for_function(
        f"() => {{ const v = Shiny.shinyapp.$inputValues['{id_}']; "
        f"return v && Math.abs(v[0] - {desde}) < 1e-9 && Math.abs(v[1] - {hasta}) < 1e-9; }}"
    )


def _esperar_slider(pagina, id_, desde):
    """Wait for the server's default (median) to reach the slider after a column change."""
    pagina.wait_for_function(f"() => Math.abs($('#{id_}').data('ionRangeSlider').result.from - {desde}) < 1e-9")


def _descargar(pagina, boton, carpeta: Path) -> Path:
    pagina.wait_for_function(f"() => document.querySelector('#{boton}').getAttribute('href')")
    with pagina.expect_download() as info:
        pagina.click(f"#{boton}")
    d = info.value
    destino = carpeta / d.suggested_filename
    d.save_as(destino)
    return destino


def _ids_csv(ruta: Path) -> list[int]:
    with open(ruta, encoding="utf-8") as f:
        return sorted(int(r["centro_trabajo_id"]) for r in csv.DictReader(f))


def test_a_planner_filters_subsamples_and_exports(navegador, servidor, tmp_path):
    ARTEFACTOS.mkdir(exist_ok=True)
    m = Matriz(servidor["mpr"])
    parquet = str(servidor["mpr"] / "mpr.parquet")
    pagina = _entrar(navegador, servidor, "pepe")
    assert _conteo(pagina) == m.n_centros
    assert pagina.locator("#enlace_operador").count() == 0  # planners see no operators' link

    # predictor: the first submateria, from its first quartile to 1
    pred = m.grupo("prediccion")[0].nombre
    d_pred = consultas.distribucion(m, pred)
    _esperar_slider(pagina, "pred_rango", round(d_pred.mediana, 4))  # default: median to max
    q1 = round(d_pred.q1, 4)
    _slider(pagina, "pred_rango", q1, 1)
    pagina.click("#pred_agregar")
    con = duckdb.connect()
    n_pred = con.execute(
        f"select count(*) from read_parquet(?) where {pred} between ? and 1", [parquet, q1]
    ).fetchone()[0]
    assert _esperar_conteo(pagina, n_pred) == n_pred

    # an indicator: the second of the list, from 0.1 to 1
    ind = m.grupo("indicador")[1].nombre
    pagina.select_option("#ind_columna", ind)
    _esperar_slider(pagina, "ind_rango", round(consultas.distribucion(m, ind).mediana, 4))
    _slider(pagina, "ind_rango", 0.1, 1)
    pagina.click("#ind_agregar")

    # an attribute: the three states with most CTs
    estados = list(consultas.por_estado(m, Seleccion())["clave"][:3])
    indices = [str(i) for i, (v, _) in enumerate(consultas.opciones(m, "geo2")) if v in estados]
    pagina.select_option("#atr_columna", "geo2")
    pagina.wait_for_function(
        "() => document.querySelector('#atr_valores') && document.querySelector('#atr_valores').selectize"
    )
    pagina.evaluate(f"() => document.querySelector('#atr_valores').selectize.setValue({indices})")
    pagina.click("#atr_agregar")
    directo = con.execute(
        f"select count(*) from read_parquet(?) where {pred} >= ? and {pred} <= 1 and {ind} >= 0.1 and {ind} <= 1 "
        f"and geo2 in (select unnest(?::varchar[]))",
        [parquet, q1, estados],
    ).fetchone()[0]
    assert 0 < directo < n_pred
    assert _esperar_conteo(pagina, directo) == directo
    assert int(pagina.inner_text("#conteo_filtrados").replace(",", "")) == directo
    assert pagina.locator("#atr_aplicados option").count() == 1
    pagina.wait_for_timeout(500)
    pagina.screenshot(path=str(ARTEFACTOS / "interfaz_filtrado.png"), full_page=True)

    # exports of the filtered CTs
    ruta_csv = _descargar(pagina, "exportar_csv", tmp_path / "todo")
    assert ruta_csv.name == f"matriz_filtrada-{time.strftime('%Y-%m-%d')}.csv"
    sel = Seleccion(
        predictor=FiltroRango(pred, q1, 1.0),
        indicadores=(FiltroRango(ind, 0.1, 1.0),),
        atributos=(FiltroValores("geo2", tuple(v for v, _ in consultas.opciones(m, "geo2") if v in estados)),),
    )
    assert _ids_csv(ruta_csv) == consultas.ids(m, sel) and len(_ids_csv(ruta_csv)) == directo

    # a subsample of 10 with a seed, twice: the same CTs
    n = min(10, directo - 1)
    pagina.fill("#muestra_n", str(n))
    pagina.fill("#muestra_semilla", "4242")
    pagina.click("#muestra_aplicar")
    assert _esperar_conteo(pagina, n) == n
    primera = _ids_csv(_descargar(pagina, "exportar_csv", tmp_path / "a"))
    pagina.click("#muestra_quitar")
    assert _esperar_conteo(pagina, directo) == directo
    pagina.click("#muestra_aplicar")
    assert _esperar_conteo(pagina, n) == n
    segunda = _ids_csv(_descargar(pagina, "exportar_csv", tmp_path / "b"))
    assert primera == segunda and len(primera) == n
    assert set(primera) <= set(consultas.ids(m, sel))
    from dataclasses import replace

    assert primera == consultas.ids(m, replace(sel, muestra=n, semilla=4242))

    ruta_xlsx = _descargar(pagina, "exportar_xlsx", tmp_path / "x")
    assert ruta_xlsx.name == f"matriz_filtrada-{time.strftime('%Y-%m-%d')}.xlsx"
    wb = openpyxl.load_workbook(ruta_xlsx)
    assert wb.sheetnames == ["matriz", "predictor", "indicadores", "atributos"]
    filas = list(wb["matriz"].iter_rows(values_only=True))
    assert len(filas) == n + 1 and sorted(f[0] for f in filas[1:]) == primera
    predictor = {k: v for k, v in list(wb["predictor"].iter_rows(values_only=True))[1:]}
    assert predictor["Columna"] == pred and predictor["Semilla de la selección aleatoria"] == 4242
    assert predictor["Centros de trabajo tras los filtros"] == directo and predictor["Exportado por"] == "pepe"
    assert [r[0] for r in list(wb["indicadores"].iter_rows(values_only=True))[1:]] == [ind]
    assert [r[0] for r in list(wb["atributos"].iter_rows(values_only=True))[1:]] == ["geo2"]

    # analysis tab: the criteria, by state and size, the statistics
    pagina.click("a[data-value='Análisis']")
    pagina.wait_for_selector("#tabla_criterios")
    assert pagina.locator("#tabla_criterios tbody tr").count() == 4  # predictor, indicator, state, sample
    pagina.wait_for_function(
        f"() => document.querySelector('#stats_texto') && "
        f"document.querySelector('#stats_texto').innerText.startsWith('Filas: {n} ')"
    )
    pagina.wait_for_timeout(1500)
    pagina.screenshot(path=str(ARTEFACTOS / "interfaz_analisis.png"), full_page=True)

    # filters are removable: without the subsample and the states, the count is that of the other two
    pagina.click("a[data-value='Filtrado']")
    pagina.click("#muestra_quitar")
    assert _esperar_conteo(pagina, directo) == directo
    pagina.select_option("#atr_aplicados", "geo2")
    pagina.click("#atr_quitar")
    sin_estados = con.execute(
        f"select count(*) from read_parquet(?) where {pred} between ? and 1 and {ind} >= 0.1", [parquet, q1]
    ).fetchone()[0]
    assert _esperar_conteo(pagina, sin_estados) == sin_estados > directo
    assert pagina.locator("#atr_aplicados option").count() == 0

    # the security headers did not get in the way: no CSP violation in the whole session
    assert pagina.evaluate("window.__csp") == []

    # a planner cannot reach the administrator page
    r = pagina.goto(servidor["url"] + "/admin/")
    assert r.status == 403 and pagina.locator("#prohibido").count() == 1
    pagina.close()


def test_an_administrator_sees_model_runs_and_data_status(navegador, servidor):
    """The administrator page's content lives in the operators' status tab; /admin/ leads there."""
    pagina = _entrar(navegador, servidor, "ana")
    pagina.click("#enlace_operador")
    pagina.wait_for_url("**/operador/")
    pagina.goto(servidor["url"] + "/admin/")
    pagina.wait_for_url("**/operador/?pestana=procesos")
    pagina.wait_for_selector("#info_mpr")
    pagina.wait_for_function(
        "() => document.querySelector('#procesos-corridas') && "
        "document.querySelector('#procesos-corridas').innerText.includes('bosque')"
    )
    assert pagina.locator("#aviso_datos").count() == 0
    texto = pagina.inner_text("body")
    assert "Corridas del modelo" in texto and "Insumos cargados" in texto and "Predicción (MPR)" in texto
    pagina.wait_for_timeout(1000)
    pagina.screenshot(path=str(ARTEFACTOS / "interfaz_administracion.png"), full_page=True)
    assert pagina.evaluate("window.__csp") == []
    pagina.click("#salir")  # the admin page logs out too
    pagina.wait_for_url("**/login")
    pagina.goto(servidor["url"] + "/admin/")
    assert pagina.url.endswith("/login")
    pagina.close()


def test_a_wrong_password_is_refused(navegador, servidor):
    pagina = navegador.new_page()
    pagina.goto(servidor["url"] + "/login")
    pagina.fill("#usuario", "pepe")
    pagina.fill("#contrasena", "no-es-la-clave")
    with pagina.expect_response(lambda r: r.url.endswith("/login") and r.request.method == "POST") as info:
        pagina.click("#entrar")
    assert info.value.status == 401
    assert pagina.inner_text("#error-login") == "Usuario o contraseña incorrectos."
    pagina.screenshot(path=str(ARTEFACTOS / "interfaz_acceso.png"))
    pagina.goto(servidor["url"] + "/")
    assert pagina.url.endswith("/login")
    pagina.close()


def test_logout_is_a_post_and_closes_the_open_websockets(navegador, servidor):
    """Two tabs of one login: GET /logout only asks; the button's POST logs out, and the Shiny session of the
    other tab stops (its websocket is closed by the server)."""
    url = servidor["url"]
    contexto = navegador.new_context()
    pagina = _entrar(navegador, servidor, "pepe", contexto)
    otra = contexto.new_page()
    otra.goto(url + "/")
    otra.wait_for_selector("#conteo")
    otra.goto(url + "/logout")
    assert otra.locator("#confirmar_salir").count() == 1  # a GET does not log out...
    otra.goto(url + "/")
    otra.wait_for_selector("#conteo")  # ...the session is still there
    assert pagina.evaluate("Shiny.shinyapp.isConnected()") is True
    otra.click("#salir")
    otra.wait_for_url("**/login")
    pagina.wait_for_function("() => !Shiny.shinyapp.isConnected()", timeout=10_000)
    n = _conteo(pagina)
    pagina.fill("#muestra_n", "1")
    pagina.click("#muestra_aplicar")  # nothing answers any more
    pagina.wait_for_timeout(1000)
    assert _conteo(pagina) == n > 1
    assert pagina.evaluate("window.__csp") == []
    pagina.goto(url + "/")
    assert pagina.url.endswith("/login")
    contexto.close()


def test_no_other_site_can_frame_the_pages(navegador, servidor):
    pagina = navegador.new_page()
    pagina.set_content(f'<iframe id="marco" src="{servidor["url"]}/login" width="600" height="400"></iframe>')
    pagina.wait_for_timeout(1500)
    marco = pagina.frame_locator("#marco")
    assert marco.locator("#usuario").count() == 0
    r = pagina.goto(servidor["url"] + "/login")
    assert r.headers["x-frame-options"] == "DENY" and "frame-ancestors 'none'" in r.headers["content-security-policy"]
    assert r.headers["x-content-type-options"] == "nosniff" and r.headers["referrer-policy"] == "same-origin"
    assert pagina.locator("#usuario").count() == 1
    pagina.close()


def _post_login(url, usuario, clave) -> int:
    """The login form posted as a browser would: the token of a GET of the page and its cookie."""
    opener = urllib.request.build_opener(
        _SinRedirecciones, urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    token = re.search(r'name="csrf" value="([^"]+)"', opener.open(url + "/login", timeout=10).read().decode())[1]
    datos = urllib.parse.urlencode({"usuario": usuario, "contrasena": clave, "csrf": token}).encode()
    try:
        return opener.open(urllib.request.Request(url + "/login", datos, headers={"Origin": url}), timeout=10).status
    except urllib.error.HTTPError as exc:
        return exc.code


class _SinRedirecciones(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_failed_logins_are_rate_limited_and_logged(servidor):
    url = servidor["url"]
    assert [_post_login(url, "luis", "mala-clave") for _ in range(5)] == [401] * 5
    assert _post_login(url, "luis", CLAVES["luis"][0]) == 429  # even the right password, for now
    assert _post_login(url, "ana", CLAVES["ana"][0]) == 303  # other users are not affected
    log = servidor["log"].read_text(encoding="utf-8")
    assert log.count("***ADVERTENCIA***: contraseña o usuario incorrectos usuario='luis'") == 5
    assert "***ADVERTENCIA***: acceso bloqueado por intentos fallidos usuario='luis'" in log
    assert "INFO: acceso correcto usuario='ana' rol=administrador" in log
    assert "mala-clave" not in log and CLAVES["luis"][0] not in log


def test_nothing_is_served_without_a_session(servidor):
    opener = urllib.request.build_opener(_SinRedirecciones)
    for ruta in ("/", "/admin/", "/session/x/download/exportar_csv?w="):
        try:
            opener.open(servidor["url"] + ruta, timeout=10)
            raise AssertionError(f"{ruta} servido sin sesión")
        except urllib.error.HTTPError as exc:
            assert exc.code == 303 and exc.headers["location"] == "/login", ruta
