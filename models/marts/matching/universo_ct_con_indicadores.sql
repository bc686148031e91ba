-- depends_on: {{ ref('indicadores') }}
-- depends_on: {{ ref('dne_campos') }}
-- The workplace universe with every indicator (Module II): exactly one row per centro_trabajo_id of the
-- DNE, its identification and attributes (DNE_plus; the attributes of the DNE field catalog, macro
-- atributos_dne), and per indicator of the catalog seed
-- `indicadores`: ind_<indicador> (0-1, 1 = worst, for the model and the MPR), valor_<indicador> (the
-- unscaled value, "more is better") and origen_<indicador> ('nominativo' or the aggregation level).
{%- set indicadores = codigos_indicadores(solo_entradas_del_modelo=false) %}
with ct as (
    select * from {{ ref('dne_plus') }}
),

imputacion as (
    select * from {{ ref('int_matching__imputacion_escalada') }}
),

ancho as (
    select
        centro_trabajo_id,
        {%- for indicador in indicadores %}
        max(escalado) filter (where indicador = '{{ indicador }}') as ind_{{ indicador }},
        max(valor) filter (where indicador = '{{ indicador }}') as valor_{{ indicador }},
        max(origen) filter (where indicador = '{{ indicador }}') as origen_{{ indicador }},
        {%- endfor %}
    from imputacion
    group by centro_trabajo_id
)

select
    ct.centro_trabajo_id,
    ct.ct_imss_registro,
    ct.tiene_registro_imss,
    ct.geo2,
    ct.nom_geo2,
    ct.geo5,
    ct.nom_geo5,
    ct.scian2018_2,
    ct.nom_scian2018_2,
    ct.scian2018_3,
    ct.nom_scian2018_3,
    ct.cat_tamanio,
    ct.nom_cat_tamanio,
    ct.num_trabajadores,
    ct.nom_rama_industrial,
    {%- for atributo in atributos_dne(derivados=false) %}
    ct.{{ atributo.columna }},
    {%- endfor %}
    ct.campos_enriquecidos,
    {%- for indicador in indicadores %}
    ancho.ind_{{ indicador }},
    ancho.valor_{{ indicador }},
    ancho.origen_{{ indicador }},
    {%- endfor %}
from ct
left join ancho on ct.centro_trabajo_id = ancho.centro_trabajo_id
