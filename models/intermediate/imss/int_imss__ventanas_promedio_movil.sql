-- One row per monthly IMSS indicator and month in which it was computed: the months its moving average
-- needs (the month and the previous imss_ventana_meses - 1 calendar months), which of them are missing,
-- and whether the moving average is produced (only when no month of the window is missing). Yearly
-- indicators (tasa_accidentes, tasa_dias) have no moving average and no rows here.
with
    meses_indicador as (
        select distinct indicador, periodo,
        from {{ ref('int_imss__indicadores_registro') }}
        where indicador in ('rotacion', 'brecha_imss', 'sm105', 'concentracion')
    ),

    ventana as (
        select
            meses_indicador.indicador,
            meses_indicador.periodo,
            (meses_indicador.periodo - to_months(desfase.k))::date as periodo_incluido,
        from meses_indicador
        cross join range({{ imss_ventana_meses() }}) as desfase (k)
    ),

    ventana_disponible as (
        select
            ventana.indicador,
            ventana.periodo,
            ventana.periodo_incluido,
            disponibles.periodo is not null as disponible,
        from ventana
        left join meses_indicador as disponibles
            on ventana.indicador = disponibles.indicador
            and ventana.periodo_incluido = disponibles.periodo
    )

select
    indicador,
    periodo,
    min(periodo_incluido) as periodo_inicio_ventana,
    string_agg(strftime(periodo_incluido, '%Y-%m'), ', ' order by periodo_incluido) as meses_ventana,
    string_agg(strftime(periodo_incluido, '%Y-%m'), ', ' order by periodo_incluido)
        filter (where not disponible) as meses_faltantes,
    bool_and(disponible) as promedio_calculado,
from ventana_disponible
group by indicador, periodo
