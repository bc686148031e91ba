{#- Column list of an ENOE staging model, generated from the seed `enoe_variables` (which source column
    feeds which SIDIL variable, by questionnaire and survey edition). For every variable of `tabla` it
    renders
        try_cast(case when <trimestre in the row's quarters and periodo in [desde, hasta]> then <columna>
                      ... end as <tipo>) as <variable>,
    so the compiled SQL shows exactly which column was read for each period. Columns the raw table does
    not have (no file of that edition loaded yet) are skipped (when the relation's columns cannot be
    listed, as for a unit-test fixture, none is skipped). Blank text codes ('') become NULL.
    Before execution (parsing) it renders nothing; the seed is read when the model runs (models calling
    it declare `-- depends_on: {{ ref('enoe_variables') }}`). -#}
{% macro enoe_variables_mapeadas(tabla, relacion) -%}
    {%- if execute -%}
        {%- set consulta -%}
            select variable, tipo, trimestres, desde, coalesce(hasta, '9999T9') as hasta, columna
            from {{ relacion_de_seed('enoe_variables') }}
            where tabla = '{{ tabla }}'
        {%- endset -%}
        {%- set filas = run_query(consulta).rows -%}
        {%- set existentes = adapter.get_columns_in_relation(relacion) | map(attribute='name') | map('lower') | list -%}
        {%- set variables = [] -%}
        {%- for fila in filas if fila['variable'] not in variables -%}
            {%- do variables.append(fila['variable']) -%}
        {%- endfor -%}
        {%- for variable in variables %}
        {%- set ramas = [] -%}
        {%- for fila in filas if fila['variable'] == variable
                and (not existentes or fila['columna'] | lower in existentes) -%}
            {%- do ramas.append(fila) -%}
        {%- endfor %}
        try_cast(
            {%- if not ramas %} null{% else %}
            case
            {%- for fila in ramas %}
                when trimestre in ({{ fila['trimestres'].split('-') | join(', ') }})
                    and periodo between '{{ fila["desde"] }}' and '{{ fila["hasta"] }}'
                    then nullif(trim(cast({{ fila['columna'] | lower }} as varchar)), '')
            {%- endfor %}
            end{% endif %} as {{ (filas | selectattr('variable', 'equalto', variable) | first)['tipo'] }}
        ) as {{ variable }},
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}
