-- The distinct combinations of matching dimensions among DNE_plus workplaces (far fewer than CTs), so the
-- level-by-level search runs once per combination instead of once per workplace.
select distinct
    geo2,
    geo5,
    scian2018_2,
    scian2018_3,
    cat_tamanio,
from {{ ref('int_dne__centros_trabajo') }}
