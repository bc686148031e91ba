{#- The CTEs that say which ENOE quarters an incremental model computes in this run, shared by the models
    that are incremental by quarter and read SDEM and COE1: `cargas_sdem`, `cargas_coe1`,
    `trimestres_con_insumos` (insumo_cargado_en = the latest cargado_en of the quarter's SDEM and COE1 rows)
    and `trimestres` (every quarter outside an incremental run; inside one, the quarters new or landed again
    since the model recorded them). With `filtrar`, the var enoe_periodos restricts the quarters. -#}
{% macro trimestres_por_calcular(filtrar=true) -%}
cargas_sdem as (
    select periodo, max(cargado_en) as cargado_en,
    from {{ ref('stg_enoe__sdem') }}
    {%- if filtrar %}
    -- Optional restriction to some quarters (e.g. --vars '{enoe_periodos: [2026T3]}').
    where true {{ enoe_periodos_filtro() }}
    {%- endif %}
    group by periodo
),

cargas_coe1 as (
    select periodo, max(cargado_en) as cargado_en,
    from {{ ref('stg_enoe__coe1') }}
    group by periodo
),

trimestres_con_insumos as (
    select
        cargas_sdem.periodo,
        greatest(cargas_sdem.cargado_en, cargas_coe1.cargado_en) as insumo_cargado_en,
    from cargas_sdem
    left join cargas_coe1
        on cargas_sdem.periodo = cargas_coe1.periodo
),

-- The quarters to compute in this run: new, or with SDEM / COE1 landed since they were computed.
trimestres as (
    select periodo, insumo_cargado_en,
    from trimestres_con_insumos
    {%- if is_incremental() %}
    where not exists (
        select 1
        from {{ this }} as calculado
        where calculado.periodo = trimestres_con_insumos.periodo
            and calculado.insumo_cargado_en >= trimestres_con_insumos.insumo_cargado_en
    )
    {%- endif %}
)
{%- endmacro %}
