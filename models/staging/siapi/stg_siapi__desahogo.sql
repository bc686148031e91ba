select
    instancia,
    cast(desahogo_id as bigint) as desahogo_id,
    cast(inspeccion_id as bigint) as inspeccion_id,
    cast(dshgo_tipo_desahogo as integer) as tipo_desahogo_id,
    cast(cast(dshgo_fecha as timestamp) as date) as fecha_desahogo,
from {{ source('siapi', 'siapi_desahogo') }}
