"""Tab "Estatus y procesos" of the operators' app (manual 4.3, third tab): the status of every source
against the publication calendar, every process with its code version and last run, the processing panel
(tick processes, run them as one background job, follow its console, download its log) and what the
administrator page used to show (the matrix served, model runs and metrics, inputs loaded, the run log).

The warehouse is read only when nobody runs a process: a reader would keep the run from writing."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from shiny import module, reactive, render, ui

from sidil import estatus, pipeline, publicacion, trabajos
from sidil.interfaz.admin_datos import EstadoAdmin, en_espanol, leer_estado

RESUMEN = "Filas {start} a {end} de {total}"  # the grid's footer, in Spanish
CLASES_LINEA = (
    ("***ERROR***", "text-danger fw-bold"),
    ("***ADVERTENCIA***", "text-warning-emphasis"),
    ("INFO", "text-body"),
)
CSS = """
.sidil-consola{background:#111;color:#e6e6e6;font-size:.82rem;max-height:340px;overflow:auto;padding:.6rem;
border-radius:4px;white-space:pre-wrap;font-family:monospace}
.sidil-consola .text-danger{color:#ff7b7b!important}.sidil-consola .text-warning-emphasis{color:#ffd166!important}
.sidil-consola .text-body{color:#e6e6e6!important}
"""


def _tabla(df: pd.DataFrame, alto: str = "320px"):
    if df is None or df.empty:
        return render.DataGrid(pd.DataFrame({"": ["Sin registros."]}), width="100%", summary=False)
    return render.DataGrid(df, width="100%", height=alto, summary=RESUMEN)


@module.ui
def procesos_ui():
    opciones = {p: pipeline.ETIQUETAS[p] for p in pipeline.ORDEN}
    return ui.div(
        ui.div(
            ui.input_action_button("actualizar", "Actualizar estatus", class_="btn-outline-primary"),
            ui.output_ui("aviso"),
            style="margin:.5rem 0",
        ),
        ui.card(ui.card_header("Estatus de fuentes"), ui.output_data_frame("fuentes")),
        ui.card(ui.card_header("Procesos"), ui.output_data_frame("procesos")),
        ui.card(
            ui.card_header("Alertas de referencia (último periodo de cada fuente)"), ui.output_data_frame("alertas")
        ),
        ui.card(ui.card_header("Deriva de variables y riesgos (última predicción)"), ui.output_data_frame("deriva")),
        ui.card(
            ui.card_header("Procesamiento"),
            ui.layout_columns(
                ui.div(
                    ui.input_checkbox_group("pasos", "Procesos a ejecutar (siempre en este orden)", opciones),
                    ui.input_checkbox(
                        "completo",
                        "Construir todos los modelos (si no, solo lo que depende de insumos, modelos o "
                        "catálogos que cambiaron)",
                        False,
                    ),
                    ui.input_action_button("ejecutar", "Ejecutar", class_="btn-success"),
                    ui.output_ui("respuesta"),
                ),
                ui.div(
                    ui.output_ui("trabajo"),
                    ui.output_ui("consola"),
                    ui.download_button("descargar_log", "Descargar el registro completo", class_="btn-sm mt-2"),
                ),
                col_widths=(4, 8),
            ),
        ),
        ui.card(ui.card_header("Matriz de predicción de riesgo en la consulta"), ui.output_ui("mpr")),
        ui.card(ui.card_header("Corridas del modelo"), ui.output_data_frame("corridas")),
        ui.card(
            ui.card_header("Métricas por submateria"),
            ui.input_select("corrida", "Corrida", {}, width="40%"),
            ui.output_data_frame("metricas"),
        ),
        ui.layout_columns(
            ui.card(ui.card_header("Insumos cargados"), ui.output_data_frame("insumos_cargados")),
            ui.card(ui.card_header("Últimas ejecuciones (bitácora)"), ui.output_data_frame("bitacora")),
            col_widths=(6, 6),
        ),
    )


@module.server
def procesos_server(input, output, session, usuario, insumos: Path):
    @reactive.poll(lambda: trabajos.huella(trabajos.ultimo()), 1.0)
    def trabajo_actual() -> trabajos.Trabajo | None:
        return trabajos.ultimo()

    @reactive.poll(lambda: repr(pipeline.en_curso()), 2.0)
    def otra_ejecucion() -> dict | None:
        return pipeline.en_curso()

    respuesta_texto: reactive.Value[tuple[str, str] | None] = reactive.value(None)

    @reactive.calc
    def ocupado() -> bool:
        t = trabajo_actual()
        return bool((t is not None and t.en_curso) or otra_ejecucion())

    @reactive.calc
    def lectura():
        """The warehouse, read once per refresh, never while a process runs."""
        input.actualizar()
        trabajo_actual()  # a job that ends refreshes the tables
        if ocupado():
            return None
        return estatus.leer(), leer_estado()

    @render.ui
    def aviso():
        datos = lectura()
        if datos is None:
            return ui.div(
                "Hay un proceso en ejecución: el estatus se actualizará cuando termine.",
                class_="alert alert-info mt-2",
                id="aviso_datos",
            )
        mensaje = datos[0].mensaje or datos[1].mensaje
        return ui.div(mensaje, class_="alert alert-warning mt-2", id="aviso_datos") if mensaje else None

    @render.data_frame
    def fuentes():
        datos = lectura()
        if datos is None or datos[0].mensaje:
            return _tabla(pd.DataFrame())
        return _tabla(pd.DataFrame(estatus.estatus_fuentes(datos[0])), "auto")

    @render.data_frame
    def procesos():
        datos = lectura()
        if datos is None or datos[0].mensaje:
            return _tabla(pd.DataFrame())
        extra = {}
        if (cand := publicacion.candidata()) is not None:
            extra["predict"] = f"MPR generada el {str(cand.get('generado_en', ''))[:16].replace('T', ' ')}"
        if (vig := publicacion.vigente()) is not None and vig.get("version"):
            extra["publish"] = f"versión {vig['version']}"
        filas = estatus.estatus_procesos(datos[0], {p: pipeline.ETIQUETAS[p] for p in pipeline.ORDEN}, extra)
        return _tabla(pd.DataFrame(filas), "auto")

    @render.data_frame
    def alertas():
        datos = lectura()
        if datos is None or datos[0].mensaje:
            return _tabla(pd.DataFrame())
        return _tabla(pd.DataFrame(estatus.tabla_alertas(datos[0])))

    @render.data_frame
    def deriva():
        datos = lectura()
        if datos is None or datos[0].mensaje:
            return _tabla(pd.DataFrame())
        return _tabla(pd.DataFrame(estatus.tabla_deriva(datos[0])))

    # -- processing ----------------------------------------------------------------------------------------
    @reactive.effect
    @reactive.event(input.ejecutar)
    def _():
        try:
            t = trabajos.iniciar(list(input.pasos() or []), usuario(), insumos, completo=bool(input.completo()))
        except trabajos.TrabajoRechazado as exc:
            respuesta_texto.set(("warning", str(exc)))
            return
        respuesta_texto.set(("success", f"Se inició: {t.etiquetas}."))

    @render.ui
    def respuesta():
        r = respuesta_texto()
        if r is None:
            return None
        return ui.div(r[1], class_=f"alert alert-{r[0]} mt-2", id="respuesta_ejecucion")

    @render.ui
    def trabajo():
        t = trabajo_actual()
        if t is None:
            return ui.p("Aún no se ha ejecutado ningún proceso desde esta interfaz.", id="trabajo_estado")
        fin = f" · terminó el {t.fin.replace('T', ' ')[:16]}" if t.fin else ""
        return ui.p(
            ui.strong(t.etiquetas),
            f" · iniciado por {t.usuario} el {t.inicio.replace('T', ' ')[:16]}{fin} · ",
            ui.span(t.resultado, id="trabajo_resultado"),
            id="trabajo_estado",
        )

    @render.ui
    def consola():
        lineas = trabajos.consola(trabajo_actual())
        filas = []
        for linea in lineas:
            clase = next((c for p, c in CLASES_LINEA if linea.startswith(p)), "")
            filas.append(ui.div(linea, class_=clase))
        return (
            ui.div(*filas, class_="sidil-consola", id="consola_lineas")
            if filas
            else ui.div("Sin mensajes.", class_="sidil-consola", id="consola_lineas")
        )

    @render.download(filename=lambda: trabajos.ultimo().log if trabajos.ultimo() else "sin_registro.log")
    def descargar_log():
        t = trabajos.ultimo()
        if t is None or not t.ruta_log.exists():
            yield "Aún no se ha ejecutado ningún proceso desde esta interfaz.\n"
            return
        with open(t.ruta_log, "rb") as f:
            while bloque := f.read(1 << 16):
                yield bloque

    # -- what the administrator page showed ----------------------------------------------------------------
    @reactive.calc
    def admin() -> EstadoAdmin:
        datos = lectura()
        return EstadoAdmin() if datos is None else datos[1]

    @render.ui
    def mpr():
        vig = publicacion.vigente()
        if vig is None:
            return ui.p("Todavía no se ha enviado ninguna matriz a consulta.", id="info_mpr")
        return ui.tags.ul(
            ui.tags.li(f"Versión publicada: {vig.get('version', 'sin dato')}"),
            ui.tags.li(
                f"Enviada el {str(vig.get('publicado_en', ''))[:16].replace('T', ' ')} por "
                f"{vig.get('publicado_por', 'sin dato')}"
            ),
            ui.tags.li(f"Generada el: {str(vig.get('generado_en', ''))[:16].replace('T', ' ')}"),
            ui.tags.li(f"Centros de trabajo: {int(vig.get('n_centros') or 0):,}"),
            ui.tags.li(
                f"Corrida del modelo: {vig.get('run_id', 'sin dato')} (familia {vig.get('familia', 'sin dato')})"
            ),
            id="info_mpr",
        )

    @reactive.effect
    def _():
        runs = admin().corridas
        ids = list(runs["run_id"]) if "run_id" in runs else []
        ui.update_select("corrida", choices=ids, selected=ids[0] if ids else None)

    @render.data_frame
    def corridas():
        return _tabla(en_espanol(admin().corridas, "corridas"))

    @render.data_frame
    def metricas():
        df = admin().metricas
        if not df.empty and input.corrida():
            df = df[df["run_id"] == input.corrida()]
        return _tabla(en_espanol(df, "metricas"))

    @render.data_frame
    def insumos_cargados():
        return _tabla(en_espanol(admin().insumos, "insumos"))

    @render.data_frame
    def bitacora():
        return _tabla(en_espanol(admin().bitacora, "bitacora"))
