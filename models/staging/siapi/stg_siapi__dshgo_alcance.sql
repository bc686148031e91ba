select
    instancia,
    cast(dshgo_alcance_id as bigint) as alcance_id,
    cast(desahogo_id as bigint) as desahogo_id,
    cast(submateria_id as integer) as submateria_id,
from {{ source('siapi', 'siapi_dshgo_alcance') }}
