-- The eight indicators of the Semáforos in one long table, unrounded: one row per (indicador, cve_ent,
-- periodo); cve_ent '00' = national. periodicidad 'trimestral' (periodo 'YYYYTq') for all eight and
-- 'anual' (periodo 'YYYY', trimestre NULL) for the yearly formal-employment figure. `meta` only for
-- empleo_formal (the goal of the quarter or year); `serie` only for empleo_formal (oficial or
-- imss_cargado: one series per period); `fuente` says where the value comes from.
select 'crecimiento_economico' as indicador, cve_ent, 'trimestral' as periodicidad, periodo, anio, trimestre,
    crecimiento as valor, null::double as meta, null::varchar as serie, 'ITAEE (' || tipo_tasa || ')' as fuente,
from {{ ref('int_semaforos__crecimiento_economico') }}
union all
select 'empleo_formal', cve_ent, periodicidad, periodo, anio, trimestre, empleos_generados, meta, serie,
    fuente || coalesce(' (meta: ' || origen_meta || ')', ' (sin meta)'),
from {{ ref('int_semaforos__empleo_formal') }}
union all
select 'productividad', cve_ent, 'trimestral', periodo, anio, trimestre, productividad, null, null,
    'PIBE estimado y ENOE',
from {{ ref('int_semaforos__productividad') }}
union all
select 'pobreza_laboral', cve_ent, 'trimestral', periodo, anio, trimestre, pobreza_laboral, null, null,
    'ENOE y canasta CONEVAL',
from {{ ref('int_semaforos__pobreza_laboral') }}
union all
select 'deuda_publica', cve_ent, 'trimestral', periodo, anio, trimestre, deuda_pct_pib, null, null,
    'SHCP, cierre de ' || anio_cierre,
from {{ ref('int_semaforos__deuda_publica') }}
union all
select 'informalidad', cve_ent, 'trimestral', periodo, anio, trimestre, informalidad, null, null, 'ENOE (TIL2)',
from {{ ref('int_semaforos__enoe_ocupacion') }}
where informalidad is not null
union all
select 'ocupacion_gobierno', cve_ent, 'trimestral', periodo, anio, trimestre, ocupacion_gobierno, null, null,
    'ENOE',
from {{ ref('int_semaforos__enoe_ocupacion') }}
union all
select 'desigualdad_ingreso', cve_ent, 'trimestral', periodo, anio, trimestre, gini, null, null, 'ENOE',
from {{ ref('int_semaforos__gini_ingreso_laboral') }}
