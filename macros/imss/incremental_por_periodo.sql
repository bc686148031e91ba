{#- The header of every model that is incremental by month (the manual's `solo_adicionales`): a run
    replaces whole periods (delete+insert on `periodo`) and a changed column list fails instead of
    drifting. One place for the four IMSS models that share it. -#}
{% macro incremental_por_periodo() -%}
    {{ config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='periodo',
        on_schema_change='fail',
    ) }}
{%- endmacro %}
