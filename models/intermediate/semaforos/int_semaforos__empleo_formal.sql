-- Formal-employment generation of the Semáforos per state ('00' = national) and quarter, from
-- marts.generacion_empleo_formal (quarter-end IMSS insured jobs minus the previous quarter-end's): the
-- IMSS published series by state where it has the quarter, otherwise the loaded puestos files. The goal
-- is the yearly goal in force at the quarter's end (int_semaforos__metas_empleo_formal: the spec's table,
-- then the PEA-share rule) / 4. Spec example: Distrito Federal 1T 2014 = 2,923,496 - 2,893,950 = 29,546.
with

generacion as (
    select
        fuente,
        periodo,
        anio,
        trimestre,
        cve_ent,
        empleos_generados,
        row_number() over (
            partition by periodo, cve_ent
            order by case fuente when 'imss_publicado' then 1 else 2 end
        ) as preferencia,
    from {{ ref('generacion_empleo_formal') }}
    where empleos_generados is not null
),

metas as (
    select cve_ent, vigente_desde, vigente_hasta, meta_anual, origen,
    from {{ ref('int_semaforos__metas_empleo_formal') }}
)

select
    generacion.cve_ent,
    generacion.periodo,
    generacion.anio,
    generacion.trimestre,
    generacion.fuente,
    generacion.empleos_generados,
    metas.meta_anual,
    metas.meta_anual / 4 as meta_trimestral,
    metas.origen as origen_meta,
from generacion
left join metas
    on generacion.cve_ent = metas.cve_ent
    and make_date(generacion.anio, 3 * generacion.trimestre, 1) between metas.vigente_desde and metas.vigente_hasta
where generacion.preferencia = 1
