-- The eight indicators of the Semáforos in one long table, unrounded: one row per (indicador, cve_ent,
-- periodo); cve_ent '00' = national. `meta` only for empleo_formal (the quarter's goal); `fuente` says
-- where the value comes from.
select 'crecimiento_economico' as indicador, cve_ent, periodo, anio, trimestre, crecimiento as valor,
    null::double as meta, 'ITAEE (' || tipo_tasa || ')' as fuente,
from {{ ref('int_semaforos__crecimiento_economico') }}
union all
select 'empleo_formal', cve_ent, periodo, anio, trimestre, empleos_generados, meta_trimestral,
    fuente || coalesce(' (meta: ' || origen_meta || ')', ' (sin meta)'),
from {{ ref('int_semaforos__empleo_formal') }}
union all
select 'productividad', cve_ent, periodo, anio, trimestre, productividad, null, 'PIBE estimado y ENOE',
from {{ ref('int_semaforos__productividad') }}
union all
select 'pobreza_laboral', cve_ent, periodo, anio, trimestre, pobreza_laboral, null, 'ENOE y canasta CONEVAL',
from {{ ref('int_semaforos__pobreza_laboral') }}
union all
select 'deuda_publica', cve_ent, periodo, anio, trimestre, deuda_pct_pib, null,
    'SHCP, cierre de ' || anio_cierre,
from {{ ref('int_semaforos__deuda_publica') }}
union all
select 'informalidad', cve_ent, periodo, anio, trimestre, informalidad, null, 'ENOE (TIL2)',
from {{ ref('int_semaforos__enoe_ocupacion') }}
where informalidad is not null
union all
select 'ocupacion_gobierno', cve_ent, periodo, anio, trimestre, ocupacion_gobierno, null, 'ENOE',
from {{ ref('int_semaforos__enoe_ocupacion') }}
union all
select 'desigualdad_ingreso', cve_ent, periodo, anio, trimestre, gini, null, 'ENOE',
from {{ ref('int_semaforos__gini_ingreso_laboral') }}
