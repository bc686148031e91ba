"""Tab "Carga de catálogos" of the operators' app (manual 4.3, second tab): download the current and the
previous version of a catalog (CSV, XLSX), upload a new one (validated: columns, types and every data test of
the seeds, by dbt on a scratch copy, before it becomes current), restore the previous version in one click,
and see every version with its user, date and comment (sidil.catalogos)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pandas as pd
from shiny import module, reactive, render, ui

from sidil import catalogos as cat
from sidil.interfaz.operador_carga import TRADUCIR_PROGRESO
from sidil.interfaz.operador_procesos import CLASES_LINEA, RESUMEN


def _opciones() -> dict[str, str]:
    return {c.nombre: f"{c.etiqueta} ({c.nombre})" for c in cat.catalogos().values()}


@module.ui
def catalogos_ui():
    return ui.div(
        TRADUCIR_PROGRESO,
        ui.card(
            ui.card_header("Catálogo"),
            ui.input_select("catalogo", "Catálogo", _opciones(), width="60%"),
            ui.output_ui("descripcion"),
        ),
        ui.layout_columns(
            ui.card(
                ui.card_header("Descarga de catálogos"),
                ui.output_ui("versiones_texto"),
                ui.div(
                    ui.download_button("actual_csv", "Versión vigente (CSV)", class_="btn-sm me-2"),
                    ui.download_button("actual_xlsx", "Versión vigente (XLSX)", class_="btn-sm me-2"),
                    class_="mb-2",
                ),
                ui.div(
                    ui.download_button("previa_csv", "Descargar versión previa (CSV)", class_="btn-sm me-2"),
                    ui.download_button("previa_xlsx", "Descargar versión previa (XLSX)", class_="btn-sm me-2"),
                    class_="mb-2",
                ),
                ui.input_action_button(
                    "restaurar", "Restaurar la versión anterior", class_="btn-outline-danger btn-sm"
                ),
                ui.output_ui("restaurar_respuesta"),
            ),
            ui.card(
                ui.card_header("Carga"),
                ui.input_file(
                    "archivo",
                    "Nueva versión del catálogo (CSV o XLSX)",
                    accept=[".csv", ".xlsx"],
                    button_label="Seleccionar…",
                    placeholder="Ningún archivo seleccionado",
                    width="100%",
                ),
                ui.input_text("comentario", "Comentario (qué cambió y por qué)", width="100%"),
                ui.output_ui("resumen"),
                ui.output_ui("mensajes"),
            ),
            col_widths=(6, 6),
        ),
        ui.card(ui.card_header("Versiones guardadas"), ui.output_data_frame("versiones")),
    )


@module.server
def catalogos_server(input, output, session, usuario):
    cambio = reactive.value(0)  # bumped after a new version or a restore
    subida: reactive.Value[dict | None] = reactive.value(None)
    resultado: reactive.Value[list[str]] = reactive.value([])
    respuesta_restaurar: reactive.Value[str] = reactive.value("")

    @reactive.calc
    def catalogo() -> str:
        return input.catalogo()

    @reactive.calc
    def lista() -> list[dict]:
        cambio()
        try:
            return cat.versiones(catalogo())
        except cat.CatalogoError:
            return []

    @render.ui
    def descripcion():
        c = cat.catalogos().get(catalogo())
        if c is None:
            return None
        return ui.p(
            f"Archivo del catálogo: {c.nombre}.csv. Cada versión nueva se comprueba (columnas, tipos y "
            f"pruebas de datos) antes de quedar vigente; todas se conservan.",
            class_="small text-muted mb-0",
        )

    @render.ui
    def versiones_texto():
        vs = lista()
        if not vs:
            return None
        act = next(v for v in vs if v["activa"])
        ant = next((v for v in vs if v["anterior"]), None)
        return ui.div(
            ui.p(ui.strong("Vigente: "), _describir(act), id="version_vigente"),
            ui.p(
                ui.strong("Previa: "),
                _describir(ant) if ant else "no hay (siempre se ha usado la del repositorio)",
                id="version_previa",
            ),
        )

    def _version(cual: str) -> str | None:
        vs = lista()
        v = next((v for v in vs if v[cual]), None)
        return v["version"] if v else None

    def _descarga(cual: str, formato: str):
        version = _version(cual)
        if version is None:
            return
        nombre = catalogo()
        yield cat.exportar_csv(nombre, version) if formato == "csv" else cat.exportar_xlsx(nombre, version)

    def _nombre(cual: str, formato: str) -> str:
        return cat.nombre_descarga(catalogo(), _version(cual) or "sin_version", formato)

    @render.download(filename=lambda: _nombre("activa", "csv"))
    def actual_csv():
        yield from _descarga("activa", "csv")

    @render.download(filename=lambda: _nombre("activa", "xlsx"))
    def actual_xlsx():
        yield from _descarga("activa", "xlsx")

    @render.download(filename=lambda: _nombre("anterior", "csv"))
    def previa_csv():
        yield from _descarga("anterior", "csv")

    @render.download(filename=lambda: _nombre("anterior", "xlsx"))
    def previa_xlsx():
        yield from _descarga("anterior", "xlsx")

    @reactive.effect
    @reactive.event(input.restaurar)
    def _restaurar():
        try:
            r = cat.restaurar_anterior(catalogo(), usuario())
            respuesta_restaurar.set(r.mensajes[0])
        except cat.CatalogoError as exc:
            respuesta_restaurar.set(f"***ERROR***: {exc}")
        cambio.set(cambio() + 1)

    @render.ui
    def restaurar_respuesta():
        texto = respuesta_restaurar()
        if not texto:
            return None
        return ui.p(
            texto,
            class_="text-danger mt-2" if texto.startswith("***ERROR***") else "text-success mt-2",
            id="restaurar_mensaje",
        )

    @reactive.effect
    @reactive.event(input.catalogo)
    def _otro_catalogo():
        respuesta_restaurar.set("")

    @render.data_frame
    def versiones():
        vs = lista()
        df = pd.DataFrame(
            [
                {
                    "Versión": v["version"],
                    "Estado": "vigente" if v["activa"] else ("previa" if v["anterior"] else ""),
                    "Fecha": str(v.get("fecha") or "").replace("T", " "),
                    "Usuario": v.get("usuario") or "",
                    "Comentario": v.get("comentario") or "",
                    "Archivo original": v.get("archivo_original") or "",
                    "Filas": v.get("filas"),
                }
                for v in vs
            ]
        )
        return render.DataGrid(df, width="100%", summary=RESUMEN)

    @reactive.effect
    @reactive.event(input.archivo)
    def _nuevo():
        archivos = input.archivo()
        if archivos:
            subida.set({"datapath": archivos[0]["datapath"], "name": archivos[0]["name"]})
            resultado.set([])

    @render.ui
    def resumen():
        s = subida()
        if s is None:
            return ui.p(
                "Descargue la versión vigente, haga los cambios fuera de línea y súbala aquí. Nada cambia "
                "hasta que oprima «Guardar archivo».",
                class_="text-muted small",
            )
        c = cat.catalogos().get(catalogo())
        ocupado = tarea.status() == "running"
        return ui.div(
            ui.tags.table(
                ui.tags.tr(ui.tags.th("Catálogo", class_="pe-3"), ui.tags.td(c.etiqueta if c else catalogo())),
                ui.tags.tr(
                    ui.tags.th("Se guardará como", class_="pe-3"), ui.tags.td(f"{catalogo()}.csv (nueva versión)")
                ),
                ui.tags.tr(ui.tags.th("Archivo elegido", class_="pe-3"), ui.tags.td(s["name"])),
                class_="mb-2",
                id="catalogo_resumen",
            ),
            ui.p("Archivo listo para ser cargado.", class_="text-success small"),
            ui.input_action_button(
                "guardar",
                "Comprobando…" if ocupado else "Guardar archivo",
                class_="btn-success",
                **({"disabled": ""} if ocupado else {}),
            ),
        )

    @reactive.extended_task
    async def tarea(nombre: str, ruta: str, original: str, quien: str, comentario: str):
        return await asyncio.to_thread(cat.cargar_version, nombre, Path(ruta), original, quien, comentario)

    @reactive.effect
    @reactive.event(input.guardar)
    def _guardar():
        s = subida()
        if s is None or tarea.status() == "running":
            return
        tarea.invoke(catalogo(), s["datapath"], s["name"], usuario(), input.comentario() or "")

    @reactive.effect
    def _terminado():
        if tarea.status() != "success":
            return
        r = tarea.result()
        with reactive.isolate():
            resultado.set(list(r.mensajes))
            subida.set(None)
            cambio.set(cambio() + 1)

    @render.ui
    def mensajes():
        if tarea.status() == "running":
            lineas = ["INFO: comprobando columnas, tipos y las pruebas de datos del catálogo (dbt, unos segundos)…"]
        else:
            lineas = resultado()
        if not lineas:
            return None
        return ui.div(
            *[ui.div(l, class_=next((c for p, c in CLASES_LINEA if l.startswith(p)), "text-body")) for l in lineas],
            class_="mt-2 small sidil-mensajes",
            id="catalogo_mensajes",
        )


def _describir(v: dict) -> str:
    if v["version"] == cat.REPOSITORIO:
        return f"repositorio (la incluida en SIDIL, {v.get('filas', 0):,} filas)"
    return (
        f"{v['version']} del {str(v.get('fecha') or '').replace('T', ' ')} por {v.get('usuario') or '?'} "
        f"({v.get('filas', 0):,} filas)" + (f": {v['comentario']}" if v.get("comentario") else "")
    )
