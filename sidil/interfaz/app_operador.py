"""The operators' app (`/operador/`, operators and administrators; manual 4.3, "Interfaz de automatización"):
four tabs, each a Shiny module in its own file — Carga de insumos, Carga de catálogos, Estatus y procesos,
Matriz de riesgos — under a banner that tells every user when a process is running."""

from __future__ import annotations

from pathlib import Path

from shiny import App, reactive, render, ui

from sidil import pipeline, trabajos
from sidil.interfaz.operador_carga import carga_server, carga_ui
from sidil.interfaz.operador_catalogos import catalogos_server, catalogos_ui
from sidil.interfaz.operador_mpr import mpr_server, mpr_ui
from sidil.interfaz.operador_procesos import CSS as CSS_PROCESOS
from sidil.interfaz.operador_procesos import procesos_server, procesos_ui
from sidil.interfaz.web import boton_salir

_CSS = """
.sidil-banner{background:#fff3cd;border-left:4px solid #b8860b;padding:.6rem 1rem;margin:.5rem 0 1rem}
"""


def _fecha(iso) -> str:
    return str(iso or "?")[:16].replace("T", " ")


def texto_banner(t: trabajos.Trabajo | None, otra: dict | None) -> str | None:
    """What the banner says: the job started here, else any other run holding the warehouse lock."""
    if t is not None and t.en_curso:
        return (
            f"Proceso en ejecución: {t.etiquetas}, iniciado por {t.usuario} el {_fecha(t.inicio)}. "
            f"Los datos pueden cambiar al terminar."
        )
    if otra:
        pasos = ", ".join(pipeline.ETIQUETAS.get(p, p) for p in otra.get("pasos") or []) or "un proceso"
        return (
            f"Proceso en ejecución: {pasos}, iniciado por {otra.get('usuario', '?')} el {_fecha(otra.get('inicio'))}."
        )
    return None


def crear_app_operador(insumos: Path) -> App:
    app_ui = ui.page_navbar(
        ui.nav_panel("Carga de insumos", carga_ui("carga"), value="carga"),
        ui.nav_panel("Carga de catálogos", catalogos_ui("catalogos"), value="catalogos"),
        ui.nav_panel("Estatus y procesos", procesos_ui("procesos"), value="procesos"),
        ui.nav_panel("Matriz de riesgos", mpr_ui("mpr"), value="mpr"),
        ui.nav_spacer(),
        ui.nav_control(ui.output_ui("menu_usuario")),
        title="SIDIL · Interfaz de automatización",
        id="pestanas",
        header=ui.div(ui.tags.style(_CSS + CSS_PROCESOS), ui.output_ui("banner"), class_="container-fluid"),
        window_title="SIDIL — Operación",
        lang="es",
    )

    def server(input, output, session):
        sesion = session.http_conn.scope.get("sidil_sesion")
        nombre = sesion.usuario if sesion else ""

        def usuario() -> str:
            return nombre

        @reactive.effect
        def _():
            """`?pestana=procesos` (where the old /admin/ address leads) opens that tab."""
            from urllib.parse import parse_qs

            busqueda = session.input[".clientdata_url_search"]()
            pedida = (parse_qs(busqueda.lstrip("?")).get("pestana") or [""])[0]
            if pedida in ("carga", "catalogos", "procesos", "mpr"):
                ui.update_navset("pestanas", selected=pedida)

        @render.ui
        def menu_usuario():
            return ui.div(
                ui.span(nombre, class_="navbar-text me-3", id="usuario_actual"),
                # a GET form, not a link: the navbar's tab binding takes every <a> there for a tab
                ui.tags.form(
                    ui.tags.button(
                        "Ir a la consulta", type="submit", id="volver", class_="btn btn-link nav-link d-inline p-0"
                    ),
                    method="get",
                    action="../",
                    class_="d-inline m-0 me-3",
                ),
                boton_salir(sesion, "../logout"),
                class_="d-flex align-items-center",
            )

        @reactive.poll(lambda: (trabajos.huella(trabajos.ultimo()), repr(pipeline.en_curso())), 1.5)
        def en_ejecucion() -> str | None:
            return texto_banner(trabajos.ultimo(), pipeline.en_curso())

        @render.ui
        def banner():
            texto = en_ejecucion()
            return ui.div(texto, class_="sidil-banner", id="banner_proceso") if texto else None

        carga_server("carga", usuario, insumos)
        catalogos_server("catalogos", usuario)
        procesos_server("procesos", usuario, insumos)
        mpr_server("mpr", usuario)

    return App(app_ui, server)
