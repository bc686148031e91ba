-- One row per registro patronal and month: typed, IMSS codes decoded to INEGI geography and SCIAN 2018.
with
    patrones as (
        select * from {{ source('imss', 'imss_patrones') }}
    ),

    municipios as (
        select cve_municipio_imss, cve_delegacion, geo2, geo5, estatus_municipio,
        from {{ ref('base_imss__municipios') }}
    ),

    fracciones as (
        select fraccion, scian2018_3, scian2018_2,
        from {{ ref('imss_fraccion_scian2018') }}
    )

select
    patrones.cve_registro,
    patrones.periodo,
    strftime(patrones.periodo, '%Y-%m') as periodo_mes,
    patrones.cve_delegacion,
    patrones.cve_subdelegacion,
    patrones.cve_municipio as cve_municipio_imss,
    municipios.geo2,
    municipios.geo5,
    municipios.estatus_municipio,
    patrones.codigo_postal,
    lpad(trim(patrones.sector_economico_4), 4, '0') as fraccion,
    fracciones.scian2018_3,
    fracciones.scian2018_2,
    patrones.clase_riesgo,
    lower(patrones.tamano_patron) as tamano_patron,
    try_cast(patrones.num_puestos as integer) as num_puestos,
    patrones.cargado_en,
from patrones
left join municipios
    on patrones.cve_municipio = municipios.cve_municipio_imss
    and patrones.cve_delegacion = municipios.cve_delegacion
left join fracciones
    on lpad(trim(patrones.sector_economico_4), 4, '0') = fracciones.fraccion
