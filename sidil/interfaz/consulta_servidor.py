"""The server of the consultation app (`app_consulta`): one function per group of outputs of the Filtrado and
Análisis tabs, sharing the session's selection through a `ConsultaState`. Every figure comes from the query
layer (`consultas`), computed in DuckDB."""

from __future__ import annotations

import random
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from shiny import reactive, render, ui  # noqa: E402

from sidil.interfaz import consultas, exportar  # noqa: E402
from sidil.interfaz.acceso import Sesion  # noqa: E402
from sidil.interfaz.filtros import FiltroRango, FiltroValores, Seleccion  # noqa: E402
from sidil.interfaz.filtros import criterios as criterios_de  # noqa: E402
from sidil.interfaz.mpr import Matriz  # noqa: E402
from sidil.interfaz.plan import servidor_plan  # noqa: E402
from sidil.interfaz.usuarios import ROLES_OPERACION  # noqa: E402
from sidil.interfaz.web import boton_salir  # noqa: E402

VERDE = "#1f6f43"
AZUL = "#1f3b5a"
ELEGIR_PARA_QUITAR = "Elija en la lista el filtro que desea quitar."


def _fmt(n: int) -> str:
    return f"{n:,}"


def _texto_version(m: Matriz) -> str:
    """Which matrix the planner reads: its published version and send date (older exports: its date)."""
    meta = m.metadatos
    if meta.get("version") and meta.get("publicado_en"):
        enviada = str(meta["publicado_en"])[:16].replace("T", " ")
        return f"Matriz de predicción de riesgo versión {meta['version']}, enviada a consulta el {enviada}"
    return f"Matriz de predicción de riesgo generada el {m.fecha}"


def etiqueta_predictor(m: Matriz, columna: str) -> str:
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


@dataclass
class ConsultaState:
    """What the server pieces of one session share: the matrix, who is signed in, the current selection
    (every filter and the random subsample) and the two counts several outputs show."""

    m: Matriz
    sesion: Sesion | None
    usuario: str
    seleccion: reactive.Value[Seleccion]
    conteo_seleccion: Callable[[], int]  # reactive: CTs in the selection
    filtrados: Callable[[], tuple[int, int]]  # reactive: CTs and states after the filters


def servidor_consulta(input, session, m: Matriz) -> None:
    """One session of the consultation app. The pieces are registered in the order of the page, so that
    effects that fire together run in the same order as always."""
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

    state = ConsultaState(m, sesion, usuario, seleccion, conteo_seleccion, filtrados)
    _server_header(state)
    _server_predictor(input, state)
    _server_indicadores(input, state)
    _server_atributos(input, state)
    _server_applied_filters(state)
    _server_muestra(input, state)
    _server_export(state)
    _server_criterios(state)
    _server_estado_tamanio(state)
    _server_estadisticas(state)


def _server_header(state: ConsultaState) -> None:
    """The user menu and the header with the matrix version and the count of selected CTs."""
    m, sesion = state.m, state.sesion

    @render.ui
    def menu_usuario():
        enlaces = [ui.span(f"{state.usuario}", class_="navbar-text me-3", id="usuario_actual")]
        if sesion and sesion.rol in ROLES_OPERACION:
            enlaces.append(ui.a("Operación", href="operador/", class_="nav-link d-inline me-3", id="enlace_operador"))
        enlaces.append(boton_salir(sesion, "logout"))
        return ui.div(*enlaces, class_="d-flex align-items-center")

    @render.ui
    def encabezado():
        return ui.div(
            ui.span(_texto_version(m), id="version_mpr"),
            ui.span(f": {_fmt(m.n_centros)} centros de trabajo. "),
            ui.span("Centros de trabajo seleccionados: "),
            ui.strong(_fmt(state.conteo_seleccion()), id="conteo"),
            class_="sidil-encabezado",
        )


def _server_predictor(input, state: ConsultaState) -> None:
    """Filtrado, card Predictores: the predictor's confidence, distribution and range; one at a time."""
    m, seleccion = state.m, state.seleccion

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


def _server_indicadores(input, state: ConsultaState) -> None:
    """Filtrado, card Indicadores: description, distribution and range of each; several may apply."""
    m, seleccion = state.m, state.seleccion

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


def _server_atributos(input, state: ConsultaState) -> None:
    """Filtrado, card Atributos: a range, one value or several values of a workplace attribute."""
    m, seleccion = state.m, state.seleccion

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


def _server_applied_filters(state: ConsultaState) -> None:
    """The three lists of applied filters (predictor, indicators, attributes), kept in step with the selection."""
    m, seleccion = state.m, state.seleccion

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


def _server_muestra(input, state: ConsultaState) -> None:
    """Filtrado, card Selección aleatoria: the random subsample, the counts and the preview."""
    m, seleccion = state.m, state.seleccion

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
        n, estados = state.filtrados()
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
            f"Selección aleatoria activa: {_fmt(state.conteo_seleccion())} centros con la semilla {sel.semilla}.",
            id="estado_muestra",
        )

    @render.data_frame
    def vista_previa():
        df = consultas.vista_previa(m, seleccion())
        # the predictor's column carries its model's confidence in the header
        return render.DataGrid(
            df.rename(columns={c.etiqueta: etiqueta_predictor(m, c.nombre) for c in m.grupo("prediccion")}),
            width="100%",
        )


def _server_export(state: ConsultaState) -> None:
    """The two export buttons: the selected CTs as CSV or as an Excel workbook signed by the user."""
    m, seleccion, usuario = state.m, state.seleccion, state.usuario

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


def _server_criterios(state: ConsultaState) -> None:
    """Análisis, card Criterios de filtrado: every filter applied and the random subsample."""
    m, seleccion = state.m, state.seleccion

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


def _server_estado_tamanio(state: ConsultaState) -> None:
    """Análisis: the selected CTs by state and by size class, as charts and tables."""
    m, seleccion = state.m, state.seleccion

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


def _server_estadisticas(state: ConsultaState) -> None:
    """Análisis, card Estadísticas de la matriz: rows, columns by type, missing values, per-column summary."""
    m, seleccion = state.m, state.seleccion

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
