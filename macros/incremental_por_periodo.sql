{#- The config() header of every model that is incremental by period (IMSS month, ENOE quarter; the
    manual's `solo_adicionales`): a run replaces whole periods (delete+insert on `periodo`) and a changed
    column list fails instead of drifting. dbt's delete+insert only replaces the periods the run computed,
    so a period whose inputs were removed would stay: with `periodos_vigentes` (the text of a query of the
    periods that still have inputs; refs in it are written as Jinja, rendered when the hook runs) a
    post-hook deletes every other period in the same transaction. -#}
{% macro incremental_por_periodo(periodos_vigentes=none) -%}
    {%- set ganchos = [] -%}
    {%- if periodos_vigentes -%}
        {%- do ganchos.append(
            "delete from {{ this }} where periodo not in (select periodo from ("
            ~ periodos_vigentes ~ ") as vigentes where periodo is not null)"
        ) -%}
    {%- endif -%}
    {{ config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='periodo',
        on_schema_change='fail',
        post_hook=ganchos,
    ) }}
{%- endmacro %}
