{{ incremental_por_periodo() }}
-- IMSS indicators per registro patronal (nominative), one row per (indicador, periodo, cve_registro).
-- Monthly rows (frecuencia 'mensual', periodo 'YYYY-MM'): valor_mes = the month's value; valor = plain
-- mean of the registro's values over the moving-average window: the last imss_ventana_meses (default 3)
-- months in which the indicator was computed, a month that is not loaded being skipped (the manual's
-- "últimos tres meses disponibles"; see int_imss__ventanas_promedio_movil); NULL while fewer months are
-- available. Nominative values have no CV, so no month is left out for its threshold.
-- meses_promediados = months of the window where the registro has a value. Yearly indicators
-- (tasa_accidentes, tasa_dias) appear at the month of the year's latest riesgos cut with valor = valor_mes.
-- Yearly rows (frecuencia 'anual', periodo 'YYYY', from dbt var imss_anio_inicio, 2019, on): valor = mean
-- of that year's monthly moving averages (monthly indicators) or the year's value (accidents), for the
-- historical matching.
-- Incremental by month: a month is recomputed when any month from the start of its window on was
-- rewritten upstream (int_imss__indicadores_registro.calculado_en, kept here as registro_calculado_en);
-- the window is the current one, so a month loaded late into a gap recomputes the months whose windows
-- now take it. The yearly rows of the years recomputed are rebuilt from the new and the kept monthly rows.
with
    calculos_por_mes as (
        select periodo, max(calculado_en) as calculado_en,
        from {{ ref('int_imss__indicadores_registro') }}
        group by periodo
    ),

    -- Earliest month any indicator's moving-average window of the month reaches back to.
    inicios_ventana as (
        select periodo, min(periodo_inicio_ventana) as inicio_ventana,
        from {{ ref('int_imss__ventanas_promedio_movil') }}
        group by periodo
    ),

    marcas as (
        select
            meses.periodo,
            coalesce(inicios_ventana.inicio_ventana, meses.periodo) as inicio_ventana,
            max(ventana.calculado_en) as marca,
        from calculos_por_mes as meses
        left join inicios_ventana on meses.periodo = inicios_ventana.periodo
        inner join calculos_por_mes as ventana
            on ventana.periodo between coalesce(inicios_ventana.inicio_ventana, meses.periodo) and meses.periodo
        group by all
    ),

    meses_a_calcular as (
        select marcas.periodo, marcas.inicio_ventana, marcas.marca,
        from marcas
        {% if is_incremental() %}
        where not exists (
            select 1
            from {{ this }} as calculado
            where calculado.periodo = strftime(marcas.periodo, '%Y-%m')
                and calculado.registro_calculado_en >= marcas.marca
        )
        {% endif %}
    ),

    registros as (
        select
            indicador, periodo, cve_registro, geo2, geo5, scian2018_2, scian2018_3, cat_tamanio, n_asegurados,
            valor,
        from {{ ref('int_imss__indicadores_registro') }}
        where periodo >= (select min(inicio_ventana) from meses_a_calcular)
    ),

    ventanas as (
        select ventanas.indicador, ventanas.periodo, ventanas.periodo_inicio_ventana,
        from {{ ref('int_imss__ventanas_promedio_movil') }} as ventanas
        inner join meses_a_calcular on ventanas.periodo = meses_a_calcular.periodo
        where ventanas.promedio_calculado
    ),

    promedios_moviles as (
        select
            ventanas.indicador,
            ventanas.periodo,
            registros.cve_registro,
            avg(registros.valor) as valor,
            count(*) as meses_promediados,
        from ventanas
        inner join registros
            on ventanas.indicador = registros.indicador
            and registros.periodo between ventanas.periodo_inicio_ventana and ventanas.periodo
        group by ventanas.indicador, ventanas.periodo, registros.cve_registro
    ),

    mensuales as (
        select
            registros.indicador,
            'mensual' as frecuencia,
            strftime(registros.periodo, '%Y-%m') as periodo,
            year(registros.periodo)::integer as anio,
            month(registros.periodo)::integer as mes,
            registros.cve_registro,
            registros.geo2,
            registros.geo5,
            registros.scian2018_2,
            registros.scian2018_3,
            registros.cat_tamanio,
            registros.n_asegurados,
            registros.valor as valor_mes,
            case
                when registros.indicador in ('tasa_accidentes', 'tasa_dias') then registros.valor
                else promedios_moviles.valor
            end as valor,
            case
                when registros.indicador in ('tasa_accidentes', 'tasa_dias') then 1
                else promedios_moviles.meses_promediados
            end as meses_promediados,
            meses_a_calcular.marca as registro_calculado_en,
        from registros
        inner join meses_a_calcular on registros.periodo = meses_a_calcular.periodo
        left join promedios_moviles
            on registros.indicador = promedios_moviles.indicador
            and registros.periodo = promedios_moviles.periodo
            and registros.cve_registro = promedios_moviles.cve_registro
    ),

    -- The monthly rows a year's value is averaged from: the new ones plus, in an incremental run, the
    -- kept months of the same years.
    mensuales_del_anio as (
        select indicador, anio, mes, cve_registro, geo2, geo5, scian2018_2, scian2018_3, cat_tamanio,
            n_asegurados, valor, registro_calculado_en,
        from mensuales
        {% if is_incremental() %}
        union all
        select indicador, anio, mes, cve_registro, geo2, geo5, scian2018_2, scian2018_3, cat_tamanio,
            n_asegurados, valor, registro_calculado_en,
        from {{ this }}
        where frecuencia = 'mensual'
            and anio in (select distinct year(periodo) from meses_a_calcular)
            and periodo not in (select strftime(periodo, '%Y-%m') from meses_a_calcular)
        {% endif %}
    ),

    anuales as (
        select
            indicador,
            'anual' as frecuencia,
            anio::varchar as periodo,
            anio,
            max(mes) as mes,
            cve_registro,
            arg_max(geo2, mes) as geo2,
            arg_max(geo5, mes) as geo5,
            arg_max(scian2018_2, mes) as scian2018_2,
            arg_max(scian2018_3, mes) as scian2018_3,
            arg_max(cat_tamanio, mes) as cat_tamanio,
            arg_max(n_asegurados, mes) as n_asegurados,
            null::double as valor_mes,
            avg(valor) as valor,
            count(*) as meses_promediados,
            max(registro_calculado_en) as registro_calculado_en,
        from mensuales_del_anio
        where valor is not null and anio >= {{ imss_anio_inicio() }}
        group by indicador, anio, cve_registro
    ),

    nominativos as (
        select * from mensuales
        union all by name
        select * from anuales
    )

select
    indicador,
    frecuencia,
    periodo,
    anio,
    mes,
    cve_registro,
    geo2,
    geo5,
    scian2018_2,
    scian2018_3,
    cat_tamanio,
    n_asegurados,
    valor_mes,
    valor,
    meses_promediados,
    registro_calculado_en,
    {{ columnas_trazabilidad() }}
from nominativos
