{#- Codes of the indicator catalog (seed `indicadores`) ordered by source and code, read when the model
    runs (an empty list while parsing); only the model inputs (entra_al_modelo = 'sí') when asked.
    Models calling it declare `-- depends_on: {{ ref('indicadores') }}`. -#}
{% macro codigos_indicadores(solo_entradas_del_modelo=false) -%}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set consulta -%}
        select indicador from {{ relacion_de_seed('indicadores') }}
        {%- if solo_entradas_del_modelo %} where entra_al_modelo = 'sí'{% endif %}
        order by fuente, indicador
    {%- endset -%}
    {{ return(run_query(consulta).columns[0].values() | list) }}
{%- endmacro %}
