{#- Incremental by month: the months (`periodo`) of `fuente` that changed since `this` was computed: the
    month is missing from `this`, or the latest `columna_fuente` of the month in `fuente` is newer than
    the latest `columna_this` of the month in `this` (which stores the value it was computed from).
    Outside an incremental run, every month of `fuente`.
    Used as `where periodo in ({{ meses_a_recalcular(...) }})`. -#}
{% macro meses_a_recalcular(fuente, columna_fuente, columna_this) -%}
    select fuente.periodo
    from (
        select periodo, max({{ columna_fuente }}) as marca from {{ fuente }} group by periodo
    ) as fuente
    {%- if is_incremental() %}
    left join (
        select periodo, max({{ columna_this }}) as marca from {{ this }} group by periodo
    ) as calculado
        on fuente.periodo = calculado.periodo
    where calculado.periodo is null or fuente.marca > calculado.marca
    {%- endif %}
{%- endmacro %}
