-- Participants of inspections (inspectors, and the supervisor of each office): keys only, no names.
-- A catalog present in every instance: the row of the most recent instance per id.
select
    cast(participante_id as integer) as participante_id,
    upper(trim(tipo_participante)) as tipo_participante,
    cast(oficina_id as integer) as oficina_id,
    clave,
    cast(activo as integer) = 1 as activo,
from ({{ catalogo_vigente('siapi_participantes', 'participante_id') }})
