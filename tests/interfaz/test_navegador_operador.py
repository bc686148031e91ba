"""The operators' app of `sidil serve` driven in headless Chromium: the status tab against the warehouse, a
run of ticked processes (in the pipeline's order, one at a time, its console, banner and log), the review and
publication of the MPR and the version a planner then reads, a planner's 403, and the whole cycle on the tiny
demo. Screenshots of each tab go to docs/img/ (the README shows them)."""

from __future__ import annotations

import csv
import json
import re
import shutil
from datetime import datetime
from pathlib import Path

import duckdb
import openpyxl
import pytest

from sidil import estatus
from sidil.interfaz import usuarios
from tests.conftest import KEY
from tests.interfaz.conftest import sidil_serve

IMAGENES = Path(__file__).resolve().parents[2] / "docs" / "img"
CLAVES = {
    "olga": ("clave-de-olga-1", "operador"),
    "ana": ("clave-de-ana-1", "administrador"),
    "pepe": ("clave-de-pepe-1", "planeador"),
}


@pytest.fixture(scope="module")
def operacion(mpr_tiny, tiny_demo, tmp_path_factory):
    """`sidil serve` over copies of the tiny demo's warehouse, models, outputs and input folder: operator
    runs write there and nowhere else."""
    root = tmp_path_factory.mktemp("operacion")
    shutil.copy(mpr_tiny["db"], root / "sidil.duckdb")
    shutil.copytree(mpr_tiny["env"]["SIDIL_SALIDAS"], root / "salidas")
    shutil.copytree(mpr_tiny["env"]["SIDIL_MODELOS"], root / "models_store")
    shutil.copytree(tiny_demo, root / "insumos")
    archivo_usuarios = root / "usuarios.json"
    for u, (clave, rol) in CLAVES.items():
        usuarios.agregar(u, clave, rol, archivo_usuarios)
    env = dict(
        mpr_tiny["env"],
        SIDIL_DB=str(root / "sidil.duckdb"),
        SIDIL_SALIDAS=str(root / "salidas"),
        SIDIL_MODELOS=str(root / "models_store"),
        SIDIL_INSUMOS=str(root / "insumos"),
        SIDIL_USUARIOS=str(archivo_usuarios),
        SIDIL_INTERFAZ_LOG=str(root / "accesos.log"),
        SIDIL_LOGS_PROCESOS=str(root / "procesos"),
        SIDIL_AUDITORIA=str(root / "auditoria.log"),
        SIDIL_ERRORES_LOG=str(root / "errores.log"),
        SIDIL_PSEUDO_KEY=KEY.decode(),
        DBT_TARGET_PATH=str(root / "target"),
        DBT_LOG_PATH=str(root / "target" / "logs"),
    )
    with sidil_serve(env) as url:
        yield {
            "url": url,
            "root": root,
            "env": env,
            "db": root / "sidil.duckdb",
            "salidas": root / "salidas",
            "insumos": root / "insumos",
        }


def _entrar(navegador, operacion, usuario, ruta="/operador/"):
    pagina = navegador.new_page(viewport={"width": 1500, "height": 1100}, accept_downloads=True)
    pagina.goto(operacion["url"] + "/login")
    pagina.fill("#usuario", usuario)
    pagina.fill("#contrasena", CLAVES[usuario][0])
    pagina.click("#entrar")
    pagina.wait_for_url(operacion["url"] + "/")
    if ruta != "/":
        pagina.goto(operacion["url"] + ruta)
    return pagina


def _pestana(pagina, valor: str) -> None:
    pagina.click(f"a[data-value='{valor}']")


def _descargar(pagina, boton: str, carpeta: Path) -> Path:
    pagina.wait_for_function(
        f"() => document.querySelector('#{boton}') && document.querySelector('#{boton}').getAttribute('href')"
    )
    with pagina.expect_download() as info:
        pagina.click(f"#{boton}")
    d = info.value
    carpeta.mkdir(parents=True, exist_ok=True)
    destino = carpeta / d.suggested_filename
    d.save_as(destino)
    return destino


def _texto_grid(pagina, id_: str) -> str:
    pagina.wait_for_function(
        f"() => document.querySelector('#{id_} table') && document.querySelector('#{id_} tbody tr')"
    )
    return pagina.inner_text(f"#{id_}")


def _filas_grid(pagina, id_: str) -> list[list[str]]:
    _texto_grid(pagina, id_)
    return pagina.evaluate(f"""() => Array.from(document.querySelectorAll('#{id_} tbody tr')).map(
        tr => Array.from(tr.querySelectorAll('td')).map(td => td.innerText.trim()))""")


def _esperar_fin(pagina, etiquetas: str, limite_ms=600_000) -> str:
    """Wait for the end of the job of these processes (not the previous one the panel may still show)."""
    pagina.wait_for_function(
        "(e) => { const t = document.querySelector('#trabajo_estado strong'); "
        "const r = document.querySelector('#trabajo_resultado'); "
        "return t && r && t.innerText === e && r.innerText !== 'en curso'; }",
        arg=etiquetas,
        timeout=limite_ms,
    )
    return pagina.inner_text("#trabajo_resultado")


def _consola(pagina) -> list[str]:
    return pagina.evaluate("() => Array.from(document.querySelectorAll('#consola_lineas > div')).map(d => d.innerText)")


def _eventos(operacion) -> list[dict]:
    ruta = operacion["root"] / "auditoria.log"
    return [json.loads(x) for x in ruta.read_text(encoding="utf-8").splitlines()] if ruta.exists() else []


def _foto(pagina, nombre: str) -> None:
    IMAGENES.mkdir(parents=True, exist_ok=True)
    pagina.wait_for_timeout(800)
    pagina.screenshot(path=str(IMAGENES / nombre), full_page=True)


# -- tab 3: status -------------------------------------------------------------------------------------------
def test_the_status_tab_compares_loaded_and_expected_periods(navegador, operacion):
    pagina = _entrar(navegador, operacion, "olga", "/operador/?pestana=procesos")
    pagina.wait_for_selector("#procesos-fuentes")
    esperado = estatus.estatus_fuentes(estatus.leer(operacion["db"]))
    filas = _filas_grid(pagina, "procesos-fuentes")
    assert len(filas) == len(esperado)
    por_tabla = {(f[0], f[1]): f for f in filas}
    for e in esperado:
        f = por_tabla[(e["Fuente"], e["Tabla"])]
        assert f[3:6] == [e["Último periodo cargado"], e["Periodo esperado hoy"], e["Estatus"]], f
    assert por_tabla[("DNE", "directorio")][5] == "se lee en cada ejecución"
    assert "Último periodo cargado" in pagina.inner_text("#procesos-fuentes")
    # processes: the last predict and publish of the fixture (sidil predict --publicar) with their user
    procesos = {f[0]: f for f in _filas_grid(pagina, "procesos-procesos")}
    assert set(procesos) == {
        "Carga de insumos",
        "Construcción de modelos (dbt)",
        "Entrenamiento",
        "Predicción (MPR)",
        "Publicación de la MPR",
        "Documentación de dbt",
    }
    from sidil import __version__

    assert all(f[1].startswith(__version__) for f in procesos.values())
    assert procesos["Predicción (MPR)"][5] == "correcto" and procesos["Predicción (MPR)"][3] != "—"
    assert procesos["Entrenamiento"][2].startswith("corrida ")
    # the former administrator page: Spanish headers, formatted numbers, no raw names
    corridas = pagina.inner_text("#procesos-corridas")
    assert "AUC promedio" in corridas and "auc_promedio" not in corridas and "bosque" in corridas
    for celda in pagina.evaluate(
        "() => Array.from(document.querySelectorAll('#procesos-corridas td')).map(t => t.innerText)"
    ):
        if celda.replace(".", "").replace(",", "").isdigit() and "." in celda:
            assert len(celda.split(".")[1]) <= 4, celda  # no 16-digit floats
    bitacora = pagina.inner_text("#procesos-bitacora")
    assert "Inicio" in bitacora and "Predicción (MPR)" in bitacora and "correcto" in bitacora
    metricas = pagina.inner_text("#procesos-metricas")  # a long grid: its footer in Spanish
    assert re.search(r"Filas 1 a \d+ de \d+", metricas) and "Viewing" not in metricas and " rows" not in metricas
    assert "Periodos cargados" in pagina.inner_text("#procesos-insumos_cargados")
    pagina.wait_for_selector("#info_mpr")
    _foto(pagina, "operador_estatus.png")
    pagina.close()


# -- tab 3: processing ------------------------------------------------------------------------------------------
def test_a_run_is_refused_while_another_holds_the_warehouse(navegador, operacion, monkeypatch):
    """A cron run holds the lock: every operator sees the banner (after a reload too) and a request is
    refused naming who runs what."""
    from sidil import pipeline

    monkeypatch.setenv("SIDIL_DB", str(operacion["db"]))
    pagina = _entrar(navegador, operacion, "olga", "/operador/?pestana=procesos")
    with pipeline.exclusive(pasos=["load", "build"], usuario="cron"):
        pagina.wait_for_selector("#banner_proceso", timeout=10_000)
        assert "Carga de insumos, Construcción de modelos (dbt), iniciado por cron" in pagina.inner_text(
            "#banner_proceso"
        )
        pagina.reload()
        pagina.wait_for_selector("#banner_proceso", timeout=10_000)
        pagina.check("input[name='procesos-pasos'][value='docs']")
        pagina.click("#procesos-ejecutar")
        pagina.wait_for_selector("#respuesta_ejecucion")
        assert "ocupada por otra ejecución de SIDIL" in pagina.inner_text("#respuesta_ejecucion")
        assert "cron" in pagina.inner_text("#respuesta_ejecucion")
        assert "en ejecución" in pagina.inner_text("#aviso_datos")  # the warehouse is not read meanwhile
    pagina.wait_for_selector("#banner_proceso", state="detached", timeout=10_000)
    assert any(e["accion"] == "proceso_rechazado" and e["usuario"] == "olga" for e in _eventos(operacion))
    pagina.close()


def test_ticked_processes_run_in_order_as_one_job(navegador, operacion):
    pagina = _entrar(navegador, operacion, "olga", "/operador/?pestana=procesos")
    pagina.wait_for_selector("input[name='procesos-pasos']")
    antes = (operacion["salidas"] / "mpr_revision" / "mpr_metadatos.json").read_text()
    desde = datetime.now().replace(microsecond=0)
    pagina.check("input[name='procesos-pasos'][value='predict']")  # ticked out of order
    pagina.check("input[name='procesos-pasos'][value='load']")
    pagina.click("#procesos-ejecutar")
    pagina.wait_for_selector("#respuesta_ejecucion")
    assert pagina.inner_text("#respuesta_ejecucion") == "Se inició: Carga de insumos, Predicción (MPR)."
    # another user sees the banner and is refused, naming olga
    otra = _entrar(navegador, operacion, "ana", "/operador/?pestana=procesos")
    otra.wait_for_selector("#banner_proceso", timeout=20_000)
    assert "iniciado por olga" in otra.inner_text("#banner_proceso")
    otra.check("input[name='procesos-pasos'][value='docs']")
    otra.click("#procesos-ejecutar")
    otra.wait_for_selector("#respuesta_ejecucion")
    assert "Ya hay un proceso en curso: Carga de insumos, Predicción (MPR), iniciado por olga" in otra.inner_text(
        "#respuesta_ejecucion"
    )
    pagina.wait_for_function(
        "() => document.querySelector('#consola_lineas') && "
        "document.querySelector('#consola_lineas').innerText.includes('INFO: ')"
    )
    assert _esperar_fin(pagina, "Carga de insumos, Predicción (MPR)") == "correcto"
    consola = _consola(pagina)
    assert consola[0] == "INFO: pasos a ejecutar, en orden: Carga de insumos, Predicción (MPR)."
    assert all(x.startswith(("INFO: ", "***ADVERTENCIA***: ", "***ERROR***: ")) for x in consola)
    assert not any(x.startswith("***ERROR***") for x in consola)
    otra.wait_for_selector("#banner_proceso", state="detached", timeout=10_000)
    # the full log downloads and holds every console line
    log = _descargar(pagina, "procesos-descargar_log", operacion["root"] / "descargas")
    texto_log = log.read_text(encoding="utf-8")
    assert all(x in texto_log for x in consola)
    # the predicted matrix is new and awaits review; the user of the run is in raw.bitacora
    assert (operacion["salidas"] / "mpr_revision" / "mpr_metadatos.json").read_text() != antes
    con = duckdb.connect(str(operacion["db"]), read_only=True)
    usuarios_run = con.execute(
        "select distinct usuario from raw.bitacora where proceso in ('load', 'predict') and inicio >= ?", [desde]
    ).fetchall()
    con.close()
    assert usuarios_run == [("olga",)]
    acciones = [(e["usuario"], e["accion"]) for e in _eventos(operacion)]
    assert ("olga", "proceso_iniciado") in acciones and ("olga", "proceso_terminado") in acciones
    assert ("ana", "proceso_rechazado") in acciones
    _foto(pagina, "operador_procesos.png")
    otra.close()
    pagina.close()


# -- tab 4: review and publication -----------------------------------------------------------------------------
def test_the_candidate_is_reviewed_published_and_read_by_planners(navegador, operacion):
    revision = operacion["salidas"] / "mpr_revision"
    meta = json.loads((revision / "mpr_metadatos.json").read_text())
    pagina = _entrar(navegador, operacion, "olga", "/operador/?pestana=mpr")
    pagina.wait_for_selector("#candidata_fecha")
    assert pagina.inner_text("#candidata_fecha") == meta["generado_en"][:16].replace("T", " ")
    carpeta = operacion["root"] / "revision"
    parquet = str(revision / "mpr.parquet")
    con = duckdb.connect()
    n = con.execute("select count(*) from read_parquet(?)", [parquet]).fetchone()[0]
    ids = sorted(r[0] for r in con.execute("select centro_trabajo_id from read_parquet(?)", [parquet]).fetchall())
    ruta_csv = _descargar(pagina, "mpr-descargar_csv", carpeta)
    assert ruta_csv.suffix == ".csv" and ruta_csv.name.startswith("mpr_revision-")
    with open(ruta_csv, encoding="utf-8") as f:
        assert sorted(int(r["centro_trabajo_id"]) for r in csv.DictReader(f)) == ids
    ruta_xlsx = _descargar(pagina, "mpr-descargar_xlsx", carpeta)
    wb = openpyxl.load_workbook(ruta_xlsx, read_only=True)
    assert wb.sheetnames == ["matriz", "diccionario", "metadatos"]
    assert sum(1 for _ in wb["matriz"].iter_rows()) == n + 1
    ruta_parquet = _descargar(pagina, "mpr-descargar_parquet", carpeta)
    assert con.execute("select count(*) from read_parquet(?)", [str(ruta_parquet)]).fetchone()[0] == n
    _foto(pagina, "operador_mpr.png")

    pagina.fill("#mpr-comentario", "Revisión de prueba: IMSS al día")
    pagina.click("#mpr-enviar")
    pagina.wait_for_selector("#respuesta_envio")
    assert pagina.inner_text("#respuesta_envio").startswith("Matriz enviada a consulta: versión ")
    version = pagina.inner_text("#respuesta_envio").rsplit(" ", 1)[1].rstrip(".")
    publicada = json.loads((operacion["salidas"] / "mpr" / "mpr_metadatos.json").read_text())
    assert publicada["version"] == version and publicada["publicado_por"] == "olga"
    assert (
        publicada["generado_en"] == meta["generado_en"] and publicada["comentario"] == "Revisión de prueba: IMSS al día"
    )
    pagina.wait_for_function(
        f"() => document.querySelector('#mpr-versiones') && "
        f"document.querySelector('#mpr-versiones').innerText.includes('{version}')"
    )
    filas = _filas_grid(pagina, "mpr-versiones")
    assert filas[0][0] == version and filas[0][2] == "olga" and filas[0][3] == "Revisión de prueba: IMSS al día"
    pagina.wait_for_selector("#ya_publicada")
    pagina.click("#mpr-enviar")  # the same matrix is not sent twice
    pagina.wait_for_function(
        "() => document.querySelector('#respuesta_envio').innerText.includes('ya está en consulta')"
    )
    assert len(list((operacion["salidas"] / "mpr_publicadas").iterdir())) == len(filas)
    assert any(
        e["accion"] == "mpr_publicacion" and e["usuario"] == "olga" and version in e["detalle"]
        for e in _eventos(operacion)
    )
    pagina.close()

    planner = _entrar(navegador, operacion, "pepe", "/")
    planner.wait_for_selector("#version_mpr")
    enviada = publicada["publicado_en"][:16].replace("T", " ")
    assert planner.inner_text("#version_mpr") == (
        f"Matriz de predicción de riesgo versión {version}, enviada a consulta el {enviada}"
    )
    assert planner.locator("#enlace_operador").count() == 0
    r = planner.goto(operacion["url"] + "/operador/")
    assert r.status == 403 and planner.locator("#prohibido").count() == 1
    planner.close()


# -- the whole cycle ----------------------------------------------------------------------------------------------
def _mes_siguiente(periodo: str, n: int = 1) -> str:
    anio, mes = map(int, periodo.split("-"))
    m = anio * 12 + mes - 1 + n
    return f"{m // 12}-{m % 12 + 1:02d}"


def _listado(carpeta: Path) -> dict[str, int]:
    return {str(p.relative_to(carpeta)): p.stat().st_size for p in carpeta.rglob("*") if p.is_file()}


def _manifiesto(db: Path) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("select archivo, sha256, estado from raw.load_manifest order by archivo").fetchall()
    finally:
        con.close()


def _subir_insumo(pagina, clave: str, periodo: str, archivo: Path) -> str:
    """Tab 1 of helper A: choose the table, the period and the file, press "Guardar archivo"; returns the
    messages of the result."""
    _pestana(pagina, "carga")
    pagina.select_option("#carga-tabla", clave)
    pagina.wait_for_function(
        f"() => Array.from(document.querySelectorAll('#carga-periodo option')).some(o => o.value === '{periodo}')"
    )
    pagina.select_option("#carga-periodo", periodo)
    pagina.set_input_files("#carga-archivo", str(archivo))
    pagina.wait_for_selector("#resumen_tabla, #resumen_rechazo", timeout=60_000)
    if pagina.locator("#carga-guardar").count():
        pagina.click("#carga-guardar")
        pagina.wait_for_function(
            "() => { const m = document.querySelector('#carga_mensajes'); return m && "
            "/guardado|no se guardó/.test(m.innerText); }",
            timeout=120_000,
        )
        return pagina.inner_text("#carga_mensajes")
    return pagina.inner_text("#resumen_rechazo")


def test_the_whole_cycle_on_the_tiny_demo(navegador, operacion, tmp_path):
    """An operator uploads a bad file (refused with the loader's message, nothing changes), a new IMSS month
    and a changed catalog, runs load + build + predict, reviews and publishes; a planner then reads the new
    matrix, whose dictionary carries the catalog change."""
    from loaders.catalog import recognise

    insumos, db = operacion["insumos"], operacion["db"]
    ultimo = estatus.leer(db).ultimos[("imss", "puestos")]
    origen = next(
        p
        for p in (insumos / "imss" / "puestos").iterdir()
        if (r := recognise(p, insumos)) is not None and r.periodo == ultimo
    )
    nuevo_mes = _mes_siguiente(ultimo)
    pagina = _entrar(navegador, operacion, "olga", "/operador/")

    # 1. a bad file: refused with the loader's message; the input folder and the warehouse do not change
    antes_insumos, antes_manifiesto = _listado(insumos), _manifiesto(db)
    basura = tmp_path / "PAFINALMES_basura.tab"
    basura.write_text("esto|no|es\nun|archivo|del IMSS\n", encoding="utf-8")
    mensajes = _subir_insumo(pagina, "imss/puestos", _mes_siguiente(ultimo, 2), basura)
    assert "***ERROR***" in mensajes
    assert {k: v for k, v in _listado(insumos).items() if not k.startswith("_archivo")} == {
        k: v for k, v in antes_insumos.items() if not k.startswith("_archivo")
    }
    assert _manifiesto(db) == antes_manifiesto
    assert any(e["accion"] == "insumo_rechazado" and e["usuario"] == "olga" for e in _eventos(operacion))

    # 2. the new IMSS month, uploaded under a name of the operator's own: stored under the period's name
    entrega = tmp_path / "entrega del imss octubre.tab"
    shutil.copy(origen, entrega)
    mensajes = _subir_insumo(pagina, "imss/puestos", nuevo_mes, entrega)
    assert "guardado" in mensajes and "***ERROR***" not in mensajes
    guardados = [
        p
        for p in (insumos / "imss" / "puestos").iterdir()
        if (r := recognise(p, insumos)) is not None and r.periodo == nuevo_mes
    ]
    assert len(guardados) == 1 and guardados[0].read_bytes() == origen.read_bytes()
    _foto(pagina, "operador_carga.png")

    # 3. a changed catalog: the MPR description of an indicator
    _pestana(pagina, "catalogos")
    pagina.select_option("#catalogos-catalogo", "indicadores")
    actual = _descargar(pagina, "catalogos-actual_csv", tmp_path / "catalogo")
    with open(actual, encoding="utf-8", newline="") as f:
        filas = list(csv.DictReader(f))
    nueva_descripcion = "Días trabajados a la semana (descripción cambiada por la operadora)"
    objetivo = next(r for r in filas if r["indicador"] == "dias_trab")
    objetivo["descripcion_mpr"] = nueva_descripcion
    cambiado = tmp_path / "indicadores_nuevo.csv"
    with open(cambiado, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(filas[0]))
        w.writeheader()
        w.writerows(filas)
    pagina.set_input_files("#catalogos-archivo", str(cambiado))
    pagina.fill("#catalogos-comentario", "Descripción de días trabajados más clara")
    pagina.wait_for_selector("#catalogos-guardar")
    pagina.click("#catalogos-guardar")
    pagina.wait_for_function(
        "() => { const m = document.querySelector('#catalogo_mensajes'); return m && "
        "/guardado|no cambió/.test(m.innerText); }",
        timeout=300_000,
    )
    assert "***ERROR***" not in pagina.inner_text("#catalogo_mensajes")
    _foto(pagina, "operador_catalogos.png")

    # 4. load + build + predict, ticked in another order
    _pestana(pagina, "procesos")
    for paso in ("predict", "build", "load"):
        pagina.check(f"input[name='procesos-pasos'][value='{paso}']")
    pagina.click("#procesos-ejecutar")
    pagina.wait_for_selector("#respuesta_ejecucion")
    assert (
        pagina.inner_text("#respuesta_ejecucion")
        == "Se inició: Carga de insumos, Construcción de modelos (dbt), Predicción (MPR)."
    )
    assert (
        _esperar_fin(pagina, "Carga de insumos, Construcción de modelos (dbt), Predicción (MPR)", 900_000) == "correcto"
    ), "\n".join(_consola(pagina)[-15:])
    consola = _consola(pagina)
    assert consola[0] == (
        "INFO: pasos a ejecutar, en orden: Carga de insumos, Construcción de modelos (dbt), Predicción (MPR)."
    )
    assert not any(x.startswith("***ERROR***") for x in consola)
    # the status tab now sees the new month
    pagina.wait_for_function(
        f"() => document.querySelector('#procesos-fuentes') && "
        f"document.querySelector('#procesos-fuentes').innerText.includes('{nuevo_mes}')",
        timeout=30_000,
    )
    puestos = next(f for f in _filas_grid(pagina, "procesos-fuentes") if f[:2] == ["IMSS", "puestos"])
    assert puestos[3] == nuevo_mes

    # 5. review and publish
    revision = operacion["salidas"] / "mpr_revision"
    meta = json.loads((revision / "mpr_metadatos.json").read_text())
    con = duckdb.connect()
    descripcion = con.execute(
        "select descripcion from read_parquet(?) where columna = 'ind_dias_trab'",
        [str(revision / "mpr_diccionario.parquet")],
    ).fetchone()
    assert descripcion == (nueva_descripcion,)  # the catalog change reached the MPR
    _pestana(pagina, "mpr")
    pagina.wait_for_function(
        f"() => document.querySelector('#candidata_fecha') && document.querySelector("
        f"'#candidata_fecha').innerText === '{meta['generado_en'][:16].replace('T', ' ')}'"
    )
    pagina.fill("#mpr-comentario", f"IMSS puestos {nuevo_mes} y catálogo de indicadores")
    pagina.click("#mpr-enviar")
    pagina.wait_for_selector("#respuesta_envio")
    version = pagina.inner_text("#respuesta_envio").rsplit(" ", 1)[1].rstrip(".")
    publicada = json.loads((operacion["salidas"] / "mpr" / "mpr_metadatos.json").read_text())
    assert publicada["version"] == version and publicada["generado_en"] == meta["generado_en"]
    pagina.close()

    # 6. a planner reads the new matrix
    planner = _entrar(navegador, operacion, "pepe", "/")
    planner.wait_for_selector("#version_mpr")
    assert planner.inner_text("#version_mpr") == (
        f"Matriz de predicción de riesgo versión {version}, enviada a "
        f"consulta el {publicada['publicado_en'][:16].replace('T', ' ')}"
    )
    planner.close()
    acciones = {e["accion"] for e in _eventos(operacion) if e["usuario"] == "olga"}
    assert {"proceso_iniciado", "proceso_terminado", "mpr_publicacion"} <= acciones
