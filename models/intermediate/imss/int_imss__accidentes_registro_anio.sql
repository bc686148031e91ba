-- One row per registro patronal and riesgos year (the year's latest cut only): accidents, incapacity days
-- and the mean insured of the 12 months ending in the cut month (patrones num_puestos, over the months of
-- that window that are loaded). riesgos is cumulative within a year: only the year's latest cut counts (the
-- loader already keeps only that cut; the filter below makes the model safe on its own). Every registro in
-- patrones during the window gets a value (0 accidents when it has none). Geography, sector and size come
-- from the registro's latest patrones month in the window.
--   tasa_accidentes = 100 - min(100 * accidents / mean insured, 100)
--   tasa_dias       = 100 - min(100 * subsidised days / mean insured, 100), so both are clipped to 0-100.
-- Every risk type counts as an accident (trabajo, trayecto, enfermedad), as the manual's "riesgos".
with
    cortes as (
        select anio, max(periodo_corte) as periodo_corte, max(cargado_en) as cargado_en,
        from {{ ref('stg_imss__riesgos') }}
        group by anio
    ),

    riesgos as (
        select
            riesgos.cve_registro,
            riesgos.anio,
            count(*) as n_accidentes,
            sum(riesgos.dias_subsidiados) as dias_incapacidad,
        from {{ ref('stg_imss__riesgos') }} as riesgos
        inner join cortes
            on riesgos.anio = cortes.anio and riesgos.periodo_corte = cortes.periodo_corte
        group by riesgos.cve_registro, riesgos.anio
    ),

    patrones_12_meses as (
        select
            patrones.cve_registro,
            cortes.anio,
            cortes.periodo_corte,
            patrones.periodo,
            patrones.num_puestos,
            patrones.geo2,
            patrones.geo5,
            {{ scian2_armonizado('patrones.scian2018_2', 'patrones.scian2018_3') }} as scian2018_2,
            patrones.scian2018_3,
            greatest(patrones.cargado_en, cortes.cargado_en) as insumo_cargado_en,
        from {{ ref('stg_imss__patrones') }} as patrones
        inner join cortes
            on patrones.periodo > (cortes.periodo_corte - interval 12 month)::date
            and patrones.periodo <= cortes.periodo_corte
    ),

    asegurados as (
        select
            cve_registro,
            anio,
            any_value(periodo_corte) as periodo_corte,
            avg(num_puestos) as asegurados_promedio_12m,
            count(*) as meses_con_patrones,
            arg_max(num_puestos, periodo) as num_puestos_ultimo_mes,
            arg_max(geo2, periodo) as geo2,
            arg_max(geo5, periodo) as geo5,
            arg_max(scian2018_2, periodo) as scian2018_2,
            arg_max(scian2018_3, periodo) as scian2018_3,
            max(insumo_cargado_en) as insumo_cargado_en,
        from patrones_12_meses
        group by cve_registro, anio
    )

select
    asegurados.cve_registro,
    asegurados.anio,
    asegurados.periodo_corte,
    asegurados.geo2,
    asegurados.geo5,
    asegurados.scian2018_2,
    asegurados.scian2018_3,
    tamanios.cat_tamanio,
    asegurados.num_puestos_ultimo_mes,
    asegurados.asegurados_promedio_12m,
    asegurados.meses_con_patrones,
    coalesce(riesgos.n_accidentes, 0) as n_accidentes,
    coalesce(riesgos.dias_incapacidad, 0) as dias_incapacidad,
    case
        when asegurados.asegurados_promedio_12m > 0
            then 100 - least(100 * coalesce(riesgos.n_accidentes, 0) / asegurados.asegurados_promedio_12m, 100)
    end as tasa_accidentes,
    case
        when asegurados.asegurados_promedio_12m > 0
            then greatest(
                0, 100 - least(100 * coalesce(riesgos.dias_incapacidad, 0) / asegurados.asegurados_promedio_12m, 100)
            )
    end as tasa_dias,
    asegurados.insumo_cargado_en,
from asegurados
left join riesgos on asegurados.cve_registro = riesgos.cve_registro and asegurados.anio = riesgos.anio
left join {{ ref('tamanios') }} as tamanios
    on asegurados.num_puestos_ultimo_mes >= tamanios.trabajadores_min
    and (tamanios.trabajadores_max is null or asegurados.num_puestos_ultimo_mes <= tamanios.trabajadores_max)
