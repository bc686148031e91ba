"""Uploads of original inputs (sidil.insumos, the logic of the tab "Carga de insumos"): names built from the
period, never from the upload; the summary; the checks of `sidil load` before storing; archiving of the
replaced file; hostile inputs (path names, a SQL header, size, extension, empty files) refused with the
loader's messages while nothing stored or landed changes; the upload size limit on the request itself."""

from __future__ import annotations

import asyncio
import hashlib
import json
import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest

from loaders.catalog import recognise
from loaders.run import discover
from sidil import insumos
from sidil.interfaz.auditoria import eventos
from tests.conftest import ALL_SOURCES, KEY

HOY = date(2026, 11, 30)


@pytest.fixture
def entorno(loaded_tiny, tiny_demo, tmp_path, monkeypatch):
    """A copy of the loaded tiny warehouse and of its input folder, the audit log in tmp."""
    db = tmp_path / "wh" / "sidil.duckdb"
    db.parent.mkdir()
    shutil.copy(loaded_tiny[0], db)
    carpeta = tmp_path / "insumos"
    shutil.copytree(tiny_demo, carpeta)
    monkeypatch.setenv("SIDIL_DB", str(db))
    monkeypatch.setenv("SIDIL_AUDITORIA", str(tmp_path / "auditoria.log"))
    monkeypatch.setenv("SIDIL_PSEUDO_KEY", KEY.decode())
    monkeypatch.delenv("SIDIL_TAMANIO_MAXIMO_CARGA", raising=False)
    monkeypatch.delenv("SIDIL_SEMILLAS", raising=False)
    subidas = tmp_path / "subidas"
    subidas.mkdir()
    return {"db": db, "insumos": carpeta, "subidas": subidas}


def _estado_almacen(db: Path) -> tuple:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return (
            con.execute(
                "select count(*), sum(hash(archivo || coalesce(sha256, '') || estado)) from raw.load_manifest"
            ).fetchone(),
            con.execute("select periodo, count(*) from raw.imss_puestos group by 1 order by 1").fetchall(),
        )
    finally:
        con.close()


def _listado(carpeta: Path) -> dict[str, str]:
    return {
        p.relative_to(carpeta).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in carpeta.rglob("*")
        if p.is_file() and "_archivo" not in p.parts
    }


def _subida(entorno, nombre: str, contenido: bytes) -> Path:
    ruta = entorno["subidas"] / nombre.replace("/", "_")
    ruta.write_bytes(contenido)
    return ruta


PUESTOS = "imss/puestos/PAFINALMES_F_20260931.tab"


# -- names and periods ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "clave,periodo,ext,esperado",
    [
        ("enoe/sdem", "2026T3", "dbf", "ENOEN_SDEMT326.dbf"),
        ("enoe/coe1", "2019T2", "dbf", "COE1T219.dbf"),  # the classic ENOE before 2020T3: no ENOEN_ prefix
        ("enoe/coe2", "2024T1", "csv", "conjunto_de_datos_coe2_enoen_2024_1t.csv"),
        ("imss/patrones", "2026-10", "7z", "PATRONES_STPS_20261031.7z"),
        ("imss/puestos", "2026-01", "tab.gz", "PAFINALMES_F_20260131.tab.gz"),
        ("imss/riesgos", "2026-09", "xlsx", "STPS_20260931.xlsx"),
        ("censo/c3", "2024", "xlsx", "TABLA_C3_CENSO2024.xlsx"),
        ("externos/itaee", "serie", "csv", "itaee.csv"),
    ],
)
def test_nombre_destino_sigue_el_periodo(clave, periodo, ext, esperado):
    t = insumos.tabla(clave)
    nombre = insumos.nombre_destino(t, periodo, ext)
    assert nombre == esperado
    rec = recognise(Path("/x") / t.carpeta / nombre, Path("/x"))
    assert (rec.fuente, rec.entidad) == (t.fuente, t.entidad)
    assert rec.periodo == periodo


def test_cada_tabla_y_extension_se_reconoce():
    """Every table of the source seed, every extension it accepts: the stored name is recognised by the loader
    as that table and period."""
    tablas = insumos.tablas()
    assert {t.clave for t in tablas} >= {
        "enoe/sdem",
        "enoe/coe1",
        "enoe/coe2",
        "imss/patrones",
        "imss/puestos",
        "imss/riesgos",
        "censo/c3",
        "externos/itaee",
        "externos/pibe",
    }
    assert insumos.tabla("enoe/sdem").extensiones == ("dbf", "csv")
    assert set(insumos.tabla("imss/puestos").extensiones) == {
        "tab.gz",
        "csv.gz",
        "txt.gz",
        "csv",
        "tab",
        "txt",
        "gz",
        "7z",
        "rar",
    }
    assert "xlsx" in insumos.tabla("imss/riesgos").extensiones
    assert insumos.tabla("censo/c3").extensiones == ("csv", "xlsx")
    assert insumos.tabla("externos/pibe").extensiones == ("csv",)
    for t in tablas:
        for periodo, _ in insumos.periodos(t, HOY):
            for ext in t.extensiones:
                nombre = insumos.nombre_destino(t, periodo, ext)
                rec = recognise(Path("/x") / t.carpeta / nombre, Path("/x"))
                assert rec is not None and (rec.fuente, rec.entidad) == (t.fuente, t.entidad), nombre
                assert rec.periodo == periodo, nombre


def test_periodos_segun_la_fuente():
    enoe = [v for v, _ in insumos.periodos(insumos.tabla("enoe/sdem"), HOY)]
    assert enoe[:3] == ["2027T2", "2027T1", "2026T4"] and "2024T1" in enoe and len(enoe) == 15
    imss = insumos.periodos(insumos.tabla("imss/puestos"), HOY)
    assert imss[0] == ("2027-01", "enero 2027") and ("2026-10", "octubre 2026") in imss and len(imss) == 27
    assert [v for v, _ in insumos.periodos(insumos.tabla("censo/c3"), HOY)] == ["2029", "2024", "2019", "2014"]
    assert insumos.periodos(insumos.tabla("externos/itaee"), HOY) == [("serie", "serie completa (un solo archivo)")]


@pytest.mark.parametrize(
    "clave,periodo",
    [
        ("../../etc/passwd", "2026-01"),
        ("imss/puestos", "2026-13"),
        ("imss/puestos", "2026-01'; drop table raw.imss_puestos; --"),
        ("enoe/sdem", "2026T5"),
        ("externos/itaee", "2026"),
    ],
)
def test_tabla_o_periodo_fuera_de_catalogo(clave, periodo):
    with pytest.raises(insumos.CargaError):
        insumos.nombre_destino(insumos.tabla(clave), periodo, "csv" if clave.startswith("externos") else "tab")


# -- summary ---------------------------------------------------------------------------------------------------------
def test_resumen_antes_de_guardar(entorno):
    original = (entorno["insumos"] / PUESTOS).read_bytes()
    subida = _subida(entorno, "0.tab", original)
    antes = _listado(entorno["insumos"])
    r = insumos.resumir("imss/puestos", "2026-09", subida, "../../../etc/cron.d/x.tab", entorno["insumos"])
    assert r.nombre == "PAFINALMES_F_20260931.tab" and r.ruta_relativa == PUESTOS
    assert r.archivo_original == "../../../etc/cron.d/x.tab"
    assert r.tamano_bytes == len(original) and r.sha256 == hashlib.sha256(original).hexdigest()
    assert r.reemplaza == [PUESTOS]
    assert r.veredicto_encabezado is None and r.faltantes == []
    assert [(c.encabezado, c.campo) for c in r.columnas][:3] == [
        ("cve_registro", "cve_registro"),
        ("nss", "nss"),
        ("curp", "curp"),
    ]
    assert [c.estado for c in r.columnas][1] == "dato personal: se seudonimiza u omite"
    assert len(r.vista_filas) == 5 and r.vista_encabezado[:2] == ["cve_registro", "nss"]
    primera = original.decode().splitlines()[1].split("\t")
    assert r.vista_filas[0][0] == primera[0] and r.vista_filas[0][3] == primera[3]
    texto = json.dumps(r.vista_filas)
    for linea in original.decode().splitlines()[1:6]:  # no NSS or CURP of the file in the preview
        nss, curp = linea.split("\t")[1:3]
        assert nss not in texto and (not curp or curp not in texto)
    assert _listado(entorno["insumos"]) == antes  # nothing stored yet
    assert not (entorno["insumos"] / "_archivo").exists()


def test_resumen_de_un_encabezado_desconocido(entorno):
    patrones = (entorno["insumos"] / "imss/patrones/PATRONES_STPS_20241031.tab").read_bytes()
    r = insumos.resumir("imss/puestos", "2026-09", _subida(entorno, "1.tab", patrones), "p.tab", entorno["insumos"])
    assert r.veredicto_encabezado.startswith(
        "archivo imss/puestos/PAFINALMES_F_20260931.tab, fila 1, campo nss: "
        "falta el campo obligatorio 'nss' de imss puestos"
    )
    assert r.faltantes == ["nss", "curp", "sbc", "tipo_trabajador", "rango_edad", "rango_uma"]
    assert any(c.estado.startswith("desconocido") for c in r.columnas)
    # the patrones' razón social is personal in the field catalog: hidden even under the wrong table
    i = r.vista_encabezado.index("razon_social")
    assert {f[i] for f in r.vista_filas} == {"[dato personal oculto]"}
    r2 = insumos.resumir("imss/patrones", "2024-10", _subida(entorno, "2.tab", patrones), "p.tab", entorno["insumos"])
    i = r2.vista_encabezado.index("razon_social")
    assert {f[i] for f in r2.vista_filas} == {"[dato personal oculto]"}


def test_resumen_dbf_xlsx_y_7z(entorno):
    carpeta = entorno["insumos"]
    r = insumos.resumir(
        "enoe/sdem",
        "2026T3",
        _subida(entorno, "a.dbf", (carpeta / "enoe/ENOEN_SDEMT326.dbf").read_bytes()),
        "SDEM.DBF",
        carpeta,
    )
    assert r.nombre == "ENOEN_SDEMT326.dbf" and r.veredicto_encabezado is None and len(r.vista_filas) == 5
    r = insumos.resumir(
        "imss/riesgos",
        "2026-09",
        _subida(entorno, "b.xlsx", (carpeta / "imss/riesgos/STPS_20260931.xlsx").read_bytes()),
        "riesgos.xlsx",
        carpeta,
    )
    assert r.nombre == "STPS_20260931.xlsx" and r.veredicto_encabezado is None and "nss" in r.vista_encabezado
    assert {f[r.vista_encabezado.index("nss")] for f in r.vista_filas} == {"[dato personal oculto]"}
    r = insumos.resumir(
        "imss/patrones",
        "2024-09",
        _subida(entorno, "c.7z", (carpeta / "imss/patrones/PATRONES_STPS_20240931.7z").read_bytes()),
        "p.7z",
        carpeta,
    )
    assert r.nombre == "PATRONES_STPS_20240931.7z" and r.veredicto_encabezado is None and len(r.vista_filas) == 5
    assert r.reemplaza == ["imss/patrones/PATRONES_STPS_20240931.7z"]


# -- storing ----------------------------------------------------------------------------------------------------------
def test_guardar_reemplaza_y_archiva(entorno):
    carpeta = entorno["insumos"]
    antes_almacen = _estado_almacen(entorno["db"])
    viejo = (carpeta / PUESTOS).read_bytes()
    lineas = viejo.decode().splitlines()
    nuevo = ("\n".join(lineas[:-10]) + "\n").encode()  # a corrected delivery: ten rows fewer
    lineas_log: list[str] = []
    r = insumos.guardar(
        "imss/puestos",
        "2026-09",
        _subida(entorno, "0.tab", nuevo),
        "correccion sept.tab",
        carpeta,
        "olga",
        lineas_log.append,
    )
    assert r.ok, r.mensajes
    assert r.mensajes[-1] == "INFO: PAFINALMES_F_20260931.tab guardado"
    assert (
        f"INFO: PAFINALMES_F_20260931.tab: {len(lineas) - 11:,} filas se cargarán en raw.imss_puestos (2026-09)."
        in r.mensajes
    )
    assert lineas_log == r.mensajes
    assert (carpeta / PUESTOS).read_bytes() == nuevo
    archivados = [p for p in (carpeta / "_archivo").rglob("PAFINALMES_F_20260931.tab")]
    assert len(archivados) == 1 and archivados[0].read_bytes() == viejo
    assert archivados[0].relative_to(carpeta).parts[2:] == ("imss", "puestos", "PAFINALMES_F_20260931.tab")
    assert not (entorno["subidas"] / "0.tab").exists()  # the upload was moved, not copied
    assert not list((carpeta / "_archivo" / ".en_validacion").glob("*"))
    # the loader never sees the archive, and nothing landed changed
    encontrados, desconocidos = discover(carpeta, ALL_SOURCES)
    assert not any("_archivo" in str(x.path) for x in encontrados) and not desconocidos
    assert _estado_almacen(entorno["db"]) == antes_almacen
    ev = eventos()
    assert [(e["usuario"], e["accion"]) for e in ev] == [("olga", "insumo_guardado")]
    detalle = json.loads(ev[0]["detalle"])
    assert detalle["nombre"] == "PAFINALMES_F_20260931.tab" and detalle["archivo_original"] == "correccion sept.tab"
    assert detalle["sha256"] == hashlib.sha256(nuevo).hexdigest()
    assert detalle["archivados"] == [PUESTOS]


def test_guardar_un_periodo_nuevo(entorno):
    carpeta = entorno["insumos"]
    contenido = (carpeta / PUESTOS).read_bytes()
    r = insumos.guardar(
        "imss/puestos", "2026-11", _subida(entorno, "n.tab", contenido), "noviembre.txt.tab", carpeta, "olga"
    )
    assert r.ok, r.mensajes
    assert (carpeta / "imss/puestos/PAFINALMES_F_20261131.tab").read_bytes() == contenido
    assert not [p for p in (carpeta / "_archivo").rglob("*") if p.is_file() and p.name != ".bloqueo"]


def _encabezado_sql() -> bytes:
    return (
        b"cve_registro\tnss\tcurp\tsbc\ttipo_trabajador\trango_edad\trango_uma\t"
        b'x"; drop table raw.imss_puestos; --\n'
        b"A1\t12345678901\tCURP\t1.0\t1\tE1\tW1\tz\n"
    )


@pytest.mark.parametrize(
    "caso,nombre,contenido,esperado",
    [
        (
            "encabezado_sql",
            "x.tab",
            _encabezado_sql(),
            "campo desconocido 'x\";droptableraw.imss_puestos;--' en la columna 8",
        ),
        ("otro_tipo", "x.tab", None, "falta el campo obligatorio 'nss' de imss puestos"),
        (
            "solo_encabezado",
            "x.tab",
            b"cve_registro\tnss\tcurp\tsbc\ttipo_trabajador\trango_edad\trango_uma\n",
            "fila 2: el archivo no tiene filas de datos (solo encabezado); no reemplaza lo cargado",
        ),
        ("entrega_incompleta", "x.tab", "recorte", "parece una entrega incompleta"),
        ("vacio", "x.tab", b"", "está vacío (0 bytes)"),
        ("extension", "../../x.exe", b"MZ\x90\x00", "no tiene una extensión que se acepte"),
        ("ruta", "../../../../tmp/sidil_hostil.tab/..", b"a\tb\n1\t2\n", "no tiene una extensión que se acepte"),
        ("binario", "x.tab.gz", b"esto no es gzip", "el archivo comprimido está dañado o truncado"),
    ],
)
def test_archivos_hostiles_no_cambian_nada(entorno, caso, nombre, contenido, esperado):
    carpeta = entorno["insumos"]
    if contenido is None:
        contenido = (carpeta / "imss/patrones/PATRONES_STPS_20241031.tab").read_bytes()
    elif contenido == "recorte":
        contenido = ("\n".join((carpeta / PUESTOS).read_text().splitlines()[:4]) + "\n").encode()
    antes_carpeta, antes_almacen = _listado(carpeta), _estado_almacen(entorno["db"])
    r = insumos.guardar("imss/puestos", "2026-09", _subida(entorno, "h" + caso, contenido), nombre, carpeta, "olga")
    assert not r.ok
    texto = "\n".join(r.mensajes)
    assert esperado in texto, texto
    assert all(m.startswith(("INFO: ", "***ERROR***: ", "***ADVERTENCIA***: ")) for m in r.mensajes)
    assert str(entorno["subidas"]) not in texto and ".en_validacion" not in texto  # no server path in messages
    assert _listado(carpeta) == antes_carpeta
    assert _estado_almacen(entorno["db"]) == antes_almacen
    assert not Path("/tmp/sidil_hostil.tab").exists()
    assert (
        not [p for p in (carpeta / "_archivo").rglob("*") if p.is_file() and p.name != ".bloqueo"]
        if (carpeta / "_archivo").exists()
        else True
    )
    ev = eventos()
    assert [(e["usuario"], e["accion"]) for e in ev] == [("olga", "insumo_rechazado")]
    assert json.loads(ev[0]["detalle"])["archivo_original"] == nombre


def test_limite_de_tamanio(entorno, monkeypatch):
    monkeypatch.setenv("SIDIL_TAMANIO_MAXIMO_CARGA", "1000")
    carpeta = entorno["insumos"]
    contenido = (carpeta / PUESTOS).read_bytes()
    with pytest.raises(insumos.CargaError, match="el máximo permitido es 1,000"):
        insumos.resumir("imss/puestos", "2026-09", _subida(entorno, "g.tab", contenido), "g.tab", carpeta)
    antes = _listado(carpeta)
    r = insumos.guardar("imss/puestos", "2026-09", _subida(entorno, "g.tab", contenido), "g.tab", carpeta, "olga")
    assert not r.ok and "el máximo permitido es 1,000 bytes" in r.mensajes[-1]
    assert _listado(carpeta) == antes
    monkeypatch.setenv("SIDIL_TAMANIO_MAXIMO_CARGA", "mucho")
    with pytest.raises(ValueError, match="no es un tamaño en bytes"):
        insumos.tamanio_maximo()
    monkeypatch.delenv("SIDIL_TAMANIO_MAXIMO_CARGA")
    assert insumos.tamanio_maximo() == 4 << 30


# -- the limit on the upload request -------------------------------------------------------------------------------
def _pedir(app, cuerpo: list[bytes], cabeceras: list[tuple[bytes, bytes]], ruta="/operador/session/s1/upload/j1"):
    enviados: list[dict] = []
    pendientes = [{"type": "http.request", "body": c, "more_body": i < len(cuerpo) - 1} for i, c in enumerate(cuerpo)]

    async def receive():
        return pendientes.pop(0) if pendientes else {"type": "http.disconnect"}

    async def send(m):
        enviados.append(m)

    scope = {"type": "http", "method": "POST", "path": ruta, "headers": cabeceras, "query_string": b""}
    asyncio.run(app(scope, receive, send))
    estado = next(m["status"] for m in enviados if m["type"] == "http.response.start")
    cuerpo_resp = b"".join(m.get("body", b"") for m in enviados if m["type"] == "http.response.body")
    return estado, cuerpo_resp.decode()


class _AppQueGuarda:
    """Writes the request body as Shiny does (chunk by chunk, through starlette's request.stream())."""

    def __init__(self):
        self.escrito = 0
        self.llamada = False

    async def __call__(self, scope, receive, send):
        from starlette.requests import Request
        from starlette.responses import PlainTextResponse

        self.llamada = True
        async for trozo in Request(scope, receive).stream():
            self.escrito += len(trozo)
        await PlainTextResponse("OK")(scope, receive, send)


def test_limite_en_la_peticion_de_subida():
    from sidil.interfaz.limite_carga import LimiteCarga

    app = _AppQueGuarda()
    estado, texto = _pedir(LimiteCarga(app, lambda: 100), [b"x" * 50], [(b"content-length", b"5000")])
    assert estado == 413 and "tamaño máximo permitido (100 bytes" in texto and not app.llamada
    app = _AppQueGuarda()  # no length declared (or a lie): cut as soon as the body passes the limit
    estado, texto = _pedir(LimiteCarga(app, lambda: 100), [b"x" * 60] * 10, [])
    assert estado == 413 and app.escrito <= 60
    app = _AppQueGuarda()
    estado, texto = _pedir(LimiteCarga(app, lambda: 100), [b"x" * 40, b"y" * 40], [(b"content-length", b"80")])
    assert (estado, texto, app.escrito) == (200, "OK", 80)
    app = _AppQueGuarda()  # other requests pass untouched
    estado, _ = _pedir(LimiteCarga(app, lambda: 10), [b"x" * 40], [], ruta="/operador/")
    assert estado == 200 and app.escrito == 40
