{#- Lower-case column names of a relation at execution time (empty list while parsing). -#}
{% macro enoe_columnas(relacion) -%}
    {%- if execute -%}
        {{ return(adapter.get_columns_in_relation(relacion) | map(attribute='name') | map('lower') | list) }}
    {%- else -%}
        {{ return([]) }}
    {%- endif -%}
{%- endmacro %}
