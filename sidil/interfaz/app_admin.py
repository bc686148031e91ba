"""The administrator page (`/admin/`, administrators only): the matrix being served, model runs and
their metrics, and the data status (inputs loaded, last runs of the log)."""

from __future__ import annotations

import pandas as pd
from shiny import App, reactive, render, ui

from sidil.interfaz.admin_datos import leer_estado
from sidil.interfaz.mpr import Matriz
from sidil.interfaz.web import boton_salir


def _tabla(df: pd.DataFrame):
    if df is None or df.empty:
        return render.DataGrid(pd.DataFrame({"": ["Sin registros."]}), width="100%")
    return render.DataGrid(df, width="100%", height="320px")


def crear_app_admin(m: Matriz) -> App:
    app_ui = ui.page_navbar(
        ui.nav_panel(
            "Administración",
            ui.div(ui.input_action_button("actualizar", "Actualizar"), ui.output_ui("aviso"),
                   style="margin:.5rem 0"),
            ui.card(ui.card_header("Matriz de predicción de riesgo en la interfaz"), ui.output_ui("mpr")),
            ui.card(ui.card_header("Corridas del modelo"), ui.output_data_frame("corridas")),
            ui.card(ui.card_header("Métricas por submateria"),
                    ui.input_select("corrida", "Corrida", {}, width="40%"), ui.output_data_frame("metricas")),
            ui.layout_columns(
                ui.card(ui.card_header("Insumos cargados"), ui.output_data_frame("insumos")),
                ui.card(ui.card_header("Últimas ejecuciones (bitácora)"), ui.output_data_frame("bitacora")),
                col_widths=(6, 6)),
        ),
        ui.nav_spacer(),
        ui.nav_control(ui.a("Volver a la consulta", href="../", class_="nav-link", id="volver")),
        ui.nav_control(ui.output_ui("salir_form")),
        title="SIDIL · Administración",
        window_title="SIDIL — Administración",
        lang="es",
    )

    def server(input, output, session):
        @render.ui
        def salir_form():
            return boton_salir(session.http_conn.scope.get("sidil_sesion"), "../logout")

        @reactive.calc
        def estado():
            input.actualizar()
            m.recargar_si_cambio()
            return leer_estado()

        @render.ui
        def aviso():
            msg = estado().mensaje
            return ui.div(msg, class_="alert alert-warning", id="aviso_datos") if msg else None

        @render.ui
        def mpr():
            meta = m.metadatos
            return ui.tags.ul(
                ui.tags.li(f"Archivo: {m.carpeta}"),
                ui.tags.li(f"Generada el: {m.fecha}"),
                ui.tags.li(f"Centros de trabajo: {m.n_centros:,}"),
                ui.tags.li(f"Corrida del modelo: {meta.get('run_id', 'sin dato')} "
                           f"(familia {meta.get('familia', 'sin dato')})"),
                id="info_mpr")

        @reactive.effect
        def _():
            runs = estado().corridas
            ids = list(runs["run_id"]) if "run_id" in runs else []
            ui.update_select("corrida", choices=ids, selected=ids[0] if ids else None)

        @render.data_frame
        def corridas():
            return _tabla(estado().corridas)

        @render.data_frame
        def metricas():
            df = estado().metricas
            if not df.empty and input.corrida():
                df = df[df["run_id"] == input.corrida()]
            return _tabla(df)

        @render.data_frame
        def insumos():
            return _tabla(estado().insumos)

        @render.data_frame
        def bitacora():
            return _tabla(estado().bitacora)

    return App(app_ui, server)
