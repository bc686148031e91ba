-- Yearly IMSS indicators for the historical series (module IV), from the first year of the IMSS history
-- (dbt var imss_anio_inicio, 2019) on, in the shared long format with
-- periodo 'YYYY': for monthly indicators the plain mean of the cell's monthly moving averages of that year
-- (the months int_imss__indicadores produced); for tasa_accidentes and tasa_dias the year's value (latest
-- riesgos cut). cv is the mean of the months' CVs (NULL if any month has none); n_registro and
-- n_trabajadores are rounded means; mes is the last month averaged.
with
    mensuales as (
        select
            indicador, anio, mes, agregacion, agregacion_numerica, geo2, geo5, scian2018_2, scian2018_3,
            cat_tamanio, valor, cv, n_registro, n_trabajadores,
        from {{ ref('int_imss__indicadores') }}
        where anio >= {{ imss_anio_inicio() }}
    ),

    anuales as (
        select
            indicador,
            anio,
            max(mes) as mes,
            agregacion,
            agregacion_numerica,
            geo2,
            geo5,
            scian2018_2,
            scian2018_3,
            cat_tamanio,
            avg(valor) as valor,
            case when bool_and(cv is not null) then {{ cv_estable('avg(cv)') }} end as cv,
            round(avg(n_registro))::bigint as n_registro,
            round(avg(n_trabajadores))::bigint as n_trabajadores,
        from mensuales
        group by all
    ),

    catalogo as (
        select indicador, umbral_cv, from {{ ref('indicadores') }} where fuente = 'imss'
    )

select
    'imss' as fuente,
    anuales.indicador,
    anuales.anio::varchar as periodo,
    anuales.anio,
    anuales.mes,
    anuales.agregacion,
    anuales.agregacion_numerica,
    anuales.geo2,
    anuales.geo5,
    anuales.scian2018_2,
    anuales.scian2018_3,
    anuales.cat_tamanio,
    anuales.valor,
    anuales.cv,
    anuales.n_registro,
    anuales.n_trabajadores,
    {{ grupo_calidad_info1('anuales.cv') }} as grupo_calidad_info1,
    {{ grupo_calidad_info2('anuales.cv') }} as grupo_calidad_info2,
    {{ columnas_trazabilidad() }}
    coalesce(anuales.cv > catalogo.umbral_cv, true) as supera_umbral_cv,
from anuales
inner join catalogo on anuales.indicador = catalogo.indicador
