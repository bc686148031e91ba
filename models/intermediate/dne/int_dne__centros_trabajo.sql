-- depends_on: {{ ref('dne_campos') }}
-- DNE_plus (manual, Module II): the DNE universe, one row per centro_trabajo_id, with geography, SCIAN and
-- size completed from the latest IMSS record of the CT's own registro when the DNE lacks them.
-- Rules: a field is only filled when missing (the DNE's own value wins); geo5 from IMSS is used only when
-- the CT has no state or the same state, so geo2 and geo5 never disagree; scian2018_2 follows the
-- subsector used; the worker count falls back to the registro's insured jobs, and cat_tamanio comes
-- from the count with the cuts of seeds/tamanios.csv. The other workplace attributes are the DNE field
-- catalog's (seed dne_campos, macro atributos_dne), in its order; the industrial branch gets its name from
-- seeds/ramas_industriales.csv.
with ct as (
    select * from {{ ref('stg_dne__centro_trabajo') }}
),

imss as (
    select * from {{ ref('int_dne__ultimo_patron_imss') }}
),

tamanios as (
    select cat_tamanio, etiqueta, trabajadores_min, coalesce(trabajadores_max, 2147483647) as trabajadores_max,
    from {{ ref('tamanios') }}
),

enriquecido as (
    select
        ct.*,
        imss.cve_registro is not null as tiene_registro_imss,
        imss.periodo_imss,
        coalesce(ct.geo2, imss.geo2) as geo2_final,
        case
            when ct.geo5 is not null then ct.geo5
            when coalesce(ct.geo2, imss.geo2) = imss.geo2 then imss.geo5
        end as geo5_final,
        coalesce(ct.scian2018_3, imss.scian2018_3) as scian2018_3_final,
        case when ct.scian2018_3 is not null then ct.scian2018_2 else coalesce(ct.scian2018_2, imss.scian2018_2) end
            as scian2018_2_final,
        coalesce(ct.num_trabajadores, imss.num_puestos) as num_trabajadores_final,
        ct.geo2 is null and imss.geo2 is not null as enriquecio_geo2,
        ct.geo5 is null and imss.geo5 is not null and coalesce(ct.geo2, imss.geo2) = imss.geo2 as enriquecio_geo5,
        ct.scian2018_3 is null and imss.scian2018_3 is not null as enriquecio_scian,
        ct.num_trabajadores is null and imss.num_puestos is not null as enriquecio_tamanio,
    from ct
    left join imss on ct.ct_imss_registro = imss.cve_registro
)

select
    enriquecido.centro_trabajo_id,
    enriquecido.ct_imss_registro,
    enriquecido.tiene_registro_imss,
    enriquecido.empresa_id,
    enriquecido.nombre_ct,
    enriquecido.geo2_final as geo2,
    estados.nom_ent as nom_geo2,
    enriquecido.geo5_final as geo5,
    municipios.nom_mun as nom_geo5,
    enriquecido.scian2018_2_final as scian2018_2,
    sectores.titulo as nom_scian2018_2,
    enriquecido.scian2018_3_final as scian2018_3,
    subsectores.titulo as nom_scian2018_3,
    enriquecido.scian_clase,
    ramas.rama_industrial as nom_rama_industrial,
    enriquecido.num_trabajadores_final as num_trabajadores,
    tamanios.cat_tamanio,
    tamanios.etiqueta as nom_cat_tamanio,
    {%- for atributo in atributos_dne(derivados=false) %}
    enriquecido.{{ atributo.columna }},
    {%- endfor %}
    enriquecido.fecha_alta,
    enriquecido.estatus,
    concat_ws(',',
        case when enriquecido.enriquecio_geo2 then 'geo2' end,
        case when enriquecido.enriquecio_geo5 then 'geo5' end,
        case when enriquecido.enriquecio_scian then 'scian2018_2,scian2018_3' end,
        case when enriquecido.enriquecio_tamanio then 'cat_tamanio' end
    ) as campos_enriquecidos,
    enriquecido.periodo_imss as periodo_imss_enriquecimiento,
from enriquecido
left join (select distinct cve_ent, nom_ent from {{ ref('inegi_municipios') }}) as estados
    on enriquecido.geo2_final = estados.cve_ent
left join {{ ref('inegi_municipios') }} as municipios on enriquecido.geo5_final = municipios.cvegeo
left join tamanios
    on enriquecido.num_trabajadores_final between tamanios.trabajadores_min and tamanios.trabajadores_max
left join {{ ref('ramas_industriales') }} as ramas on enriquecido.rama_industrial_id = ramas.rama_industrial_id
left join {{ ref('scian2018') }} as subsectores on enriquecido.scian2018_3_final = subsectores.codigo
left join (
    select case codigo when '31-33' then '31' when '48-49' then '48' else codigo end as codigo, titulo,
    from {{ ref('scian2018') }} where nivel = 'sector'
) as sectores on enriquecido.scian2018_2_final = sectores.codigo
