-- CONEVAL food basket (pesos per person a month) per area (urbano / rural) and month.
select
    cve_ent,
    ambito,
    periodo,
    cast(left(periodo, 4) as integer) as anio,
    cast(substr(periodo, 6, 2) as integer) as mes,
    (cast(substr(periodo, 6, 2) as integer) + 2) // 3 as trimestre,
    valor as canasta_mensual,
from {{ source('externos', 'canasta_alimentaria') }}
