{#- A SIAPI-SIPAS catalog appears in every instance: keep, per id, the row of the most recent instance
    (catalogs only grow and get corrected over time). -#}
{% macro catalogo_vigente(table, id_column) -%}
    select *
    from {{ source('siapi', table) }}
    qualify row_number() over (partition by {{ id_column }} order by instancia desc) = 1
{%- endmacro %}
