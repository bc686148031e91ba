-- Public debt (spec 004 section 8) per state and quarter (cve_ent '00' = all states, SHCP's total): the
-- debt as % of GDP is published once a year, at the year's close; a quarter of year A reports the close
-- of A-1, the latest one known during A. Quarters are those of the ITAEE series (the Semáforos'
-- economic calendar), so the debt appears next to growth and productivity.
with

trimestres as (
    select distinct periodo, anio, trimestre,
    from {{ ref('stg_externos__itaee') }}
),

deuda as (
    select cve_ent, anio, deuda_pct_pib,
    from {{ ref('stg_externos__deuda_publica') }}
)

select
    deuda.cve_ent,
    trimestres.periodo,
    trimestres.anio,
    trimestres.trimestre,
    deuda.anio as anio_cierre,
    deuda.deuda_pct_pib,
from trimestres
inner join deuda
    on deuda.anio = trimestres.anio - 1
