-- Who took part in each inspection, per instance (keys only): one row per inspection and participant,
-- `responsable` for the inspector in charge.
select
    instancia,
    cast(inspec_participante_id as bigint) as inspec_participante_id,
    cast(inspeccion_id as bigint) as inspeccion_id,
    cast(participante_id as integer) as participante_id,
    coalesce(cast(ipart_responsable as integer) = 1, false) as responsable,
from {{ source('siapi', 'siapi_inspec_participantes') }}
