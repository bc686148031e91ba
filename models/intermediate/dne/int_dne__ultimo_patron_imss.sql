-- The latest IMSS employer record of every registro (its most recent month in the patrones files),
-- used to enrich DNE workplaces that carry that registro.
select
    cve_registro,
    periodo as periodo_imss,
    geo2,
    geo5,
    scian2018_2,
    scian2018_3,
    num_puestos,
from {{ ref('stg_imss__patrones') }}
qualify row_number() over (partition by cve_registro order by periodo desc) = 1
