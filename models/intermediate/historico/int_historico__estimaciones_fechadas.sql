-- Every estimate of a model-input indicator, of every period loaded, with the dates the point-in-time
-- matching needs: the first and last day of its period (ENOE: the quarter; IMSS: the month, accidents
-- dated at their yearly cut's month; Censo: its edition's year) and the day it is taken as published
-- (last day + the indicator's lag in seed calendario_publicacion). A view: it only adds three dates to
-- the indicator tables. ENOE reads every quarter loaded, not only the first quarters of
-- indicadores_historicos: a later quarter of the same year is what INEGI had published by then.
{{ config(materialized='view') }}
with rezagos as (
    select indicador, rezago_dias, from {{ ref('int_historico__rezago_indicador') }}
),

estimaciones as (
    select indicador, periodo, anio, mes, agregacion, geo2, geo5, scian2018_2, scian2018_3, cat_tamanio,
        valor, cv::double as cv, supera_umbral_cv,
    from {{ ref('int_enoe__indicadores') }}
    union all
    select indicador, periodo, anio, mes, agregacion, geo2, geo5, scian2018_2, scian2018_3, cat_tamanio,
        valor, cv::double as cv, supera_umbral_cv,
    from {{ ref('int_imss__indicadores') }}
    union all
    select indicador, periodo, anio, mes, agregacion, geo2, geo5, scian2018_2, scian2018_3, cat_tamanio,
        valor, cv::double as cv, supera_umbral_cv,
    from {{ ref('int_censo__indicadores') }}
    union all
    select indicador, periodo, anio, mes, agregacion, geo2, geo5, scian2018_2, scian2018_3, cat_tamanio,
        valor, cv::double as cv, supera_umbral_cv,
    from {{ ref('int_censo__indicadores_nacionales') }}
),

fechadas as (
    select
        estimaciones.*,
        -- ENOE quarters carry their last month (3, 6, 9, 12); IMSS its month; the Censo no month (its year).
        make_date(estimaciones.anio, coalesce(estimaciones.mes, 12), 1) as mes_cierre,
        rezagos.rezago_dias,
    from estimaciones
    inner join rezagos on estimaciones.indicador = rezagos.indicador
)

select
    indicador,
    periodo,
    mes_cierre,
    last_day(mes_cierre) as fin_periodo,
    (last_day(mes_cierre) + rezago_dias)::date as fecha_publicacion,
    agregacion,
    geo2,
    geo5,
    scian2018_2,
    scian2018_3,
    cat_tamanio,
    valor,
    cv,
    supera_umbral_cv,
from fechadas
