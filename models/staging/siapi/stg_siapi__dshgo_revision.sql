select
    instancia,
    cast(dshgo_revision_id as bigint) as revision_id,
    cast(desahogo_id as bigint) as desahogo_id,
    cast(indicador_id as integer) as indicador_id,
    cast(drev_cumple as integer) as cumple,
from {{ source('siapi', 'siapi_dshgo_revision') }}
