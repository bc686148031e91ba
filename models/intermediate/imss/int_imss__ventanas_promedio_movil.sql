-- One row per monthly IMSS indicator and month in which it was computed: the months its moving average
-- takes, which are the last imss_ventana_meses months in which the indicator was computed, up to and
-- including the month (the manual's "últimos tres meses disponibles", spec 002 4.1.4.2: its
-- nro_periodos_hacia_atras = 2 previous results plus the month). A month that is not loaded (or in which
-- the indicator could not be computed, e.g. rotacion after a missing month) is skipped, not a hole:
-- with January, February and April loaded, April averages January, February and April, and
-- `meses_omitidos` says which calendar months were skipped inside the window. The moving average is
-- produced when imss_ventana_meses months are available (the first months of the history have none).
-- Yearly indicators (tasa_accidentes, tasa_dias) have no moving average and no rows here.
with
    meses_indicador as (
        select distinct indicador, periodo,
        from {{ ref('int_imss__indicadores_registro') }}
        where indicador in ('rotacion', 'brecha_imss', 'sm105', 'concentracion')
    ),

    ordenados as (
        select indicador, periodo, row_number() over (partition by indicador order by periodo) as orden,
        from meses_indicador
    ),

    ventana as (
        select
            mes.indicador,
            mes.periodo,
            incluido.periodo as periodo_incluido,
        from ordenados as mes
        inner join ordenados as incluido
            on mes.indicador = incluido.indicador
            and incluido.orden between mes.orden - ({{ imss_ventana_meses() }} - 1) and mes.orden
    ),

    ventanas as (
        select
            indicador,
            periodo,
            min(periodo_incluido) as periodo_inicio_ventana,
            string_agg(strftime(periodo_incluido, '%Y-%m'), ', ' order by periodo_incluido) as meses_ventana,
            count(*) as n_meses_ventana,
        from ventana
        group by indicador, periodo
    ),

    -- Calendar months between the window's first month and the month in which the indicator was not
    -- computed (skipped by the window).
    calendario as (
        select
            indicador,
            periodo,
            unnest(generate_series(periodo_inicio_ventana::timestamp, periodo::timestamp, interval 1 month))::date
                as mes,
        from ventanas
    ),

    omitidos as (
        select
            calendario.indicador,
            calendario.periodo,
            string_agg(strftime(calendario.mes, '%Y-%m'), ', ' order by calendario.mes) as meses_omitidos,
        from calendario
        anti join meses_indicador
            on calendario.indicador = meses_indicador.indicador
            and calendario.mes = meses_indicador.periodo
        group by calendario.indicador, calendario.periodo
    )

select
    ventanas.indicador,
    ventanas.periodo,
    ventanas.periodo_inicio_ventana,
    ventanas.meses_ventana,
    ventanas.n_meses_ventana,
    omitidos.meses_omitidos,
    ventanas.n_meses_ventana = {{ imss_ventana_meses() }} as promedio_calculado,
from ventanas
left join omitidos
    on ventanas.indicador = omitidos.indicador
    and ventanas.periodo = omitidos.periodo
