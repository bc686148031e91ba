-- One row per work risk of the latest cut of each year (the loader keeps only that cut).
select
    cve_registro,
    anio,
    periodo as periodo_corte,
    nss_hash,
    try_cast(fecha_inicio as date) as fecha_inicio,
    try_cast(fecha_alta as date) as fecha_alta,
    try_cast(tipo_riesgo as integer) as tipo_riesgo,
    try_cast(consecuencia as integer) as consecuencia,
    coalesce(try_cast(dias_subsidiados as integer), 0) as dias_subsidiados,
    try_cast(porcentaje_incapacidad as double) as porcentaje_incapacidad,
    lpad(trim(sector_economico_4), 4, '0') as fraccion,
    cargado_en,
from {{ source('imss', 'imss_riesgos') }}
