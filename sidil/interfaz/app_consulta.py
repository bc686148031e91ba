"""The consultation app (manual section 4.4): tab Filtrado (predictor, indicators, attributes, random
subsample, export) and tab Análisis (criteria, CTs by state and size class, matrix statistics). Every
figure comes from the query layer (`consultas`), computed in DuckDB."""

from __future__ import annotations

import random
import tempfile
from dataclasses import replace
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from shiny import App, reactive, render, ui  # noqa: E402

from sidil.interfaz import consultas, exportar  # noqa: E402
from sidil.interfaz.filtros import FiltroRango, FiltroValores, Seleccion  # noqa: E402
from sidil.interfaz.filtros import criterios as criterios_de  # noqa: E402
from sidil.interfaz.mpr import Matriz  # noqa: E402
from sidil.interfaz.plan import panel_plan, servidor_plan  # noqa: E402
from sidil.interfaz.usuarios import ROLES_OPERACION  # noqa: E402
from sidil.interfaz.web import boton_salir  # noqa: E402

VERDE = "#1f6f43"
AZUL = "#1f3b5a"
ELEGIR_PARA_QUITAR = "Elija en la lista el filtro que desea quitar."

_CSS = """
.sidil-encabezado{background:#eef3f8;border-left:4px solid #1f3b5a;padding:.6rem 1rem;margin:.5rem 0 1rem}
.sidil-dist{font-size:.9rem;color:#333}.sidil-desc{font-size:.85rem;color:#555}
.btn-exportar{background:#1f6f43;color:#fff}
select[multiple]{width:100%}
"""


def _fmt(n: int) -> str:
    return f"{n:,}"


def _texto_version(m: Matriz) -> str:
    """Which matrix the planner reads: its published version and send date (older exports: its date)."""
    meta = m.metadatos
    if meta.get("version") and meta.get("publicado_en"):
        enviada = str(meta["publicado_en"])[:16].replace("T", " ")
        return f"Matriz de predicción de riesgo versión {meta['version']}, enviada a consulta el {enviada}"
    return f"Matriz de predicción de riesgo generada el {m.fecha}"


def _etiqueta_predictor(m: Matriz, columna: str) -> str:
    """A predictor's label with its model's confidence beside it (alta / media / baja, and whether it is fit
    for prioritisation), as `sidil predict` wrote it in the dictionary."""
    c = m.confianza.get(columna)
    return f"{m.columna(columna).etiqueta} — {c.texto}" if c else m.columna(columna).etiqueta


def _dist_texto(d: consultas.Distribucion) -> str:
    return (
        f"Primer cuartil {d.q1:.4f} · media {d.media:.4f} · mediana {d.mediana:.4f} · tercer cuartil "
        f"{d.q3:.4f} · máximo {d.maximo:.4f}"
    )


def _figura_histograma(df: pd.DataFrame, rango: tuple[float, float] | None, color: str):
    fig, ax = plt.subplots(figsize=(5, 1.8))
    centros = (df["desde"] + df["hasta"]) / 2
    colores = [
        color if rango is None or (h > rango[0] and d < rango[1]) else "#c9d1da"
        for d, h in zip(df["desde"], df["hasta"])
    ]
    ax.bar(centros, df["n"], width=(df["hasta"] - df["desde"]) * 0.95, color=colores)
    ax.set_xlim(0, 1)
    ax.set_ylabel("centros")
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def crear_ui(m: Matriz):
    predictores = {c.nombre: _etiqueta_predictor(m, c.nombre) for c in m.grupo("prediccion")}
    indicadores = {c.nombre: c.etiqueta for c in m.grupo("indicador")}
    atributos = {c.nombre: c.etiqueta for c in consultas.columnas_atributo(m)}
    lista = dict(multiple=True, size=4, width="100%")

    filtrado = ui.nav_panel(
        "Filtrado",
        ui.layout_columns(
            ui.card(
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
                ui.input_select("pred_aplicado", "Predictor aplicado", {}, **lista),
                ui.input_action_button("pred_quitar", "Quitar seleccionado"),
            ),
            ui.card(
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
                ui.input_select("ind_aplicados", "Indicadores aplicados", {}, **lista),
                ui.input_action_button("ind_quitar", "Quitar indicador"),
            ),
            ui.card(
                ui.card_header("Atributos"),
                ui.p(
                    "Atributos del centro de trabajo (DNE): estado, municipio, SCIAN, tamaño, banderas de "
                    "prioridad y riesgo. Puede agregar varios.",
                    class_="sidil-desc",
                ),
                ui.input_select("atr_columna", "Atributo", atributos, width="100%"),
                ui.output_ui("atr_control"),
                ui.input_action_button("atr_agregar", "Agregar atributo", class_="btn-primary"),
                ui.input_select("atr_aplicados", "Atributos aplicados", {}, **lista),
                ui.input_action_button("atr_quitar", "Quitar atributo"),
            ),
            col_widths=(4, 4, 4),
        ),
        ui.card(
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
        ),
    )
    analisis = ui.nav_panel(
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
    return ui.page_navbar(
        filtrado,
        analisis,
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
        m.recargar_si_cambio()
        sesion = session.http_conn.scope.get("sidil_sesion")
        usuario = sesion.usuario if sesion else ""
        seleccion: reactive.Value[Seleccion] = reactive.value(Seleccion())
        servidor_plan(input, m, usuario)  # the Plan tab
        ui.update_numeric("muestra_semilla", value=random.SystemRandom().randint(1, 99999))

        @reactive.calc
        def conteo_seleccion() -> int:
            return consultas.conteo(m, seleccion())

        @reactive.calc
        def filtrados() -> tuple[int, int]:
            return consultas.conteo_filtrados(m, seleccion())

        @render.ui
        def menu_usuario():
            enlaces = [ui.span(f"{usuario}", class_="navbar-text me-3", id="usuario_actual")]
            if sesion and sesion.rol in ROLES_OPERACION:
                enlaces.append(
                    ui.a("Operación", href="operador/", class_="nav-link d-inline me-3", id="enlace_operador")
                )
            enlaces.append(boton_salir(sesion, "logout"))
            return ui.div(*enlaces, class_="d-flex align-items-center")

        @render.ui
        def encabezado():
            return ui.div(
                ui.span(_texto_version(m), id="version_mpr"),
                ui.span(f": {_fmt(m.n_centros)} centros de trabajo. "),
                ui.span("Centros de trabajo seleccionados: "),
                ui.strong(_fmt(conteo_seleccion()), id="conteo"),
                class_="sidil-encabezado",
            )

        # -- predictor ---------------------------------------------------------------------------------
        @reactive.effect
        @reactive.event(input.pred_columna)
        def _():
            d = consultas.distribucion(m, input.pred_columna())
            ui.update_slider("pred_rango", value=(round(d.mediana, 4), round(d.maximo, 4)))

        @render.ui
        def pred_confianza():
            c = m.confianza.get(input.pred_columna())
            if c is None:
                return ui.div()
            color = {"alta": VERDE, "media": "#8a6d00"}.get(c.nivel, "#a33") if c.apta else "#a33"
            return ui.div(
                ui.strong(
                    f"Confianza del modelo: {c.nivel}" + ("" if c.apta else " — no apta para priorizar"),
                    style=f"color:{color}",
                ),
                ui.span(f" ({c.detalle})"),
                id="confianza_predictor",
                class_="sidil-desc",
            )

        @render.text
        def pred_dist():
            return _dist_texto(consultas.distribucion(m, input.pred_columna()))

        @render.plot(alt="Distribución de la predicción")
        def pred_hist():
            return _figura_histograma(consultas.histograma(m, input.pred_columna()), input.pred_rango(), AZUL)

        @reactive.effect
        @reactive.event(input.pred_agregar)
        def _():
            lo, hi = input.pred_rango()
            seleccion.set(replace(seleccion(), predictor=FiltroRango(input.pred_columna(), float(lo), float(hi))))

        @reactive.effect
        @reactive.event(input.pred_quitar)
        def _():
            if not input.pred_aplicado():
                ui.notification_show(ELEGIR_PARA_QUITAR, type="warning")
            elif seleccion().predictor and seleccion().predictor.columna in input.pred_aplicado():
                seleccion.set(replace(seleccion(), predictor=None))

        # -- indicators --------------------------------------------------------------------------------
        @reactive.effect
        @reactive.event(input.ind_columna)
        def _():
            d = consultas.distribucion(m, input.ind_columna())
            ui.update_slider("ind_rango", value=(round(d.mediana, 4), round(d.maximo, 4)))

        @render.text
        def ind_desc():
            return m.columna(input.ind_columna()).descripcion

        @render.text
        def ind_dist():
            return _dist_texto(consultas.distribucion(m, input.ind_columna()))

        @render.plot(alt="Distribución del indicador")
        def ind_hist():
            return _figura_histograma(consultas.histograma(m, input.ind_columna()), input.ind_rango(), VERDE)

        @reactive.effect
        @reactive.event(input.ind_agregar)
        def _():
            lo, hi = input.ind_rango()
            seleccion.set(seleccion().con_indicador(FiltroRango(input.ind_columna(), float(lo), float(hi))))

        @reactive.effect
        @reactive.event(input.ind_quitar)
        def _():
            if not input.ind_aplicados():
                ui.notification_show(ELEGIR_PARA_QUITAR, type="warning")
            sel = seleccion()
            for columna in input.ind_aplicados() or ():
                sel = sel.sin_indicador(columna)
            seleccion.set(sel)

        # -- attributes --------------------------------------------------------------------------------
        def es_rango(columna: str) -> bool:
            return consultas.modo_filtro(m, columna) == "rango"

        @render.ui
        def atr_control():
            columna = input.atr_columna()
            col = m.columna(columna)
            if es_rango(columna):
                d = consultas.distribucion(m, columna)
                return ui.layout_columns(
                    ui.input_numeric("atr_min", f"{col.etiqueta}: mínimo", d.minimo),
                    ui.input_numeric("atr_max", f"{col.etiqueta}: máximo", d.maximo),
                    col_widths=(6, 6),
                )
            ops = {str(i): etiqueta for i, (_, etiqueta) in enumerate(consultas.opciones(m, columna))}
            if consultas.modo_filtro(m, columna) == "uno":
                return ui.input_selectize(
                    "atr_valores",
                    f"{col.etiqueta}: valor",
                    {"": "", **ops},
                    multiple=False,
                    width="100%",
                    options={"placeholder": "Elija un valor"},
                )
            return ui.input_selectize(
                "atr_valores",
                f"{col.etiqueta}: valores",
                ops,
                multiple=True,
                width="100%",
                options={"placeholder": "Elija uno o varios valores"},
            )

        @reactive.effect
        @reactive.event(input.atr_agregar)
        def _():
            columna = input.atr_columna()
            if es_rango(columna):
                lo, hi = input.atr_min(), input.atr_max()
                if lo is None or hi is None:
                    ui.notification_show("Indique el mínimo y el máximo.", type="warning")
                    return
                filtro = FiltroRango(columna, float(lo), float(hi))
            else:
                ops = consultas.opciones(m, columna)
                elegidos = input.atr_valores() or ()
                if isinstance(elegidos, str):  # a one-value (combo) filter
                    elegidos = (elegidos,)
                if not elegidos:
                    ui.notification_show("Elija al menos un valor del atributo.", type="warning")
                    return
                filtro = FiltroValores(columna, tuple(ops[int(i)][0] for i in elegidos))
            seleccion.set(seleccion().con_atributo(filtro))

        @reactive.effect
        @reactive.event(input.atr_quitar)
        def _():
            if not input.atr_aplicados():
                ui.notification_show(ELEGIR_PARA_QUITAR, type="warning")
            sel = seleccion()
            for columna in input.atr_aplicados() or ():
                sel = sel.sin_atributo(columna)
            seleccion.set(sel)

        # -- lists of applied filters ------------------------------------------------------------------
        @reactive.effect
        def _():
            sel = seleccion()
            crit = criterios_de(m, sel, lambda c, v: consultas.etiqueta_valor(m, c, v))
            for seccion, control in (
                ("predictor", "pred_aplicado"),
                ("indicador", "ind_aplicados"),
                ("atributo", "atr_aplicados"),
            ):
                ui.update_select(
                    control, choices={c.columna: f"{c.etiqueta}: {c.condicion}" for c in crit if c.seccion == seccion}
                )

        # -- random subsample --------------------------------------------------------------------------
        @reactive.effect
        @reactive.event(input.muestra_aplicar)
        def _():
            n, semilla = input.muestra_n(), input.muestra_semilla()
            if n is None or n < 1 or semilla is None:
                ui.notification_show("Indique un número de centros (1 o más) y una semilla.", type="warning")
                return
            seleccion.set(replace(seleccion(), muestra=int(n), semilla=int(semilla)))

        @reactive.effect
        @reactive.event(input.muestra_quitar)
        def _():
            seleccion.set(replace(seleccion(), muestra=None))

        @render.ui
        def resumen_filtrado():
            n, estados = filtrados()
            return ui.p(
                "La matriz filtrada tiene ",
                ui.strong(_fmt(n), id="conteo_filtrados"),
                f" centros de trabajo en {estados} estados.",
            )

        @render.ui
        def resumen_muestra():
            sel = seleccion()
            if sel.muestra is None:
                return ui.p("Sin selección aleatoria: se exportan todos los centros filtrados.", id="estado_muestra")
            return ui.p(
                f"Selección aleatoria activa: {_fmt(conteo_seleccion())} centros con la semilla {sel.semilla}.",
                id="estado_muestra",
            )

        @render.data_frame
        def vista_previa():
            df = consultas.vista_previa(m, seleccion())
            # the predictor's column carries its model's confidence in the header
            return render.DataGrid(
                df.rename(columns={c.etiqueta: _etiqueta_predictor(m, c.nombre) for c in m.grupo("prediccion")}),
                width="100%",
            )

        # -- export ------------------------------------------------------------------------------------
        def _exportar(extension: str):
            sel = seleccion()
            with tempfile.TemporaryDirectory(prefix="sidil-exportar-") as d:
                ruta = Path(d) / exportar.nombre_archivo(extension)
                if extension == "csv":
                    exportar.exportar_csv(m, sel, ruta)
                else:
                    exportar.exportar_xlsx(m, sel, ruta, usuario)
                datos = ruta.read_bytes()
            yield datos

        @render.download_button(filename=lambda: exportar.nombre_archivo("csv"), media_type="text/csv")
        def exportar_csv():
            yield from _exportar("csv")

        @render.download_button(
            filename=lambda: exportar.nombre_archivo("xlsx"),
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        def exportar_xlsx():
            yield from _exportar("xlsx")

        # -- analysis tab ------------------------------------------------------------------------------
        @render.ui
        def criterios():
            crit = criterios_actuales()
            sel = seleccion()
            filas = [
                ui.tags.tr(ui.tags.td(c.seccion.capitalize()), ui.tags.td(c.etiqueta), ui.tags.td(c.condicion))
                for c in crit
            ]
            if sel.muestra is not None:
                filas.append(
                    ui.tags.tr(
                        ui.tags.td("Selección aleatoria"),
                        ui.tags.td(f"{sel.muestra} centros"),
                        ui.tags.td(f"semilla {sel.semilla}"),
                    )
                )
            if not filas:
                return ui.p("Sin filtros: la selección es la matriz completa.", id="sin_criterios")
            return ui.tags.table(
                ui.tags.thead(ui.tags.tr(ui.tags.th("Sección"), ui.tags.th("Filtro"), ui.tags.th("Condición"))),
                ui.tags.tbody(*filas),
                class_="table table-sm",
                id="tabla_criterios",
            )

        @reactive.calc
        def criterios_actuales():
            return criterios_de(m, seleccion(), lambda c, v: consultas.etiqueta_valor(m, c, v))

        @reactive.calc
        def estados_df():
            return consultas.por_estado(m, seleccion())

        @reactive.calc
        def tamanios_df():
            return consultas.por_tamanio(m, seleccion())

        @render.plot(alt="Centros de trabajo seleccionados por estado")
        def estado_grafica():
            df = estados_df().iloc[::-1]
            fig, ax = plt.subplots(figsize=(6, max(2.5, 0.22 * len(df))))
            ax.barh(df["estado"], df["centros"], color=AZUL)
            ax.set_xlabel("centros de trabajo")
            ax.tick_params(axis="y", labelsize=7)
            ax.spines[["top", "right"]].set_visible(False)
            fig.tight_layout()
            return fig

        @render.data_frame
        def estado_tabla():
            return render.DataGrid(
                estados_df().rename(
                    columns={"clave": "Clave", "estado": "Estado", "centros": "Centros", "porcentaje": "%"}
                ),
                width="100%",
                height="260px",
            )

        @render.plot(alt="Centros de trabajo seleccionados por tamaño")
        def tamanio_grafica():
            df = tamanios_df()
            fig, ax = plt.subplots(figsize=(5, 2.8))
            ax.bar(df["tamanio"], df["centros"], color=[VERDE] * (len(df) - 1) + ["#999999"])
            ax.set_ylabel("centros de trabajo")
            ax.tick_params(axis="x", labelrotation=30, labelsize=7)
            ax.spines[["top", "right"]].set_visible(False)
            fig.tight_layout()
            return fig

        @render.data_frame
        def tamanio_tabla():
            return render.DataGrid(
                tamanios_df()
                .drop(columns=["clase"])
                .rename(columns={"tamanio": "Tamaño", "centros": "Centros", "porcentaje": "%"}),
                width="100%",
            )

        @reactive.calc
        def stats():
            return consultas.estadisticas(m, seleccion())

        @render.ui
        def stats_resumen():
            filas, columnas, df = stats()
            tipos = df["tipo"].value_counts().to_dict() if len(df) else {}
            return ui.p(
                f"Filas: {_fmt(filas)} · columnas: {columnas} · "
                + " · ".join(f"{k}: {v}" for k, v in sorted(tipos.items()))
                + f" · valores faltantes: {_fmt(int(df['faltantes'].sum()) if len(df) else 0)}",
                id="stats_texto",
            )

        @render.data_frame
        def stats_tabla():
            return render.DataGrid(
                stats()[2].rename(
                    columns={
                        "columna": "Columna",
                        "etiqueta": "Etiqueta",
                        "tipo": "Tipo",
                        "faltantes": "Faltantes",
                        "minimo": "Mínimo",
                        "q1": "Q1",
                        "mediana": "Mediana",
                        "media": "Media",
                        "q3": "Q3",
                        "maximo": "Máximo",
                    }
                ),
                width="100%",
                height="420px",
            )

    return App(crear_ui(m), server)
