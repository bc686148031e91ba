{#- Indicator codes of the catalog seed `indicadores` for a source and estimator type, read when the
    model runs (an empty list while parsing). Used to unpivot exactly the catalogued indicators. -#}
{% macro indicadores_del_catalogo(fuente, tipo_estimador) -%}
    {%- if execute -%}
        {%- set consulta -%}
            select indicador from {{ relacion_de_seed('indicadores') }}
            where fuente = '{{ fuente }}' and tipo_estimador = '{{ tipo_estimador }}'
            order by indicador
        {%- endset -%}
        {{ return(run_query(consulta).columns[0].values() | list) }}
    {%- else -%}
        {{ return([]) }}
    {%- endif -%}
{%- endmacro %}
