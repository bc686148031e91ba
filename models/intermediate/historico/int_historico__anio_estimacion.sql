-- Which year's estimates each inspection year uses, per source: the latest year available up to the
-- inspection's year, else the first year available (DOMAIN.md section 8: IMSS starts in var imss_anio_inicio,
-- 2019, so earlier inspections get that year's values; ENOE starts in 2012 with the history).
with anios_inspeccion as (
    select distinct anio from {{ ref('int_historico__inspecciones') }}
),

anios_fuente as (
    select distinct fuente, anio from {{ ref('int_indicadores__historicos') }}
)

select
    anios_inspeccion.anio as anio_inspeccion,
    anios_fuente.fuente,
    coalesce(
        max(anios_fuente.anio) filter (where anios_fuente.anio <= anios_inspeccion.anio),
        min(anios_fuente.anio)
    ) as anio,
from anios_inspeccion
cross join anios_fuente
group by all
