"""Tab "Carga de insumos" of the operators' app (manual 4.3, first tab): source and table, period, file,
and the summary of the upload; nothing is stored until "Guardar archivo", which runs the checks of
`sidil load` (sidil.insumos). Uploads stream to disk (Shiny writes each chunk to a temporary file); the size
limit is enforced on the upload request itself (limite_carga.LimiteCarga) and checked again here."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from shiny import module, reactive, render, ui

from sidil import insumos as carga
from sidil.interfaz.auditoria import auditar
from sidil.interfaz.operador_procesos import CLASES_LINEA

CSS = """
.sidil-resumen th{font-weight:600;padding-right:1rem;white-space:nowrap}
.sidil-vista{font-size:.8rem;overflow:auto;max-height:260px}
.sidil-vista td,.sidil-vista th{padding:.15rem .5rem;border-bottom:1px solid #ddd;white-space:nowrap}
.sidil-mensajes{font-family:monospace;font-size:.85rem}.sidil-mensajes div{white-space:pre-wrap}
"""
# Shiny's file input says "Upload complete" in English when the bytes are on the server; the manual's words.
TRADUCIR_PROGRESO = ui.tags.script("""
new MutationObserver(function () {
  document.querySelectorAll(".shiny-file-input-progress .progress-bar").forEach(function (b) {
    if (b.textContent === "Upload complete") b.textContent = "Archivo listo para ser cargado";
  });
}).observe(document.documentElement, {subtree: true, childList: true, characterData: true});""")


def _tamano(n: int) -> str:
    for unidad, factor in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if n >= factor:
            return f"{n / factor:,.1f} {unidad}"
    return f"{n:,} bytes"


def _opciones_tabla() -> dict[str, dict[str, str]]:
    grupos: dict[str, dict[str, str]] = {}
    for t in carga.tablas():
        grupos.setdefault(carga.NOMBRES_FUENTE.get(t.fuente, t.fuente), {})[t.clave] = t.etiqueta
    return grupos


def _script_limite(id_input: str, limite: int) -> ui.Tag:
    """Refuse a file over the limit in the browser before any byte is sent (the server refuses it anyway)."""
    return ui.tags.script(f"""
document.addEventListener("change", function (ev) {{
  var el = ev.target;
  if (!el || el.id !== {json.dumps(id_input)} || !el.files || !el.files.length) return;
  var aviso = document.getElementById({json.dumps(id_input + "_limite")});
  var tam = el.files[0].size;
  if (aviso) aviso.textContent = "";
  if (tam > {int(limite)}) {{
    ev.stopImmediatePropagation();
    el.value = "";
    if (aviso) aviso.textContent = "El archivo pesa " + tam.toLocaleString("es-MX") +
      " bytes y el máximo permitido es {limite:,} bytes: no se subió.";
  }}
}}, true);""")


@module.ui
def carga_ui():
    limite = carga.tamanio_maximo()
    id_archivo = module.resolve_id("archivo")
    return ui.div(
        ui.tags.style(CSS),
        TRADUCIR_PROGRESO,
        ui.layout_columns(
            ui.card(
                ui.card_header("1. Fuente de información"),
                ui.input_select("tabla", "Fuente y tabla", _opciones_tabla(), width="100%"),
            ),
            ui.card(
                ui.card_header("2. Periodo"),
                ui.input_select("periodo", "Periodo de los datos", {}, width="100%"),
                ui.output_ui("nota_periodo"),
            ),
            ui.card(
                ui.card_header("3. Archivo"),
                ui.input_file(
                    "archivo",
                    "Archivo del insumo",
                    button_label="Seleccionar…",
                    placeholder="Ningún archivo seleccionado",
                    width="100%",
                ),
                ui.output_ui("formatos"),
                ui.p(f"Tamaño máximo: {_tamano(limite)}.", class_="text-muted small mb-0"),
                ui.p("", id=id_archivo + "_limite", class_="text-danger small"),
                _script_limite(id_archivo, limite),
            ),
            col_widths=(4, 4, 4),
        ),
        ui.card(ui.card_header("4. Resumen de la carga"), ui.output_ui("resumen")),
        ui.output_ui("mensajes"),
    )


@module.server
def carga_server(input, output, session, usuario, insumos: Path):
    insumos = Path(insumos)
    subida: reactive.Value[dict | None] = reactive.value(None)  # {"datapath", "name"} of the pending upload
    resultado: reactive.Value[list[str]] = reactive.value([])

    @reactive.calc
    def tabla_elegida() -> carga.Tabla | None:
        try:
            return carga.tabla(input.tabla())
        except carga.CargaError:
            return None

    @reactive.effect
    def _periodos():
        t = tabla_elegida()
        if t is None:
            return
        opciones = carga.periodos(t)
        ui.update_select(
            "periodo",
            choices=dict(opciones),
            selected=opciones[0][0] if len(opciones) == 1 else next((v for v, _ in opciones[2:3]), opciones[0][0]),
        )

    @render.ui
    def nota_periodo():
        t = tabla_elegida()
        if t is not None and t.formato_periodo == "serie":
            return ui.p(
                "La serie se entrega completa en un solo archivo: reemplaza a la anterior.", class_="text-muted small"
            )
        return None

    @render.ui
    def formatos():
        t = tabla_elegida()
        if t is None:
            return None
        return ui.p(
            "Formatos aceptados: " + ", ".join("." + e for e in t.extensiones) + ".", class_="text-muted small mb-0"
        )

    @reactive.effect
    @reactive.event(input.archivo)
    def _nuevo_archivo():
        archivos = input.archivo()
        if not archivos:
            return
        subida.set({"datapath": archivos[0]["datapath"], "name": archivos[0]["name"]})
        resultado.set([])

    @reactive.extended_task
    async def tarea_resumen(clave: str, periodo: str, ruta: str, nombre: str):
        return await asyncio.to_thread(_resumir, clave, periodo, ruta, nombre, insumos)

    @reactive.effect
    def _resumir_al_cambiar():
        s = subida()
        clave, periodo = input.tabla(), input.periodo()
        if s is None or not periodo:
            return
        tarea_resumen.invoke(clave, periodo, s["datapath"], s["name"])

    @reactive.extended_task
    async def tarea_guardar(clave: str, periodo: str, ruta: str, nombre: str, quien: str):
        return await asyncio.to_thread(carga.guardar, clave, periodo, Path(ruta), nombre, insumos, quien)

    @reactive.effect
    @reactive.event(input.guardar)
    def _guardar():
        s = subida()
        if s is None or tarea_guardar.status() == "running":
            return
        previo = tarea_resumen.result() if tarea_resumen.status() == "success" else None
        if not isinstance(previo, carga.Resumen):
            return
        tarea_guardar.invoke(input.tabla(), input.periodo(), s["datapath"], s["name"], usuario())

    @reactive.effect
    def _guardado():
        if tarea_guardar.status() != "success":
            return
        r = tarea_guardar.result()
        with reactive.isolate():
            resultado.set(list(r.mensajes))
            subida.set(None)  # the upload was consumed: moved into the inputs, or deleted

    @render.ui
    def resumen():
        s = subida()
        if s is None:
            return ui.p(
                "Elija la fuente, el periodo y el archivo. Nada se guarda hasta que oprima «Guardar archivo».",
                class_="text-muted",
            )
        estado = tarea_resumen.status()
        if estado in ("initial", "running"):
            return ui.p(f"Archivo recibido: {s['name']}. Leyendo encabezado y primeras filas…", id="resumen_espera")
        if estado == "error":
            return ui.p("***ERROR***: no se pudo leer el archivo.", class_="text-danger")
        r = tarea_resumen.result()
        if isinstance(r, str):  # refused before any check (size, extension, empty)
            return ui.div(ui.p(r, class_="text-danger fw-bold", id="resumen_rechazo"))
        return _vista_resumen(r, tarea_guardar.status() == "running")

    @render.ui
    def mensajes():
        lineas = _mensajes_actuales()
        if not lineas:
            return None
        items = []
        for linea in lineas:
            clase = next((c for prefijo, c in CLASES_LINEA if linea.startswith(prefijo)), "text-body")
            items.append(ui.div(linea, class_=clase))
        return ui.card(ui.card_header("Resultado"), ui.div(*items, class_="sidil-mensajes", id="carga_mensajes"))

    def _mensajes_actuales() -> list[str]:
        if tarea_guardar.status() == "running":
            return ["INFO: comprobando el archivo con las reglas de `sidil load` (puede tardar con archivos grandes)…"]
        return resultado()

    def _resumir(clave: str, periodo: str, ruta: str, nombre: str, carpeta: Path):
        try:
            r = carga.resumir(clave, periodo, Path(ruta), nombre, carpeta)
            auditar(
                usuario(),
                "insumo_recibido",
                json.dumps(
                    {
                        "tabla": clave,
                        "periodo": periodo,
                        "archivo_original": nombre,
                        "nombre": r.nombre,
                        "tamano_bytes": r.tamano_bytes,
                        "sha256": r.sha256,
                    },
                    ensure_ascii=False,
                ),
            )
            return r
        except carga.CargaError as exc:
            carga.rechazar(clave, periodo, nombre, usuario(), str(exc))
            return f"***ERROR***: {exc}"
        except FileNotFoundError:
            return "***ERROR***: el archivo ya no está disponible; vuelva a seleccionarlo."


def _vista_resumen(r: carga.Resumen, guardando: bool) -> ui.Tag:
    filas = [
        ("Fuente", carga.NOMBRES_FUENTE.get(r.tabla.fuente, r.tabla.fuente)),
        ("Tabla", r.tabla.etiqueta),
        ("Periodo", r.periodo),
        ("Archivo original", r.archivo_original),
        ("Se guardará como", r.ruta_relativa),
        ("Tamaño", f"{_tamano(r.tamano_bytes)} ({r.tamano_bytes:,} bytes)"),
        ("SHA-256", r.sha256),
        ("Reemplaza", ", ".join(r.reemplaza) + " (se archiva)" if r.reemplaza else "nada (periodo nuevo)"),
    ]
    resumen = ui.tags.table(
        *[ui.tags.tr(ui.tags.th(k), ui.tags.td(v, id=f"resumen_{i}")) for i, (k, v) in enumerate(filas)],
        class_="sidil-resumen mb-3",
        id="resumen_tabla",
    )
    partes = [resumen]
    if r.veredicto_encabezado:
        partes.append(
            ui.p(f"***ERROR***: {r.veredicto_encabezado}", class_="text-danger fw-bold", id="resumen_encabezado")
        )
    if r.columnas:
        partes.append(ui.h6("Columnas reconocidas con el catálogo de campos"))
        partes.append(
            ui.tags.table(
                ui.tags.thead(
                    ui.tags.tr(
                        ui.tags.th("Encabezado del archivo"), ui.tags.th("Campo del catálogo"), ui.tags.th("Estado")
                    )
                ),
                ui.tags.tbody(
                    *[
                        ui.tags.tr(ui.tags.td(c.encabezado), ui.tags.td(c.campo or "—"), ui.tags.td(c.estado))
                        for c in r.columnas
                    ]
                ),
                class_="sidil-vista mb-3",
                id="resumen_columnas",
            )
        )
    if r.faltantes:
        partes.append(ui.p("Faltan campos obligatorios: " + ", ".join(r.faltantes), class_="text-danger"))
    if r.vista_encabezado:
        partes.append(ui.h6(f"Primeras {len(r.vista_filas)} filas (datos personales ocultos)"))
        partes.append(
            ui.div(
                ui.tags.table(
                    ui.tags.thead(ui.tags.tr(*[ui.tags.th(h) for h in r.vista_encabezado])),
                    ui.tags.tbody(*[ui.tags.tr(*[ui.tags.td(v) for v in f]) for f in r.vista_filas]),
                ),
                class_="sidil-vista mb-3",
                id="resumen_filas",
            )
        )
    partes.append(
        ui.input_action_button(
            "guardar",
            "Guardando…" if guardando else "Guardar archivo",
            class_="btn-success",
            **({"disabled": ""} if guardando else {}),
        )
    )
    return ui.div(*partes)
