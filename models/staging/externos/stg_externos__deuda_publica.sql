-- SHCP state public debt at year end as % of the state's GDP, per state ('00' = all states) and year.
select
    cve_ent,
    cast(periodo as integer) as anio,
    valor as deuda_pct_pib,
from {{ source('externos', 'deuda_publica') }}
