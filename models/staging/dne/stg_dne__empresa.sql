select
    cast(empresa_id as bigint) as empresa_id,
    try_cast(grupo_empresa_id as bigint) as grupo_empresa_id,
    -- Landed only for personas morales (seeds/datos_personales.csv): NULL for a persona física.
    razon_social,
    rfc,
    tipo_persona,
    cast(cast(fecha_alta as timestamp) as date) as fecha_alta,
    estatus,
from {{ source('dne', 'dne_empresa') }}
