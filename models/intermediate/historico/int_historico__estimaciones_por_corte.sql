-- The aggregation-level estimates an inspection sees under the point-in-time rule, one row per
-- (corte, indicador, level cell), for every corte some inspection date needs (int_historico__corte_fecha):
--   promedio_12_meses: the plain mean of the cell's monthly values between periodo_desde and periodo_hasta
--     (the manual's yearly IMSS mean of the monthly moving averages, over the 12 months published before
--     the inspection instead of the calendar year); cv the mean of the months' CVs (NULL if one lacks it),
--     and supera_umbral_cv re-evaluated on that cv against the catalog's umbral_cv, as the yearly table does;
--   ultimo, ultimo_12_meses: the estimate of periodo_hasta as it is.
-- Only cells an inspected workplace can use are kept (see `celdas`).
with cortes as (
    select distinct indicador, regla, periodo_desde, periodo_hasta, corte,
    from {{ ref('int_historico__corte_fecha') }}
),

-- Only the cells some inspected workplace can use: its dimensions (size as known on the date) masked by
-- each aggregation level, as the level search masks them (macros/matching/mejor_estimacion_por_nivel).
-- A speed filter: the table grows with the inspections' cells, not with every cell of every month.
combinaciones_ct as (
    select distinct ct.geo2, ct.geo5, ct.scian2018_2, ct.scian2018_3, atributos.cat_tamanio,
    from {{ ref('int_historico__inspecciones') }} as inspecciones
    inner join {{ ref('int_dne__centros_trabajo') }} as ct on inspecciones.centro_trabajo_id = ct.centro_trabajo_id
    inner join {{ ref('int_historico__atributos_fechados') }} as atributos
        on inspecciones.inspeccion_id = atributos.inspeccion_id
),

celdas as (
    select distinct
        niveles.agregacion,
        case when niveles.usa_geo2 = 1 then combinaciones_ct.geo2 end as geo2,
        case when niveles.usa_geo5 = 1 then combinaciones_ct.geo5 end as geo5,
        case when niveles.usa_scian2 = 1 then combinaciones_ct.scian2018_2 end as scian2018_2,
        case when niveles.usa_scian3 = 1 then combinaciones_ct.scian2018_3 end as scian2018_3,
        case when niveles.usa_tamanio = 1 then combinaciones_ct.cat_tamanio end as cat_tamanio,
    from combinaciones_ct
    cross join {{ ref('niveles_agregacion') }} as niveles
),

estimaciones as (
    select
        fechadas.indicador, fechadas.periodo, fechadas.agregacion, fechadas.geo2, fechadas.geo5,
        fechadas.scian2018_2, fechadas.scian2018_3, fechadas.cat_tamanio, fechadas.valor, fechadas.cv,
        fechadas.supera_umbral_cv,
    from {{ ref('int_historico__estimaciones_fechadas') }} as fechadas
    semi join celdas
        on fechadas.agregacion = celdas.agregacion
        and fechadas.geo2 is not distinct from celdas.geo2
        and fechadas.geo5 is not distinct from celdas.geo5
        and fechadas.scian2018_2 is not distinct from celdas.scian2018_2
        and fechadas.scian2018_3 is not distinct from celdas.scian2018_3
        and fechadas.cat_tamanio is not distinct from celdas.cat_tamanio
),

umbrales as (
    select indicador, umbral_cv, from {{ ref('indicadores') }}
),

-- The months of each 12-month corte, so the mean is an equality join on (indicador, periodo).
meses_corte as (
    select
        corte,
        indicador,
        strftime(unnest(generate_series(
            strptime(periodo_desde, '%Y-%m'), strptime(periodo_hasta, '%Y-%m'), interval 1 month
        )), '%Y-%m') as periodo,
    from cortes
    where regla = 'promedio_12_meses'
),

promedios as (
    select
        meses_corte.corte,
        estimaciones.indicador,
        estimaciones.agregacion,
        estimaciones.geo2,
        estimaciones.geo5,
        estimaciones.scian2018_2,
        estimaciones.scian2018_3,
        estimaciones.cat_tamanio,
        avg(estimaciones.valor) as valor,
        case when bool_and(estimaciones.cv is not null) then {{ cv_estable('avg(estimaciones.cv)') }} end as cv,
        count(*) as n_periodos,
    from meses_corte
    inner join estimaciones
        on meses_corte.indicador = estimaciones.indicador
        and meses_corte.periodo = estimaciones.periodo
    group by all
),

ultimos as (
    select
        cortes.corte,
        estimaciones.indicador,
        estimaciones.agregacion,
        estimaciones.geo2,
        estimaciones.geo5,
        estimaciones.scian2018_2,
        estimaciones.scian2018_3,
        estimaciones.cat_tamanio,
        estimaciones.valor,
        estimaciones.cv,
        estimaciones.supera_umbral_cv,
        1 as n_periodos,
    from cortes
    inner join estimaciones
        on cortes.indicador = estimaciones.indicador
        and estimaciones.periodo = cortes.periodo_hasta
    where cortes.regla <> 'promedio_12_meses'
)

select
    promedios.corte,
    promedios.indicador,
    promedios.agregacion,
    promedios.geo2,
    promedios.geo5,
    promedios.scian2018_2,
    promedios.scian2018_3,
    promedios.cat_tamanio,
    promedios.valor,
    promedios.cv,
    coalesce(promedios.cv > umbrales.umbral_cv, true) as supera_umbral_cv,
    promedios.n_periodos,
from promedios
inner join umbrales on promedios.indicador = umbrales.indicador
union all
select
    corte, indicador, agregacion, geo2, geo5, scian2018_2, scian2018_3, cat_tamanio, valor, cv, supera_umbral_cv,
    n_periodos,
from ultimos
