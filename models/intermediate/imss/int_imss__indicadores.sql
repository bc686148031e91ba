{{ incremental_por_periodo() }}
-- IMSS indicators on the 18 aggregation levels, every month available (periodo 'YYYY-MM'), in the shared
-- long format (DOMAIN.md section 3). Monthly indicators (rotacion, brecha_imss, sm105, concentracion) are
-- moving averages over the last imss_ventana_meses months (default 3) in which the indicator was computed,
-- as the manual reads ("los últimos tres meses disponibles", spec 002 4.1.4.2): a month that is not loaded
-- is skipped (January, February, April -> April averages those three; int_imss__ventanas_promedio_movil
-- lists the window). A month gets a moving average when that many months are available and the cell has
-- an estimate in the month itself. As the manual's sequencer does ("depura los resultados ... excluyendo
-- aquellas estimaciones que no satisfacen el umbral"), monthly estimates whose cv is above the catalog's
-- umbral_cv, or NULL (one registro), are left out of the average; over the window months that remain:
--   valor = sum(valor_m * n_registro_m) / sum(n_registro_m) over the window months where the cell exists,
--   cv = the same n_registro-weighted mean of the monthly CVs (a conservative choice: averaging months
--        lowers the variance, but the months share registros so their errors are not independent),
--   n_registro, n_trabajadores = rounded means over those months.
-- When no month of the window passes the threshold the row is kept (DOMAIN.md section 3: kept, flagged,
-- never imputed), averaged over all its window months and flagged by supera_umbral_cv.
-- Yearly indicators (tasa_accidentes, tasa_dias) are not averaged: they appear at the month of the
-- year's latest riesgos cut. supera_umbral_cv = cv above the catalog's umbral_cv, or NULL cv (one registro).
-- Incremental by month: a month's rows depend only on the monthly estimates of the months of its windows
-- (and, for the yearly rows, of the month itself), so a run recomputes a month when a month in the range of
-- any of its current windows was computed in int_imss__indicadores_mensuales (registro_calculado_en, the
-- time int_imss__indicadores_registro rewrote it) after this month's fecha_calculo here. A month loaded late
-- into a gap is new there, so every later window that now takes it is recomputed. The last
-- imss_meses_recalculo months are recomputed on every run (catalog thresholds, code fixes);
-- `--full-refresh` rebuilds every month. Months are never deleted upstream, so none are deleted here.
with
    -- When each month's monthly estimates were last computed upstream.
    meses_estimados as (
        select periodo, max(registro_calculado_en) as calculado_en,
        from {{ ref('int_imss__indicadores_mensuales') }}
        group by periodo
    ),

    -- The newest input of each month: over the calendar range of every window of the month (a superset of
    -- the window's months, so it can only recompute more) and the month itself (yearly rows).
    insumos as (
        select meses_estimados.periodo, max(incluidos.calculado_en) as insumo_calculado_en,
        from meses_estimados
        left join {{ ref('int_imss__ventanas_promedio_movil') }} as ventanas
            on meses_estimados.periodo = ventanas.periodo
        inner join meses_estimados as incluidos
            on incluidos.periodo
                between coalesce(ventanas.periodo_inicio_ventana, meses_estimados.periodo)
                and meses_estimados.periodo
        group by meses_estimados.periodo
    ),

    meses as (
        select periodo,
        from insumos
        {% if is_incremental() %}
        where not exists (
            select 1
            from (select periodo, min(fecha_calculo) as fecha_calculo, from {{ this }} group by periodo) as calculado
            where calculado.periodo = strftime(insumos.periodo, '%Y-%m')
                and calculado.fecha_calculo >= insumos.insumo_calculado_en
        )
            or periodo in ({{ imss_meses_recientes('insumos') }})
        {% endif %}
    ),

    catalogo as (
        select indicador, umbral_cv, from {{ ref('indicadores') }} where fuente = 'imss'
    ),

    mensuales as (
        select
            mensuales.indicador, mensuales.periodo, mensuales.agregacion, mensuales.agregacion_numerica,
            mensuales.geo2, mensuales.geo5, mensuales.scian2018_2, mensuales.scian2018_3,
            mensuales.cat_tamanio, mensuales.valor, mensuales.cv, mensuales.n_registro,
            mensuales.n_trabajadores,
            coalesce(mensuales.cv <= catalogo.umbral_cv, false) as cumple_umbral,
        from {{ ref('int_imss__indicadores_mensuales') }} as mensuales
        inner join catalogo on mensuales.indicador = catalogo.indicador
        -- Only the months the windows being computed take.
        where mensuales.periodo >= (
            select min(ventanas.periodo_inicio_ventana)
            from {{ ref('int_imss__ventanas_promedio_movil') }} as ventanas
            where ventanas.periodo in (select periodo from meses)
        )
            or mensuales.periodo in (select periodo from meses)
    ),

    ventanas as (
        select indicador, periodo, periodo_inicio_ventana,
        from {{ ref('int_imss__ventanas_promedio_movil') }}
        where promedio_calculado and periodo in (select periodo from meses)
    ),

    -- Each cell's monthly estimates in each window (only months in which the indicator was computed have
    -- rows, so the date range is exactly the window's months), with what the cell has over the window.
    celdas_ventana as (
        select
            mensuales.indicador,
            ventanas.periodo,
            mensuales.periodo as periodo_mes,
            mensuales.agregacion,
            mensuales.agregacion_numerica,
            mensuales.geo2,
            mensuales.geo5,
            mensuales.scian2018_2,
            mensuales.scian2018_3,
            mensuales.cat_tamanio,
            mensuales.valor,
            mensuales.cv,
            mensuales.n_registro,
            mensuales.n_trabajadores,
            mensuales.cumple_umbral,
            bool_or(mensuales.periodo = ventanas.periodo) over celda as celda_en_mes,
            bool_or(mensuales.cumple_umbral) over celda as algun_mes_cumple,
        from ventanas
        inner join mensuales
            on ventanas.indicador = mensuales.indicador
            and mensuales.periodo between ventanas.periodo_inicio_ventana and ventanas.periodo
        window celda as (
            partition by mensuales.indicador, ventanas.periodo, mensuales.agregacion, mensuales.geo2,
                mensuales.geo5, mensuales.scian2018_2, mensuales.scian2018_3, mensuales.cat_tamanio
        )
    ),

    promedios_moviles as (
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
            sum(valor * n_registro) / sum(n_registro) as valor,
            {{ cv_estable('sum(cv * n_registro) / sum(n_registro)') }} as cv,
            bool_or(cv is null) as algun_mes_sin_cv,
            round(avg(n_registro))::bigint as n_registro,
            round(avg(n_trabajadores))::bigint as n_trabajadores,
        from celdas_ventana
        where celda_en_mes and (cumple_umbral or not algun_mes_cumple)
        group by all
    ),

    anuales as (
        select
            indicador, periodo, agregacion, agregacion_numerica, geo2, geo5, scian2018_2, scian2018_3,
            cat_tamanio, valor, cv, n_registro, n_trabajadores,
        from mensuales
        where indicador in ('tasa_accidentes', 'tasa_dias') and periodo in (select periodo from meses)
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
