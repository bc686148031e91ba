-- Point-in-time rule (issue 16): for every inspection date and model-input indicator, the periods an
-- inspection of that date could see. A period is published on its last day + the indicator's lag
-- (int_historico__rezago_indicador, from seed calendario_publicacion) and is visible only when that is
-- before the inspection date, i.e. when its last day is before fecha_limite = fecha_inspeccion - lag.
-- ultimo_mes_publicado is the newest month whose last day is before fecha_limite (the month before
-- fecha_limite's month); the 12-month rules look at the months from ultimo_mes_publicado - 11 to it.
--   promedio_12_meses: periodo_desde / periodo_hasta = the first and last month loaded in that window;
--   ultimo_12_meses:   the newest period loaded in that window (desde = hasta);
--   ultimo:            the newest period loaded and visible, however old (desde = hasta).
-- `corte` names the set of periods (periodo_desde/periodo_hasta) and keys the estimates built from them.
-- No row when nothing was visible yet (e.g. IMSS before its first month): the input stays missing.
-- One row per (fecha_inspeccion, indicador); keyed by date, not inspection, so it stays small.
with fechas as (
    select distinct fecha_inspeccion, from {{ ref('int_historico__inspecciones') }}
),

reglas as (
    select indicador, regla, rezago_dias, from {{ ref('int_historico__rezago_indicador') }}
),

periodos as (
    select distinct indicador, periodo, mes_cierre, fin_periodo,
    from {{ ref('int_historico__estimaciones_fechadas') }}
),

limites as (
    select
        fechas.fecha_inspeccion,
        reglas.indicador,
        reglas.regla,
        reglas.rezago_dias,
        (fechas.fecha_inspeccion - reglas.rezago_dias)::date as fecha_limite,
        (date_trunc('month', (fechas.fecha_inspeccion - reglas.rezago_dias)::date) - interval 1 month)::date
            as ultimo_mes_publicado,
    from fechas
    cross join reglas
),

visibles as (
    select
        limites.fecha_inspeccion,
        limites.indicador,
        limites.regla,
        limites.rezago_dias,
        limites.fecha_limite,
        limites.ultimo_mes_publicado,
        periodos.periodo,
    from limites
    inner join periodos
        on limites.indicador = periodos.indicador
        and periodos.fin_periodo < limites.fecha_limite
        and (
            limites.regla = 'ultimo'
            or periodos.mes_cierre > (limites.ultimo_mes_publicado - interval 12 month)::date
        )
),

cortes as (
    select
        fecha_inspeccion,
        indicador,
        regla,
        rezago_dias,
        fecha_limite,
        ultimo_mes_publicado,
        case when regla = 'promedio_12_meses' then min(periodo) else max(periodo) end as periodo_desde,
        max(periodo) as periodo_hasta,
        case when regla = 'promedio_12_meses' then count(*) else 1 end as n_periodos,
    from visibles
    group by fecha_inspeccion, indicador, regla, rezago_dias, fecha_limite, ultimo_mes_publicado
)

select
    fecha_inspeccion,
    indicador,
    regla,
    rezago_dias,
    fecha_limite,
    ultimo_mes_publicado,
    periodo_desde,
    periodo_hasta,
    n_periodos,
    periodo_desde || '/' || periodo_hasta as corte,
from cortes
