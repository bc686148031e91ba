-- INEGI ITAEE (seasonally adjusted, index) per state ('00' = national) and quarter.
select
    cve_ent,
    periodo,
    cast(left(periodo, 4) as integer) as anio,
    cast(right(periodo, 1) as integer) as trimestre,
    valor as itaee,
from {{ source('externos', 'itaee') }}
