{#- The optional restriction to some ENOE quarters (dbt var `enoe_periodos`: a list of 'YYYYTq', or one;
    null = every loaded quarter) as an `and <columna> in (...)` condition, or nothing. Each value is checked
    before it enters the SQL: one that is not a quarter stops the compilation with a Spanish message. -#}
{% macro enoe_periodos_filtro(columna='periodo') -%}
    {%- set periodos = var('enoe_periodos', none) -%}
    {%- if periodos -%}
        {%- if periodos is string -%}{%- set periodos = [periodos] -%}{%- endif -%}
        {%- for periodo in periodos -%}
            {%- if not modules.re.fullmatch('[0-9]{4}T[1-4]', periodo | string) -%}
                {{ exceptions.raise_compiler_error(
                    "enoe_periodos: '" ~ periodo ~ "' no es un trimestre AAAATn (por ejemplo 2026T3)"
                ) }}
            {%- endif -%}
        {%- endfor -%}
        and {{ columna }} in ('{{ periodos | join("', '") }}')
    {%- endif -%}
{%- endmacro %}
