"""The tabs "Carga de insumos" and "Carga de catálogos" of `sidil serve` driven in headless Chromium: an IMSS
month uploaded under a hostile name is summarised, checked and stored under its period's name with the old file
archived; a bad file gets the loader's message and changes nothing; a file over the size limit never leaves
the browser; a catalog is downloaded, changed, uploaded, refused when wrong, and restored in one click.
Screenshots of both tabs go to docs/img/ (the README shows them)."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
import time
from pathlib import Path

import pytest

from sidil.interfaz import usuarios
from tests.conftest import KEY
from tests.interfaz.conftest import escribir_mpr_manual, sidil_serve
from tests.interfaz.test_navegador_operador import CLAVES

IMAGENES = Path(__file__).resolve().parents[2] / "docs" / "img"
LIMITE = 3_000_000
PUESTOS = "imss/puestos/PAFINALMES_F_20260931.tab"


@pytest.fixture(scope="module")
def servidor(loaded_tiny, tiny_demo, tmp_path_factory):
    """`sidil serve` over a copy of the loaded tiny warehouse and input folder, its own catalog versions, audit
    log and a small upload limit."""
    root = tmp_path_factory.mktemp("carga_web")
    shutil.copy(loaded_tiny[0], root / "sidil.duckdb")
    shutil.copytree(tiny_demo, root / "insumos")
    escribir_mpr_manual(root / "salidas" / "mpr")
    archivo_usuarios = root / "usuarios.json"
    for u, (clave, rol) in CLAVES.items():
        usuarios.agregar(u, clave, rol, archivo_usuarios)
    import os

    env = dict(
        os.environ,
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
        SIDIL_CATALOGOS=str(root / "catalogos"),
        SIDIL_TAMANIO_MAXIMO_CARGA=str(LIMITE),
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
    )
    env.pop("SIDIL_SEMILLAS", None)
    with sidil_serve(env) as url:
        yield {"url": url, "root": root, "insumos": root / "insumos", "subidas": root / "subidas"}


def _entrar(navegador, servidor, usuario="olga"):  # noqa: F811
    pagina = navegador.new_page(viewport={"width": 1500, "height": 1100}, accept_downloads=True)
    pagina.goto(servidor["url"] + "/login")
    pagina.fill("#usuario", usuario)
    pagina.fill("#contrasena", CLAVES[usuario][0])
    pagina.click("#entrar")
    pagina.wait_for_url(servidor["url"] + "/")
    pagina.goto(servidor["url"] + "/operador/")
    pagina.wait_for_selector("#carga-tabla", timeout=30000)
    return pagina


def _archivo(servidor, nombre: str, contenido: bytes) -> Path:
    carpeta = servidor["subidas"]
    carpeta.mkdir(exist_ok=True)
    ruta = carpeta / nombre
    ruta.write_bytes(contenido)
    return ruta


def _auditoria(servidor) -> list[dict]:
    ruta = servidor["root"] / "auditoria.log"
    return [json.loads(l) for l in ruta.read_text(encoding="utf-8").splitlines()] if ruta.exists() else []


def _mensajes(pagina, id_: str, contiene: str, espera_ms: int = 120000) -> str:
    pagina.wait_for_function(
        f"() => {{ const e = document.querySelector('#{id_}'); return e && e.innerText.includes({json.dumps(contiene)}); }}",
        timeout=espera_ms,
    )
    return pagina.inner_text(f"#{id_}")


def test_subir_un_mes_del_imss(navegador, servidor):  # noqa: F811
    insumos = servidor["insumos"]
    viejo = (insumos / PUESTOS).read_bytes()
    lineas = viejo.decode().splitlines()
    nuevo = ("\n".join(lineas[:-5]) + "\n").encode()
    pagina = _entrar(navegador, servidor)
    pagina.select_option("#carga-tabla", "imss/puestos")
    pagina.wait_for_function(
        "() => [...document.querySelectorAll('#carga-periodo option')].some(o => o.value === '2026-09')"
    )
    pagina.select_option("#carga-periodo", "2026-09")
    pagina.set_input_files("#carga-archivo", _archivo(servidor, "..%2F..%2Fpuestos sept;drop.tab", nuevo))
    pagina.wait_for_selector("#resumen_tabla", timeout=60000)
    resumen = pagina.inner_text("#resumen_tabla")
    assert "Se guardará como\timss/puestos/PAFINALMES_F_20260931.tab" in resumen
    assert "Archivo original\t..%2F..%2Fpuestos sept;drop.tab" in resumen
    assert f"SHA-256\t{hashlib.sha256(nuevo).hexdigest()}" in resumen
    assert "Reemplaza\timss/puestos/PAFINALMES_F_20260931.tab (se archiva)" in resumen
    assert "dato personal: se seudonimiza u omite" in pagina.inner_text("#resumen_columnas")
    filas = pagina.inner_text("#resumen_filas")
    assert lineas[1].split("\t")[1] not in filas and "[dato personal oculto]" in filas
    pagina.wait_for_function(
        "() => [...document.querySelectorAll('.progress-bar')].some(b => "
        "b.textContent === 'Archivo listo para ser cargado')"
    )
    assert (insumos / PUESTOS).read_bytes() == viejo  # nothing stored before "Guardar archivo"
    IMAGENES.mkdir(parents=True, exist_ok=True)
    pagina.screenshot(path=str(IMAGENES / "operador_carga.png"), full_page=True)
    pagina.click("#carga-guardar")
    texto = _mensajes(pagina, "carga_mensajes", "guardado")
    assert "INFO: PAFINALMES_F_20260931.tab guardado" in texto
    assert f"{len(lineas) - 6:,} filas se cargarán en raw.imss_puestos (2026-09)" in texto
    assert (insumos / PUESTOS).read_bytes() == nuevo
    archivados = list((insumos / "_archivo").rglob("PAFINALMES_F_20260931.tab"))
    assert len(archivados) == 1 and archivados[0].read_bytes() == viejo
    ultimo = _auditoria(servidor)[-1]
    assert (ultimo["usuario"], ultimo["accion"]) == ("olga", "insumo_guardado")
    pagina.close()


def test_un_archivo_malo_da_el_mensaje_del_cargador(navegador, servidor):  # noqa: F811
    insumos = servidor["insumos"]
    antes = {p: p.read_bytes() for p in (insumos / "imss" / "puestos").iterdir()}
    pagina = _entrar(navegador, servidor)
    pagina.select_option("#carga-tabla", "imss/puestos")
    pagina.wait_for_function(
        "() => [...document.querySelectorAll('#carga-periodo option')].some(o => o.value === '2026-08')"
    )
    pagina.select_option("#carga-periodo", "2026-08")
    encabezado = b"cve_registro\tnss\tcurp\tsbc\ttipo_trabajador\trango_edad\trango_uma\n"
    pagina.set_input_files("#carga-archivo", _archivo(servidor, "vacio.tab", encabezado))
    pagina.wait_for_selector("#resumen_tabla", timeout=60000)
    pagina.click("#carga-guardar")
    texto = _mensajes(pagina, "carga_mensajes", "no se guardó")
    assert (
        "***ERROR***: archivo imss/puestos/PAFINALMES_F_20260831.tab, fila 2: el archivo no tiene filas de "
        "datos (solo encabezado); no reemplaza lo cargado."
    ) in texto
    assert {p: p.read_bytes() for p in (insumos / "imss" / "puestos").iterdir()} == antes
    assert _auditoria(servidor)[-1]["accion"] == "insumo_rechazado"
    # over the limit: refused in the browser, nothing is sent
    pagina.set_input_files("#carga-archivo", _archivo(servidor, "grande.tab", b"x" * (LIMITE + 1)))
    pagina.wait_for_function("() => document.querySelector('#carga-archivo_limite').innerText.includes('máximo')")
    assert "no se subió" in pagina.inner_text("#carga-archivo_limite")
    time.sleep(1)
    assert pagina.query_selector("#resumen_tabla") is None
    pagina.close()


def test_catalogo_subir_rechazar_y_restaurar(navegador, servidor, tmp_path):  # noqa: F811
    pagina = _entrar(navegador, servidor)
    pagina.click("a[data-value='catalogos']")
    pagina.select_option("#catalogos-catalogo", "submaterias_modelo")
    pagina.wait_for_function(
        "() => document.querySelector('#version_vigente') && "
        "document.querySelector('#version_vigente').innerText.includes('repositorio')"
    )
    pagina.wait_for_function("() => document.querySelector('#catalogos-actual_csv').getAttribute('href')")
    with pagina.expect_download() as info:
        pagina.click("#catalogos-actual_csv")
    assert info.value.suggested_filename == "submaterias_modelo_repositorio.csv"
    destino = tmp_path / "actual.csv"
    info.value.save_as(destino)
    filas = list(csv.reader(io.StringIO(destino.read_text(encoding="utf-8-sig"))))
    assert filas[0] == ["submateria_id", "modelar", "nota"]
    # a wrong version first: refused, naming the row and column
    malo = tmp_path / "malo.csv"
    with open(malo, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([*filas, ["998", "quizás", "mal"]])
    pagina.set_input_files("#catalogos-archivo", malo)
    pagina.wait_for_selector("#catalogo_resumen")
    pagina.click("#catalogos-guardar")
    texto = _mensajes(pagina, "catalogo_mensajes", "no cambió", 240000)
    assert f"columna modelar: valores no admitidos 'quizás' (fila {len(filas) + 1}); se admiten: sí, no" in texto
    # the right one
    bueno = tmp_path / "bueno.csv"
    with open(bueno, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([*filas, ["999", "sí", "nueva submateria"]])
    pagina.set_input_files("#catalogos-archivo", bueno)
    pagina.fill("#catalogos-comentario", "agrego la 999")
    pagina.wait_for_selector("#catalogo_resumen")
    pagina.click("#catalogos-guardar")
    texto = _mensajes(pagina, "catalogo_mensajes", "guardado", 240000)
    assert "catálogo submaterias_modelo guardado como versión v0001" in texto
    pagina.wait_for_function("() => document.querySelector('#version_vigente').innerText.includes('v0001')")
    assert "agrego la 999" in pagina.inner_text("#version_vigente")
    assert "repositorio" in pagina.inner_text("#version_previa")
    IMAGENES.mkdir(parents=True, exist_ok=True)
    pagina.screenshot(path=str(IMAGENES / "operador_catalogos.png"), full_page=True)
    version = servidor["root"] / "catalogos" / "submaterias_modelo" / "v0001.csv"
    assert version.read_text(encoding="utf-8").endswith("999,sí,nueva submateria\n")
    pagina.click("#catalogos-restaurar")
    assert "se restauró la versión repositorio (reemplaza a v0001)" in _mensajes(
        pagina, "restaurar_mensaje", "restauró"
    )
    pagina.wait_for_function("() => document.querySelector('#version_vigente').innerText.includes('repositorio')")
    assert "v0001" in pagina.inner_text("#version_previa")
    acciones = [(e["usuario"], e["accion"]) for e in _auditoria(servidor) if e["accion"].startswith("catalogo")]
    assert acciones == [("olga", "catalogo_rechazado"), ("olga", "catalogo_cargado"), ("olga", "catalogo_restaurado")]
    pagina.close()
