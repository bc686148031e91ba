select
    instancia,
    cast(calif_violacion_id as bigint) as calif_violacion_id,
    cast(dshgo_revision_id as bigint) as revision_id,
    cast(cviol_procede as integer) = 1 as procede,
    cast(cast(cviol_fecha as timestamp) as date) as fecha_calificacion,
from {{ source('siapi', 'siapi_calif_violacion') }}
