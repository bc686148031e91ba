"""The consultation app (manual section 4.4): tab Filtrado (predictor, indicators, attributes, random
subsample, export), tab Análisis (criteria, CTs by state and size class, matrix statistics) and tab Plan.
This module lays out the page; `consulta_servidor` serves it."""

from __future__ import annotations

from shiny import App, ui

from sidil.interfaz import consultas
from sidil.interfaz.consulta_servidor import etiqueta_predictor, servidor_consulta
from sidil.interfaz.mpr import Matriz
from sidil.interfaz.plan import panel_plan

_CSS = """
.sidil-encabezado{background:#eef3f8;border-left:4px solid #1f3b5a;padding:.6rem 1rem;margin:.5rem 0 1rem}
.sidil-dist{font-size:.9rem;color:#333}.sidil-desc{font-size:.85rem;color:#555}
.btn-exportar{background:#1f6f43;color:#fff}
select[multiple]{width:100%}
"""
# The lists of applied filters: several rows visible, several may be picked for removal.
_LISTA = dict(multiple=True, size=4, width="100%")


def _card_predictores(m: Matriz):
    predictores = {c.nombre: etiqueta_predictor(m, c.nombre) for c in m.grupo("prediccion")}
    return ui.card(
        ui.card_header("Predictores"),
        ui.p(
            "Elija una submateria y el rango de su probabilidad de infracción (1 = mayor riesgo). "
            "Solo un predictor por consulta.",
            class_="sidil-desc",
        ),
        ui.input_select("pred_columna", "Predictor (submateria)", predictores, width="100%"),
        ui.output_ui("pred_confianza"),
        ui.output_text("pred_dist", container=ui.div).add_class("sidil-dist"),
        ui.output_plot("pred_hist", height="140px"),
        ui.input_slider("pred_rango", "Rango de la predicción", 0, 1, (0.5, 1), step=0.0001, width="100%"),
        ui.input_action_button("pred_agregar", "Seleccionar predictor", class_="btn-primary"),
        ui.input_select("pred_aplicado", "Predictor aplicado", {}, **_LISTA),
        ui.input_action_button("pred_quitar", "Quitar seleccionado"),
    )


def _card_indicadores(m: Matriz):
    indicadores = {c.nombre: c.etiqueta for c in m.grupo("indicador")}
    return ui.card(
        ui.card_header("Indicadores"),
        ui.p(
            "Indicadores laborales del SIDIL en escala 0 a 1 (1 = mayor probabilidad de la "
            "problemática). Puede agregar varios.",
            class_="sidil-desc",
        ),
        ui.input_select("ind_columna", "Indicador", indicadores, width="100%"),
        ui.output_text("ind_desc", container=ui.div).add_class("sidil-desc"),
        ui.output_text("ind_dist", container=ui.div).add_class("sidil-dist"),
        ui.output_plot("ind_hist", height="140px"),
        ui.input_slider("ind_rango", "Rango del indicador", 0, 1, (0.5, 1), step=0.0001, width="100%"),
        ui.input_action_button("ind_agregar", "Agregar indicador", class_="btn-primary"),
        ui.input_select("ind_aplicados", "Indicadores aplicados", {}, **_LISTA),
        ui.input_action_button("ind_quitar", "Quitar indicador"),
    )


def _card_atributos(m: Matriz):
    atributos = {c.nombre: c.etiqueta for c in consultas.columnas_atributo(m)}
    return ui.card(
        ui.card_header("Atributos"),
        ui.p(
            "Atributos del centro de trabajo (DNE): estado, municipio, SCIAN, tamaño, banderas de "
            "prioridad y riesgo. Puede agregar varios.",
            class_="sidil-desc",
        ),
        ui.input_select("atr_columna", "Atributo", atributos, width="100%"),
        ui.output_ui("atr_control"),
        ui.input_action_button("atr_agregar", "Agregar atributo", class_="btn-primary"),
        ui.input_select("atr_aplicados", "Atributos aplicados", {}, **_LISTA),
        ui.input_action_button("atr_quitar", "Quitar atributo"),
    )


def _card_muestra():
    """Random subsample, export buttons and the preview of the selection."""
    return ui.card(
        ui.card_header("Selección aleatoria y exportación"),
        ui.output_ui("resumen_filtrado"),
        ui.layout_columns(
            ui.input_numeric("muestra_n", "Número de centros a seleccionar al azar", 100, min=1, step=1),
            ui.input_numeric("muestra_semilla", "Semilla (anótela para repetir la selección)", 1, min=0, step=1),
            ui.div(
                ui.input_action_button("muestra_aplicar", "Seleccionar al azar", class_="btn-primary"),
                ui.input_action_button("muestra_quitar", "Quitar selección aleatoria"),
                style="padding-top:1.9rem",
            ),
            col_widths=(4, 4, 4),
        ),
        ui.output_ui("resumen_muestra"),
        ui.div(
            ui.download_button(
                "exportar_csv", "Exportar centros de trabajo seleccionados (CSV)", class_="btn-exportar"
            ),
            ui.download_button(
                "exportar_xlsx", "Exportar centros de trabajo seleccionados (Excel)", class_="btn-exportar"
            ),
            style="display:flex;gap:1rem;margin-top:1rem",
        ),
        ui.h6("Vista previa: los 20 centros seleccionados de mayor riesgo", style="margin-top:1rem"),
        ui.output_data_frame("vista_previa"),
    )


def _panel_filtrado(m: Matriz):
    return ui.nav_panel(
        "Filtrado",
        ui.layout_columns(_card_predictores(m), _card_indicadores(m), _card_atributos(m), col_widths=(4, 4, 4)),
        _card_muestra(),
    )


def _panel_analisis():
    return ui.nav_panel(
        "Análisis",
        ui.card(ui.card_header("Criterios de filtrado"), ui.output_ui("criterios")),
        ui.layout_columns(
            ui.card(
                ui.card_header("Distribución de centros de trabajo por estado"),
                ui.output_plot("estado_grafica", height="420px"),
                ui.output_data_frame("estado_tabla"),
            ),
            ui.card(
                ui.card_header("Distribución de centros de trabajo por tamaño"),
                ui.output_plot("tamanio_grafica", height="300px"),
                ui.output_data_frame("tamanio_tabla"),
            ),
            col_widths=(7, 5),
        ),
        ui.card(
            ui.card_header("Estadísticas de la matriz"),
            ui.output_ui("stats_resumen"),
            ui.output_data_frame("stats_tabla"),
        ),
    )


def crear_ui(m: Matriz):
    return ui.page_navbar(
        _panel_filtrado(m),
        _panel_analisis(),
        panel_plan(m),
        ui.nav_spacer(),
        ui.nav_control(ui.output_ui("menu_usuario")),
        title="SIDIL · Priorización de centros de trabajo",
        id="pestanas",
        header=ui.div(ui.tags.style(_CSS), ui.output_ui("encabezado"), class_="container-fluid"),
        window_title="SIDIL — Consulta de la MPR",
        lang="es",
    )


def crear_app_consulta(m: Matriz) -> App:
    def server(input, output, session):
        servidor_consulta(input, session, m)

    return App(crear_ui(m), server)
