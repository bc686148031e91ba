{#- The ENOE sample design every estimate with a CV needs, from int_enoe__diseno_muestral (one row per
    quarter, stratum and PSU of the whole sample): three CTEs with the integer keys the variance macro
    (razon_linealizada) works on, and the joins that put those keys on the persons' rows.
    Use as `with ..., {{ diseno_muestral_ctes() }}, ...` and, inside a select over `unidades`,
    `{{ unir_diseno_muestral('unidades') }}`. -#}
{% macro diseno_muestral_ctes() -%}
periodos as (
    select distinct periodo, periodo_id, from {{ ref('int_enoe__diseno_muestral') }}
),

upms as (
    select periodo, estrato, upm, upm_id, from {{ ref('int_enoe__diseno_muestral') }}
),

estratos as (
    select distinct periodo_id, periodo, estrato, estrato_id, n_upm, from {{ ref('int_enoe__diseno_muestral') }}
)
{%- endmacro %}

{% macro unir_diseno_muestral(unidades) -%}
    inner join periodos
        on {{ unidades }}.periodo = periodos.periodo
    inner join upms
        on {{ unidades }}.periodo = upms.periodo
        and {{ unidades }}.upm = upms.upm
    inner join estratos
        on {{ unidades }}.periodo = estratos.periodo
        and {{ unidades }}.estrato = estratos.estrato
{%- endmacro %}
