-- IMSS indicators on the 18 aggregation levels, every month available (periodo 'YYYY-MM'), in the shared
-- long format (DOMAIN.md section 3). Monthly indicators (rotacion, brecha_imss, sm105, concentracion) are
-- moving averages over imss_ventana_meses months (default 3; May = March-May), produced for a month only
-- when every month of its window has the indicator computed (int_imss__ventanas_promedio_movil says which
-- are missing otherwise) and the cell has an estimate in that month itself:
--   valor = sum(valor_m * n_registro_m) / sum(n_registro_m) over the window months where the cell exists,
--   cv = the same n_registro-weighted mean of the monthly CVs (a conservative choice: averaging months
--        lowers the variance, but the months share registros so their errors are not independent),
--   n_registro, n_trabajadores = rounded means over those months.
-- Yearly indicators (tasa_accidentes, tasa_dias) are not averaged: they appear at the month of the
-- year's latest riesgos cut. supera_umbral_cv = cv above the catalog's umbral_cv, or NULL cv (one registro).
with
    mensuales as (
        select
            indicador, periodo, agregacion, agregacion_numerica, geo2, geo5, scian2018_2, scian2018_3,
            cat_tamanio, valor, cv, n_registro, n_trabajadores,
        from {{ ref('int_imss__indicadores_mensuales') }}
    ),

    ventanas as (
        select indicador, periodo, periodo_inicio_ventana,
        from {{ ref('int_imss__ventanas_promedio_movil') }}
        where promedio_calculado
    ),

    promedios_moviles as (
        select
            mensuales.indicador,
            ventanas.periodo,
            mensuales.agregacion,
            mensuales.agregacion_numerica,
            mensuales.geo2,
            mensuales.geo5,
            mensuales.scian2018_2,
            mensuales.scian2018_3,
            mensuales.cat_tamanio,
            sum(mensuales.valor * mensuales.n_registro) / sum(mensuales.n_registro) as valor,
            sum(mensuales.cv * mensuales.n_registro) / sum(mensuales.n_registro) as cv,
            bool_or(mensuales.cv is null) as algun_mes_sin_cv,
            round(avg(mensuales.n_registro))::bigint as n_registro,
            round(avg(mensuales.n_trabajadores))::bigint as n_trabajadores,
        from ventanas
        inner join mensuales
            on ventanas.indicador = mensuales.indicador
            and mensuales.periodo between ventanas.periodo_inicio_ventana and ventanas.periodo
        group by all
        having bool_or(mensuales.periodo = ventanas.periodo)
    ),

    anuales as (
        select
            indicador, periodo, agregacion, agregacion_numerica, geo2, geo5, scian2018_2, scian2018_3,
            cat_tamanio, valor, cv, n_registro, n_trabajadores,
        from mensuales
        where indicador in ('tasa_accidentes', 'tasa_dias')
    ),

    indicadores as (
        select
            indicador, periodo, agregacion, agregacion_numerica, geo2, geo5, scian2018_2, scian2018_3,
            cat_tamanio, valor, case when not algun_mes_sin_cv then cv end as cv, n_registro, n_trabajadores,
        from promedios_moviles
        union all
        select
            indicador, periodo, agregacion, agregacion_numerica, geo2, geo5, scian2018_2, scian2018_3,
            cat_tamanio, valor, cv, n_registro, n_trabajadores,
        from anuales
    ),

    catalogo as (
        select indicador, umbral_cv, from {{ ref('indicadores') }} where fuente = 'imss'
    )

select
    'imss' as fuente,
    indicadores.indicador,
    strftime(indicadores.periodo, '%Y-%m') as periodo,
    year(indicadores.periodo)::integer as anio,
    month(indicadores.periodo)::integer as mes,
    indicadores.agregacion,
    indicadores.agregacion_numerica,
    indicadores.geo2,
    indicadores.geo5,
    indicadores.scian2018_2,
    indicadores.scian2018_3,
    indicadores.cat_tamanio,
    indicadores.valor,
    indicadores.cv,
    indicadores.n_registro,
    indicadores.n_trabajadores,
    {{ grupo_calidad_info1('indicadores.cv') }} as grupo_calidad_info1,
    {{ grupo_calidad_info2('indicadores.cv') }} as grupo_calidad_info2,
    {{ columnas_trazabilidad() }}
    coalesce(indicadores.cv > catalogo.umbral_cv, true) as supera_umbral_cv,
from indicadores
inner join catalogo on indicadores.indicador = catalogo.indicador
