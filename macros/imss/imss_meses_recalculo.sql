{#- The IMSS look-back (the manual's `frecuencia_actualizacion`; declared in dbt_project.yml, default 0 =
    the manual's default "escenario 1", only new or reloaded months): with N > 0 an incremental build also
    recomputes the last N loaded IMSS months even when their inputs did not change (a corrected seed or
    catalog, a fix in a model; the manual's "escenario 2" with N = 4). Override with
    `sidil build --meses-recalculo N` (`--vars '{imss_meses_recalculo: N}'`). -#}
{% macro imss_meses_recalculo() -%}
    {%- set n = var('imss_meses_recalculo', 0) | int -%}
    {%- if n < 0 -%}
        {{ exceptions.raise_compiler_error("imss_meses_recalculo debe ser 0 o más (meses a recalcular)") }}
    {%- endif -%}
    {{ n }}
{%- endmacro %}

{#- The last `imss_meses_recalculo()` months (`periodo`) of a relation or CTE, newest first; used as
    `periodo in ({{ imss_meses_recientes('cte') }})`. -#}
{% macro imss_meses_recientes(relacion, filtro='true') -%}
    select periodo from (select distinct periodo from {{ relacion }} where {{ filtro }})
    order by periodo desc limit {{ imss_meses_recalculo() }}
{%- endmacro %}
