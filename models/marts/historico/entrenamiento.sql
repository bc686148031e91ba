-- depends_on: {{ ref('indicadores') }}
-- depends_on: {{ ref('dne_campos') }}
-- The training table (Module IV): one row per inspection x submateria with identification, the CT attributes
-- the DNE field catalog marks as model inputs (dne_campos.entra_al_modelo = 'sí', macro atributos_dne),
-- the model-input indicators (catalog `entra_al_modelo` = 'sí') of the inspection's year as
-- valor_<indicador> (unscaled, more is better, the same meaning as valor_<indicador> in
-- universo_ct_con_indicadores; -1 when no estimate exists, as the manual codes missing inputs), the
-- target (`violacion`: at least one violation that stands), the inspection date, and whether the
-- submateria is modelled.
{%- set indicadores = codigos_indicadores(solo_entradas_del_modelo=true) %}
with historia as (
    select * from {{ ref('inspecciones_historicas') }}
),

imputacion as (
    select * from {{ ref('int_historico__imputacion_inspeccion') }}
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
    historia.{{ atributo.columna }},
    {%- endfor %}
    {%- for indicador in indicadores %}
    coalesce(ancho.valor_{{ indicador }}, -1) as valor_{{ indicador }},
    {%- endfor %}
    historia.nind,
    historia.nvio,
    historia.nvio_procede,
    historia.violacion,
from historia
left join ancho on historia.inspeccion_id = ancho.inspeccion_id
left join {{ ref('int_historico__submaterias_modeladas') }} as submaterias
    on historia.submateria_id = submaterias.submateria_id
