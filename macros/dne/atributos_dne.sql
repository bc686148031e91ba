{#- The workplace attributes of the DNE field catalog (seed `dne_campos`, rows with a `columna`), in the
    catalog's order, read when the model runs (an empty list while parsing). Each is a dict with
    campo, columna, tipo_dato, entra_al_modelo, tipo_filtro. `solo_modelo`: only the model inputs
    (entra_al_modelo = 'sí'); `derivados`: include the fields staging and dne_plus build with their own
    rules (geography, SCIAN, worker count). Models calling it declare `-- depends_on: {{ ref('dne_campos') }}`. -#}
{% macro atributos_dne(solo_modelo=false, derivados=true) -%}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set consulta -%}
        with catalogo as (
            select campo, columna, tipo_dato, entra_al_modelo, tipo_filtro, row_number() over () as orden
            from {{ relacion_de_seed('dne_campos') }}
            where tabla = 'centro_trabajo'
        )
        select campo, columna, tipo_dato, entra_al_modelo, tipo_filtro
        from catalogo
        where coalesce(columna, '') <> ''
        {%- if solo_modelo %} and entra_al_modelo = 'sí'{% endif %}
        {%- if not derivados %} and tipo_dato <> 'derivado'{% endif %}
        order by orden
    {%- endset -%}
    {%- set filas = run_query(consulta) -%}
    {%- set salida = [] -%}
    {%- for fila in filas.rows -%}
        {%- do salida.append({'campo': fila[0], 'columna': fila[1], 'tipo_dato': fila[2],
                              'entra_al_modelo': fila[3], 'tipo_filtro': fila[4]}) -%}
    {%- endfor -%}
    {{ return(salida) }}
{%- endmacro %}

{#- How staging reads one catalog attribute from the DNE's text field. The field name comes from the
    catalog (a seed the project owns) and is quoted. -#}
{% macro atributo_dne_tipado(atributo) -%}
    {%- set campo = adapter.quote(atributo['campo']) -%}
    {%- if atributo['tipo_dato'] == 'booleano' -%}
        {{ campo }} = '1'
    {%- elif atributo['tipo_dato'] == 'entero' -%}
        try_cast({{ campo }} as integer)
    {%- elif atributo['tipo_dato'] == 'decimal' -%}
        try_cast({{ campo }} as double)
    {%- else -%}
        nullif(trim({{ campo }}), '')
    {%- endif -%}
{%- endmacro %}
