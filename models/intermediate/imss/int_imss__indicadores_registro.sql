{{ incremental_por_periodo() }}
-- Long table of the six IMSS nominative indicators: one row per (indicador, periodo, cve_registro) with the
-- registro's dimensions in that period and its insured count (the aggregation weight n_trabajadores).
-- Monthly indicators come from int_imss__registro_mes; tasa_accidentes and tasa_dias are yearly and dated
-- to the month of the year's latest riesgos cut. An indicator that cannot be computed for a registro in a
-- month (no previous month, no women or no men, empty market) has no row.
-- Incremental by month: a month is recomputed (both its monthly and its yearly rows) when the inputs of
-- either part are newer than what the table holds (insumo_cargado_en); `calculado_en` (the run's time)
-- lets int_imss__indicadores_mensuales recompute exactly the months rewritten here. The last
-- `imss_meses_recalculo` months (as in int_imss__registro_mes) are recomputed on every run.
with
    cargas as (
        select periodo, 'mensual' as parte, max(insumo_cargado_en) as insumo_cargado_en,
        from {{ ref('int_imss__registro_mes') }}
        group by periodo
        union all
        select periodo_corte as periodo, 'anual' as parte, max(insumo_cargado_en) as insumo_cargado_en,
        from {{ ref('int_imss__accidentes_registro_anio') }}
        group by periodo_corte
    ),

    meses as (
        select distinct cargas.periodo,
        from cargas
        {% if is_incremental() %}
        left join (
            select
                periodo,
                case when indicador in ('tasa_accidentes', 'tasa_dias') then 'anual' else 'mensual' end as parte,
                max(insumo_cargado_en) as insumo_cargado_en,
            from {{ this }}
            group by all
        ) as calculado
            on cargas.periodo = calculado.periodo and cargas.parte = calculado.parte
        where calculado.periodo is null or cargas.insumo_cargado_en > calculado.insumo_cargado_en
            or cargas.periodo in ({{ imss_meses_recientes('cargas', "parte = 'mensual'") }})
        {% endif %}
    ),

    registro_mes as (
        select
            cve_registro, periodo, geo2, geo5, scian2018_2, scian2018_3, cat_tamanio, n_asegurados,
            insumo_cargado_en,
            -- rotacion: 100 - min(100 * sqrt(altas^2 + bajas^2) / insured in t-1, 100)
            case
                when n_mes_anterior > 0
                    then 100 - least(100 * sqrt(altas ^ 2 + bajas ^ 2) / n_mes_anterior, 100)
            end as rotacion,
            -- brecha_imss: mean daily wage of women / of men
            case
                when salario_medio_hombres > 0 and salario_medio_mujeres is not null
                    then salario_medio_mujeres / salario_medio_hombres
            end as brecha_imss,
            -- sm105: 100 - min(100 * jobs paid <= 1.05 x the zone's minimum / jobs, 100)
            case
                when n_asegurados > 0 then 100 - least(100 * n_hasta_105_minimo / n_asegurados, 100)
            end as sm105,
            -- concentracion: 100 - min(100 * jobs / jobs of its urban area x SCIAN subsector, 100)
            case
                when n_asegurados_mercado > 0
                    then 100 - least(100 * n_asegurados / n_asegurados_mercado, 100)
            end as concentracion,
        from {{ ref('int_imss__registro_mes') }}
        where periodo in (select periodo from meses)
    ),

    mensuales as (
        unpivot registro_mes
        on rotacion, brecha_imss, sm105, concentracion
        into name indicador value valor
    ),

    accidentes as (
        select
            cve_registro,
            periodo_corte as periodo,
            geo2,
            geo5,
            scian2018_2,
            scian2018_3,
            cat_tamanio,
            num_puestos_ultimo_mes as n_asegurados,
            insumo_cargado_en,
            tasa_accidentes,
            tasa_dias,
        from {{ ref('int_imss__accidentes_registro_anio') }}
        where periodo_corte in (select periodo from meses)
    ),

    anuales as (
        unpivot accidentes
        on tasa_accidentes, tasa_dias
        into name indicador value valor
    )

select
    indicador, periodo, cve_registro, geo2, geo5, scian2018_2, scian2018_3, cat_tamanio, n_asegurados, valor,
    insumo_cargado_en,
    current_timestamp::timestamp as calculado_en,
from mensuales
union all
select
    indicador, periodo, cve_registro, geo2, geo5, scian2018_2, scian2018_3, cat_tamanio, n_asegurados, valor,
    insumo_cargado_en,
    current_timestamp::timestamp as calculado_en,
from anuales
