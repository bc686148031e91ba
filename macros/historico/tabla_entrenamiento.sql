{#- The training table (Module IV) built from one historical matching, so the point-in-time table
    (marts.entrenamiento) and the manual's (marts.entrenamiento_manual) have the same columns and keys:
    one row per inspection x submateria of marts.inspecciones_historicas with identification, the CT
    attributes the DNE field catalog marks as model inputs (macro atributos_dne), the model-input
    indicators (catalog entra_al_modelo = 'sí') as valor_<indicador> from `imputacion` (one row per
    inspeccion_id and indicador; unscaled, more is better; NULL when no estimate exists, which the ML step
    codes -1 as the manual does), the target `violacion`, the date and whether the submateria is modelled.
    `atributos_fechados`: a relation with one row per inspeccion_id whose num_trabajadores replaces today's
    (the count known on the inspection date); none keeps DNE_plus's. Models calling it declare
    `-- depends_on:` for seeds indicadores and dne_campos. -#}
{% macro tabla_entrenamiento(imputacion, atributos_fechados=none) -%}
{%- set indicadores = codigos_indicadores(solo_entradas_del_modelo=true) %}
{%- set columnas_fechadas = ['num_trabajadores'] if atributos_fechados is not none else [] %}
with historia as (
    select * from {{ ref('inspecciones_historicas') }}
),

imputacion as (
    select inspeccion_id, indicador, valor, from {{ imputacion }}
),

ancho as (
    select
        inspeccion_id,
        {%- for indicador in indicadores %}
        max(valor) filter (where indicador = '{{ indicador }}') as valor_{{ indicador }},
        {%- endfor %}
    from imputacion
    group by inspeccion_id
)

select
    historia.inspeccion_id,
    historia.submateria_id,
    historia.materia_id,
    submaterias.se_modela as submateria_modelada,
    historia.fecha_inspeccion,
    historia.anio,
    historia.tipo_inspeccion_id,
    historia.subtipo_inspeccion_id,
    historia.centro_trabajo_id,
    {%- for atributo in atributos_dne(solo_modelo=true) %}
    {%- if atributo.columna in columnas_fechadas %}
    fechados.{{ atributo.columna }},
    {%- else %}
    historia.{{ atributo.columna }},
    {%- endif %}
    {%- endfor %}
    {%- for indicador in indicadores %}
    ancho.valor_{{ indicador }}::double as valor_{{ indicador }},
    {%- endfor %}
    historia.nind,
    historia.nvio,
    historia.nvio_procede,
    historia.violacion,
from historia
left join ancho on historia.inspeccion_id = ancho.inspeccion_id
left join {{ ref('int_historico__submaterias_modeladas') }} as submaterias
    on historia.submateria_id = submaterias.submateria_id
{%- if atributos_fechados is not none %}
left join {{ atributos_fechados }} as fechados on historia.inspeccion_id = fechados.inspeccion_id
{%- endif %}
{%- endmacro %}
