{{ incremental_por_periodo() }}
-- Monthly IMSS estimates on the 18 aggregation levels (niveles_agregacion where aplica_imss = 1), before
-- moving averages. For each level, the registros with every dimension the level uses are grouped by those
-- dimensions (the others are NULL): valor = plain mean of the registros' nominative values (each registro
-- counts once, as in the manual: the unit of analysis is the registro), cv = 100 x standard error of that
-- mean / mean (sample standard deviation across registros / sqrt(n_registro); NULL for one registro),
-- n_registro = registros behind it, n_trabajadores = their insured jobs. Sectors 31-33 and 48-49 are
-- estimated as '31' and '48' (already harmonised upstream) and then copied to 32, 33 and 49 for levels
-- with the sector but not the subsector. Incremental by month: only the months int_imss__indicadores_registro
-- rewrote since this table was computed (its `calculado_en`, kept here as `registro_calculado_en`).
with
    registros as (
        select
            indicador, periodo, cve_registro, geo2, geo5, scian2018_2, scian2018_3, cat_tamanio, n_asegurados,
            valor, calculado_en,
        from {{ ref('int_imss__indicadores_registro') }}
        where periodo in (
            {{ meses_a_recalcular(ref('int_imss__indicadores_registro'), 'calculado_en', 'registro_calculado_en') }}
        )
    ),

    niveles as (
        select agregacion, agregacion_numerica, usa_geo2, usa_geo5, usa_scian2, usa_scian3, usa_tamanio,
        from {{ ref('niveles_agregacion') }}
        where aplica_imss = 1
    ),

    registros_por_nivel as (
        select
            registros.indicador,
            registros.periodo,
            niveles.agregacion,
            niveles.agregacion_numerica,
            case when niveles.usa_geo2 = 1 then registros.geo2 end as geo2,
            case when niveles.usa_geo5 = 1 then registros.geo5 end as geo5,
            case when niveles.usa_scian2 = 1 then registros.scian2018_2 end as scian2018_2,
            case when niveles.usa_scian3 = 1 then registros.scian2018_3 end as scian2018_3,
            case when niveles.usa_tamanio = 1 then registros.cat_tamanio end as cat_tamanio,
            registros.n_asegurados,
            registros.valor,
            registros.calculado_en,
        from registros
        cross join niveles
        where (niveles.usa_geo2 = 0 or registros.geo2 is not null)
            and (niveles.usa_geo5 = 0 or registros.geo5 is not null)
            and (niveles.usa_scian2 = 0 or registros.scian2018_2 is not null)
            and (niveles.usa_scian3 = 0 or registros.scian2018_3 is not null)
            and (niveles.usa_tamanio = 0 or registros.cat_tamanio is not null)
    ),

    estimaciones as (
        select
            indicador,
            periodo,
            agregacion,
            agregacion_numerica,
            geo2,
            geo5,
            scian2018_2,
            scian2018_3,
            cat_tamanio,
            avg(valor) as valor,
            {{ cv_estable('100 * stddev_samp(valor) / sqrt(count(*)) / nullif(abs(avg(valor)), 0)') }} as cv,
            count(*) as n_registro,
            sum(n_asegurados)::bigint as n_trabajadores,
            max(calculado_en) as registro_calculado_en,
        from registros_por_nivel
        group by all
    ),

    con_sectores_compuestos as (
        {{ copiar_sectores_compuestos('estimaciones') }}
    )

select
    indicador,
    periodo,
    agregacion,
    agregacion_numerica,
    geo2,
    geo5,
    scian2018_2,
    scian2018_3,
    cat_tamanio,
    valor,
    cv,
    n_registro,
    n_trabajadores,
    registro_calculado_en,
from con_sectores_compuestos
