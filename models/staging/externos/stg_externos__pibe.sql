-- INEGI state GDP at constant prices (millions of pesos) per state ('00' = national) and year.
select
    cve_ent,
    cast(periodo as integer) as anio,
    valor as pibe_mdp,
from {{ source('externos', 'pibe') }}
